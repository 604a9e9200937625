from pathlib import Path

from semcom_generation.settings import GenerationSettings
from semcom_pipeline.experiment_c import generate_shard
from semcom_pipeline.gpu import claim_gpu
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
settings = GenerationSettings.from_config(snakemake.config)
claim_gpu(settings.device)
originals = {Path(p).stem: p for p in snakemake.input.originals}
generate_shard(int(snakemake.wildcards.noise), originals, snakemake.params.outdir, settings)
log.info("%d images x %d variations", len(originals), settings.variations)
