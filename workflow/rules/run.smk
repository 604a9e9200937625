# The run's effective config (schema defaults filled, `base:` applied): what produced this folder.
# Re-running the run, or its report, takes it as is:
#   snakemake --configfile results/<run_name>/config.yaml --report results/<run_name>/report.html


localrules:
    run_config,  # a tiny write: never worth a cluster job


rule run_config:
    output:
        report(f"{RESULTS}/config.yaml", caption="../report/config.rst", category="Run"),
    log:
        f"{RESULTS}/logs/run_config.log",
    params:
        config=config,
    script:
        "../scripts/run_config.py"
