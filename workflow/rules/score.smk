# Scoring works on shards (one condition, all images) so models load once per job.


rule score_a:
    input:
        originals=originals(),
        received=lambda wc: expand(
            f"{RESULTS}/A/{wc.codec}/bpp{wc.bpp}/{{image}}.png", image=sorted(IMAGES)
        ),
        records=lambda wc: expand(
            f"{RESULTS}/A/{wc.codec}/bpp{wc.bpp}/{{image}}.json", image=sorted(IMAGES)
        ),
    output:
        f"{RESULTS}/A/scores/{{codec}}/bpp{{bpp}}.csv",
    params:
        experiment="A",
        metrics=config["metrics"],
        device=config["device"],
    log:
        f"{RESULTS}/logs/score/A/{{codec}}/bpp{{bpp}}.log",
    threads: 2
    resources:
        mem_mb=4000,
        runtime=30,
    script:
        "../scripts/score.py"
