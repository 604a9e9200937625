from semcom_core.imageio import save_png
from semcom_pipeline.sample import load_original
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
image = load_original(snakemake.params.source, snakemake.params.max_side)
save_png(snakemake.output[0], image)
log.info(
    "%s -> %s (%dx%d)", snakemake.params.source, snakemake.output[0], image.shape[1], image.shape[0]
)
