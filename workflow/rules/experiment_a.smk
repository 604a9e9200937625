# Experiment A: each codec over the bpp grid.


rule compress:
    input:
        original=f"{RESULTS}/originals/{{image}}.png",
    output:
        image=f"{RESULTS}/A/{{codec}}/bpp{{bpp}}/{{image}}.png",
        record=f"{RESULTS}/A/{{codec}}/bpp{{bpp}}/{{image}}.json",
    params:
        options=lambda wc: config["codecs"].get(wc.codec, {}),
    log:
        f"{RESULTS}/logs/A/{{codec}}/bpp{{bpp}}/{{image}}.log",
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/compress.py"
