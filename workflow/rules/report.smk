# One tidy table, its summary, the Fig. 13 table, and the figures (which read the summary only).


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
            f"{RESULTS}/summary.csv",
            caption="../report/summary.rst",
            category="Tables",
        ),
    log:
        f"{RESULTS}/logs/summarize.log",
    params:
        ci=config["plot"]["ci"],
    script:
        "../scripts/summarize.py"


rule example_table:
    input:
        f"{RESULTS}/scores.csv",
    output:
        f"{RESULTS}/figures/fig13_example_table.csv",
    log:
        f"{RESULTS}/logs/example_table.log",
    script:
        "../scripts/example_table.py"


rule plot:
    input:
        unpack(plot_inputs),
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
