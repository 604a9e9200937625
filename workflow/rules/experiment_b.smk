# Experiment B: the digital (codec + LDPC + modulation) and learned JSCC systems over AWGN.
# One job per (system, SNR) sends all images in one batched call (Sionna loads once per job).


rule transmit:
    input:
        originals=originals(),
    output:
        images=expand(
            f"{RESULTS}/B/{{{{system}}}}/snr={{{{snr}}}}dB/{{image}}.png",
            image=sorted(IMAGES),
        ),
        records=expand(
            f"{RESULTS}/B/{{{{system}}}}/snr={{{{snr}}}}dB/{{image}}.json",
            image=sorted(IMAGES),
        ),
    log:
        f"{RESULTS}/logs/B/{{system}}/snr={{snr}}dB.log",
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=30,
        gpu=1 if config["device"] == "cuda" else 0,
    params:
        outdir=lambda wc, output: os.path.dirname(output.images[0]),
        device=config["device"],
    script:
        "../scripts/transmit.py"
