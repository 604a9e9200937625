import pandas as pd

from semcom_pipeline.figures import FigureData, draw_figures
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
table = pd.read_csv(snakemake.input.table) if snakemake.input.get("table") else None
data = FigureData(
    summary=pd.read_csv(snakemake.input.summary),
    cfg=snakemake.config,
    ci=snakemake.params.ci,
    table=table,
)
for p in draw_figures(data, snakemake.params.outdir, snakemake.params.names):
    log.info("wrote %s", p)
