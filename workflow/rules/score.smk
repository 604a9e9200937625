# Scoring works on shards (one grid point of one system, all images) so models load once per job.


rule score:
    input:
        originals=originals(),
        received=lambda wc: received(wc.exp, wc.system, wc.cond),
        records=lambda wc: records(wc.exp, wc.system, wc.cond),
    output:
        f"{RESULTS}/{{exp}}/scores/{{system}}/{{cond}}.csv",
    log:
        f"{RESULTS}/logs/score/{{exp}}/{{system}}/{{cond}}.log",
    # One thread: Snakemake sets OMP_NUM_THREADS / MKL_NUM_THREADS (and the SLURM plugin
    # --cpus-per-task) from it, so torch's float reductions, and with them the last digits of
    # SSIM / MS-SSIM, are the same on every machine; and two jobs share a 2-core box in
    # parallel instead of one job's two OpenMP threads spin-waiting under load (issue 19).
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 6000 * attempt,
        runtime=60,
        gpu=1 if config["device"] == "cuda" else 0,
    params:
        metrics=config["metrics"],
        metric_options=config["metric_options"],
        device=config["device"],
        graph_cache=f"{CACHE}/graphs",
        # the metrics' and SeSS's code: an edit or an update reruns the scoring (the graph
        # cache keys on the graph-building code itself, seess.cache.graph_code_version)
        code=SCORE_CODE,
    script:
        "../scripts/score.py"
