from pathlib import Path

from semcom_alignment.report import run_agreement
from semcom_core.models import resolve_device
from semcom_pipeline.gpu import claim_gpu
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
claim_gpu(snakemake.params.device)
files = run_agreement(
    snakemake.input.ratings,
    snakemake.params.metrics,
    Path(snakemake.output.agreement).parent,
    format=snakemake.params.format,
    scale=tuple(snakemake.params.scale),
    split=snakemake.params.split,
    n_boot=snakemake.params.n_boot,
    seed=snakemake.params.seed,
    logistic=snakemake.params.logistic,
    device=resolve_device(snakemake.params.device),
)
log.info("wrote %s", ", ".join(str(p) for p in files.values()))
