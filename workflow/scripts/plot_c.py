from pathlib import Path

import pandas as pd

from semcom_pipeline.figures_c import draw_figures_c
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
paths = draw_figures_c(
    pd.read_csv(snakemake.input.scores),
    Path(snakemake.params.outdir),
    snakemake.params.ci,
    snakemake.params.example,
    snakemake.input.original,
    list(snakemake.input.generated),
    snakemake.config,
)
for p in paths:
    log.info("wrote %s", p)
