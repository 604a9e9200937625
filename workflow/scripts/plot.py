from semcom_pipeline.figures import FigureData, draw_figures
from semcom_pipeline.records import read_table
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
table = read_table(snakemake.input.table) if snakemake.input.get("table") else None
data = FigureData(
    summary=read_table(snakemake.input.summary),
    cfg=snakemake.config,
    ci=snakemake.params.ci,
    table=table,
)
for p in draw_figures(data, snakemake.params.outdir, snakemake.params.names):
    log.info("wrote %s", p)
