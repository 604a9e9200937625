from semcom_pipeline.records import read_scores, write_scores
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
df = read_scores(snakemake.input).sort_values(
    ["experiment", "system", "condition", "image", "metric"]
)
write_scores(snakemake.output.scores, df.to_dict("records"))
log.info("%d rows from %d shards", len(df), len(snakemake.input))
