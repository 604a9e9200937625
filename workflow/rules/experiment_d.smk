# Experiment D: transformations weakly tied to semantics. One job per (transform, strength) shard.


rule transform:
    input:
        originals=originals(),
    output:
        images=expand(
            f"{RESULTS}/D/{{{{transform}}}}/{{{{transform}}}}={{{{strength}}}}/{{image}}.png",
            image=sorted(IMAGES),
        ),
        records=expand(
            f"{RESULTS}/D/{{{{transform}}}}/{{{{transform}}}}={{{{strength}}}}/{{image}}.json",
            image=sorted(IMAGES),
        ),
    log:
        f"{RESULTS}/logs/D/{{transform}}/{{transform}}={{strength}}.log",
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        outdir=lambda wc, output: os.path.dirname(output.images[0]),
        code=TRANSFORM_CODE,  # common.smk: an edit of this code redoes the images
    script:
        "../scripts/transform.py"
