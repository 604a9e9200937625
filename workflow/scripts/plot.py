from semcom_pipeline.figures import draw_figures
from semcom_pipeline.records import read_table
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
df = read_table(snakemake.input[0])
paths = draw_figures(
    df, snakemake.params.outdir, snakemake.params.ci, snakemake.params.names, snakemake.config
)
for p in paths:
    log.info("wrote %s", p)
