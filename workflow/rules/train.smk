# Training the learned codec (DeepJSCC). Target: `snakemake train_deepjscc`.
# Options live under `train: deepjscc:` in config.yaml (every key optional, defaults from
# semcom_codecs.jscc_train.TrainConfig); `device` / `threads` are run options, not hashed.
# The checkpoint name carries a hash of the training config, so a changed config retrains.
from dataclasses import asdict

from semcom_codecs.jscc_train import TrainConfig, checkpoint_name

_JSCC_RUN_KEYS = ("device", "threads")
_JSCC_OPTS = dict((config.get("train") or {}).get("deepjscc") or {})
_JSCC_CFG = TrainConfig(
    **{k: v for k, v in _JSCC_OPTS.items() if k not in _JSCC_RUN_KEYS}
)
_JSCC_DEVICE = str(_JSCC_OPTS.get("device", "auto"))
JSCC_CHECKPOINT = f"resources/checkpoints/{checkpoint_name(_JSCC_CFG)}"


rule train_deepjscc:
    output:
        checkpoint=JSCC_CHECKPOINT,
        record=JSCC_CHECKPOINT.replace(".pt", ".json"),
    log:
        "results/logs/train/deepjscc.log",
    threads: int(_JSCC_OPTS.get("threads", 1))
    resources:
        mem_mb=8000,
        runtime=240,
        gpu=0 if _JSCC_DEVICE == "cpu" else 1,
    params:
        train=asdict(_JSCC_CFG),
        device=_JSCC_DEVICE,
    script:
        "../scripts/train_jscc.py"
