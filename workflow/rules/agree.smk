# Optional: agreement of the metrics with human judgments (config key `alignment`, off by
# default). Needs only the ratings and the images they name; outputs go to results/alignment/.


def alignment_targets():
    if not config["alignment"]["ratings"]:
        return []
    out = f"{RESULTS}/alignment"
    return [
        f"{out}/agreement.csv",
        f"{out}/metric_scores.csv",
        *[
            f"{out}/{n}.{e}"
            for n in ("agreement_table", "distributions")
            for e in ("png", "pdf")
        ],
    ]


def alignment_metrics():
    """Metric entries with their config.yaml metric_options (an entry's own options win)."""
    al = config["alignment"]
    entries = al["metrics"] or config["metrics"]
    out = []
    for e in entries:
        e = {"name": e} if isinstance(e, str) else dict(e)
        opts = {**config["metric_options"].get(e["name"], {}), **e.get("options", {})}
        out.append({**e, "options": opts})
    return out


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
            metrics=alignment_metrics(),
            format=config["alignment"]["format"],
            scale=config["alignment"]["scale"],
            split=config["alignment"]["split"],
            n_boot=config["alignment"]["n_boot"],
            logistic=config["alignment"]["logistic"],
            seed=config["seed"],
            device=config["device"],
        script:
            "../scripts/agree.py"
