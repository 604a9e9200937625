from pathlib import Path

from semcom_pipeline.gpu import claim_gpu
from semcom_pipeline.records import read_json, write_scores
from semcom_pipeline.scoring import score_pairs
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
gpu = claim_gpu(snakemake.params.device)
originals = {Path(p).stem: p for p in snakemake.input.originals}
received = {Path(p).stem: p for p in snakemake.input.received}
records = {Path(p).stem: read_json(p) for p in snakemake.input.records}
pairs = [(i, originals[i], "" if records[i]["skip"] else received[i]) for i in sorted(originals)]
rows = score_pairs(
    pairs,
    snakemake.params.metrics,
    row_extra={i: r["row"] for i, r in records.items()},
    device=snakemake.params.device,
    metric_options=snakemake.params.metric_options,
    graph_cache=snakemake.params.graph_cache,
)
write_scores(snakemake.output[0], rows)
log.info("%d rows", len(rows))
