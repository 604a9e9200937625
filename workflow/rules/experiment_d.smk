# Experiment D: transformations weakly tied to semantics, each over its strengths.


rule transform:
    input:
        original=f"{RESULTS}/originals/{{image}}.png",
    output:
        image=f"{RESULTS}/D/{{transform}}/s{{strength}}/{{image}}.png",
        record=f"{RESULTS}/D/{{transform}}/s{{strength}}/{{image}}.json",
    log:
        f"{RESULTS}/logs/D/{{transform}}/s{{strength}}/{{image}}.log",
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/transform.py"
