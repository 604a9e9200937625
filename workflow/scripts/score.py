from pathlib import Path

from semcom_pipeline.records import read_json, write_scores
from semcom_pipeline.scoring import score_pairs
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
wc = snakemake.wildcards
originals = {Path(p).stem: p for p in snakemake.input.originals}
received = {Path(p).stem: p for p in snakemake.input.received}
records = {Path(p).stem: read_json(p) for p in snakemake.input.records}
pairs = [(i, originals[i], received[i]) for i in sorted(originals)]
extra = {
    i: {"target_bpp": r["target_bpp"], "achieved_bpp": r["achieved_bpp"], "decode_failed": r["decode_failed"]}
    for i, r in records.items()
}
base = {"experiment": "A", "system": wc.codec, "codec": wc.codec, "condition": f"bpp={wc.bpp}"}
rows = score_pairs(pairs, snakemake.params.metrics, base, extra, device=snakemake.params.device)
write_scores(snakemake.output[0], rows)
log.info("%d rows", len(rows))
