from pathlib import Path

from semcom_pipeline.shards import transform_shard
from semcom_pipeline.smk import setup_logging

setup_logging(snakemake)
originals = {Path(p).stem: p for p in snakemake.input.originals}
transform_shard(
    snakemake.wildcards.transform, snakemake.wildcards.strength, originals, snakemake.params.outdir
)
