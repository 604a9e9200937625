from semcom_core.fsutil import atomic_path
from semcom_pipeline.records import read_table
from semcom_pipeline.smk import setup_logging
from semcom_pipeline.summary import summarize

log = setup_logging(snakemake)
summary = summarize(read_table(snakemake.input[0]), snakemake.params.ci)
with atomic_path(snakemake.output[0]) as tmp:
    summary.to_csv(tmp, index=False, float_format="%.10g")
log.info("%d groups", len(summary))
