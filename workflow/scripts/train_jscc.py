from pathlib import Path

from semcom_codecs.jscc_train import TrainConfig, train
from semcom_pipeline.artifacts import reuse_or_build
from semcom_pipeline.gpu import claim_gpu
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
claim_gpu(snakemake.params.device)
opts = dict(snakemake.params.train)
opts["snr_db"] = tuple(opts["snr_db"])
cfg = TrainConfig(**opts)
command = f"snakemake train_deepjscc (rule {snakemake.rule}, config {opts})"


def build():
    result = train(
        cfg,
        out_dir=None,
        checkpoint_path=snakemake.output.checkpoint,
        device=snakemake.params.device,
        threads=snakemake.threads,
        command=command,
    )
    log.info(
        "trained %s: %s",
        result.checkpoint,
        {k: result.record[k] for k in ("seconds", "eval_loss_final")},
    )


# The checkpoint name holds a hash of the training config: a script edit alone reuses it.
store = Path(snakemake.output.checkpoint).parent / "store"
if reuse_or_build([snakemake.output.checkpoint, snakemake.output.record], build, store):
    log.info("reused %s from %s (same training config hash)", snakemake.output.checkpoint, store)
