# Experiment A: each codec over the bpp grid. One job per (codec, bpp) shard encodes all images.


rule compress:
    input:
        originals=originals(),
    output:
        images=expand(
            f"{RESULTS}/A/{{{{codec}}}}/bpp={{{{bpp}}}}/{{image}}.png",
            image=sorted(IMAGES),
        ),
        records=expand(
            f"{RESULTS}/A/{{{{codec}}}}/bpp={{{{bpp}}}}/{{image}}.json",
            image=sorted(IMAGES),
        ),
    log:
        f"{RESULTS}/logs/A/{{codec}}/bpp={{bpp}}.log",
    resources:
        mem_mb=lambda wc, attempt: 2000 * attempt,
        runtime=20,
    params:
        options=lambda wc: config["codecs"].get(wc.codec, {}),
        outdir=lambda wc, output: os.path.dirname(output.images[0]),
        code=COMPRESS_CODE,  # common.smk: an edit of this code redoes the images
    script:
        "../scripts/compress.py"
