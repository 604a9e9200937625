from pathlib import Path

from semcom_pipeline.shards import compress_shard
from semcom_pipeline.smk import setup_logging

setup_logging(snakemake)
originals = {Path(p).stem: p for p in snakemake.input.originals}
compress_shard(
    snakemake.wildcards.codec,
    snakemake.wildcards.bpp,
    originals,
    snakemake.params.outdir,
    snakemake.params.options,
)
