# One tidy table, its summary, and the figures (which read the table only).


rule aggregate:
    input:
        all_shards(),
    output:
        scores=f"{RESULTS}/scores.csv",
    log:
        f"{RESULTS}/logs/aggregate.log",
    script:
        "../scripts/aggregate.py"


rule summarize:
    input:
        f"{RESULTS}/scores.csv",
    output:
        report(
            f"{RESULTS}/summary.csv", caption="../report/summary.rst", category="Run"
        ),
    log:
        f"{RESULTS}/logs/summarize.log",
    params:
        ci=config["plot"]["ci"],
    script:
        "../scripts/summarize.py"


rule plot:
    input:
        f"{RESULTS}/scores.csv",
    output:
        figures(for_report=True),
    log:
        f"{RESULTS}/logs/plot.log",
    params:
        outdir=lambda wildcards, output: os.path.dirname(output[0]),
        names=FIGURE_NAMES,
        ci=config["plot"]["ci"],
    script:
        "../scripts/plot.py"
