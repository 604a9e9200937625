# Experiment D: transformations weakly tied to semantics. One job per (transform, strength) shard.


rule transform:
    input:
        originals=originals(),
    output:
        images=expand(
            f"{RESULTS}/D/{{{{transform}}}}/s{{{{strength}}}}/{{image}}.png",
            image=sorted(IMAGES),
        ),
        records=expand(
            f"{RESULTS}/D/{{{{transform}}}}/s{{{{strength}}}}/{{image}}.json",
            image=sorted(IMAGES),
        ),
    log:
        f"{RESULTS}/logs/D/{{transform}}/s{{strength}}.log",
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        outdir=lambda wc: f"{RESULTS}/D/{wc.transform}/s{wc.strength}",
    script:
        "../scripts/transform.py"
