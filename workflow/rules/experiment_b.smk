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
    # One thread: Snakemake sets OMP_NUM_THREADS / MKL_NUM_THREADS (and the SLURM plugin
    # --cpus-per-task) from it, so torch's float reductions, and with them the last digits of
    # SSIM / MS-SSIM, are the same on every machine; and two jobs share a 2-core box in
    # parallel instead of one job's two OpenMP threads spin-waiting under load (issue 19).
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=30,
        gpu=1 if config["device"] == "cuda" else 0,
    params:
        outdir=lambda wc, output: os.path.dirname(output.images[0]),
        device=config["device"],
        code=TRANSMIT_CODE,  # common.smk: an edit of this code redoes the images
    script:
        "../scripts/transmit.py"
