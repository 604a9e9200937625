from semcom_core.fsutil import atomic_path
from semcom_pipeline.figures import example_table
from semcom_pipeline.records import read_table
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
table = example_table(read_table(snakemake.input[0]), snakemake.config)
with atomic_path(snakemake.output[0]) as tmp:
    table.to_csv(tmp, index=False, float_format="%.6g")
log.info("%d transforms of image %s", len(table), table["image"].iloc[0] if len(table) else "-")
