rule sample:
    output:
        f"{RESULTS}/originals/{{image}}.png",
    log:
        f"{RESULTS}/logs/sample/{{image}}.log",
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        source=lambda wc: IMAGES[wc.image],
        max_side=config["sample"]["max_side"],
        code=SAMPLE_CODE,  # common.smk: an edit of this code redoes the images
    script:
        "../scripts/sample.py"
