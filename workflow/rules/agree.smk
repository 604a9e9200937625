# Optional: agreement of the metrics with human judgments (config key `alignment`, off by
# default). Needs only the ratings and the images they name; outputs go to results/alignment/.
from semcom_alignment.workflow import alignment_metrics, alignment_targets

if config["alignment"]["ratings"]:

    rule agree:
        input:
            ratings=config["alignment"]["ratings"],
        output:
            agreement=f"{RESULTS}/alignment/agreement.csv",
            scores=f"{RESULTS}/alignment/metric_scores.csv",
            table=multiext(f"{RESULTS}/alignment/agreement_table", ".png", ".pdf"),
            dist=multiext(f"{RESULTS}/alignment/distributions", ".png", ".pdf"),
        log:
            f"{RESULTS}/logs/agree.log",
        threads: 2
        resources:
            mem_mb=6000,
            runtime=120,
            gpu=1 if config["device"] == "cuda" else 0,
        params:
            metrics=alignment_metrics(config),
            format=config["alignment"]["format"],
            scale=config["alignment"]["scale"],
            split=config["alignment"]["split"],
            n_boot=config["alignment"]["n_boot"],
            logistic=config["alignment"]["logistic"],
            seed=config["seed"],
            device=config["device"],
        script:
            "../scripts/agree.py"
