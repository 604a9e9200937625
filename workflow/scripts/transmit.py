from pathlib import Path

from semcom_core.models import resolve_device
from semcom_pipeline.experiment_b import transmit_shard
from semcom_pipeline.gpu import claim_gpu
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
claim_gpu(snakemake.params.device)
originals = {Path(p).stem: p for p in snakemake.input.originals}
transmit_shard(
    snakemake.wildcards.system,
    float(snakemake.wildcards.snr),
    originals,
    snakemake.params.outdir,
    snakemake.config,
    device=resolve_device(snakemake.params.device),
)
