"""Training the DeepJSCC autoencoder (:mod:`semcom_codecs.jscc_model`).

:func:`train` is the library entry point (the Snakemake rule ``train_deepjscc``
and ``python -m semcom_codecs.jscc_train`` both call it). Data: the bundled
photographs (``data="bundled"``, CPU-sized) or a folder of images (COCO 2017
on a GPU). Each step draws random crops with flips, one rate ``k`` (complex
symbols per 8x8 block, uniform in ``1..max_symbols``) and one Es/N0 per image
uniform in ``snr_db``; the channel is Sionna's ``AWGN`` block on a seeded generator
(:func:`semcom_core.phy.seeded_awgn`); the loss is the
MSE on [0, 1] pixels.

The checkpoint name carries a hash of the training config
(``deepjscc-<mode>-<hash>.pt``); a JSON beside it records the command, config,
duration, library versions and the losses.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shlex
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TrainConfig", "TrainResult", "checkpoint_name", "config_hash", "main", "train"]


@dataclass
class TrainConfig:
    """Everything that determines a training run (hashed into the checkpoint name).

    data: ``"bundled"`` or a folder of images (searched recursively).
    epochs x steps_per_epoch optimiser steps of ``batch_size`` random ``crop``-pixel crops.
    snr_db: (low, high) Es/N0 range in dB, drawn uniformly per image.
    max_symbols, width, mode: the model (see :class:`~semcom_codecs.jscc_model.DeepJSCC`).
    """

    data: str = "bundled"
    epochs: int = 30
    steps_per_epoch: int = 50
    batch_size: int = 8
    crop: int = 96
    snr_db: tuple[float, float] = (0.0, 20.0)
    seed: int = 0
    max_symbols: int = 8
    width: int = 64
    mode: str = "16qam"
    lr: float = 1e-3

    def __post_init__(self) -> None:
        from semcom_codecs.jscc_spec import DOWN, MODES  # no torch: checked at parse time

        self.snr_db = (float(self.snr_db[0]), float(self.snr_db[1]))
        if self.mode not in MODES:
            raise ValueError(f"train: unknown mode '{self.mode}', expected one of {MODES}")
        if self.crop % DOWN or self.crop < DOWN:
            raise ValueError(f"train: crop must be a positive multiple of {DOWN}, got {self.crop}")
        if self.snr_db[0] > self.snr_db[1]:
            raise ValueError(f"train: snr_db range {self.snr_db} is reversed")
        for name in ("epochs", "steps_per_epoch", "batch_size", "max_symbols", "width"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"train: {name} must be >= 1")


@dataclass
class TrainResult:
    checkpoint: Path
    record: dict[str, Any] = field(default_factory=dict)


def config_hash(cfg: TrainConfig) -> str:
    """First 10 hex digits of the SHA-256 of the config as sorted JSON."""
    blob = json.dumps(asdict(cfg), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:10]


def checkpoint_name(cfg: TrainConfig) -> str:
    return f"deepjscc-{cfg.mode}-{config_hash(cfg)}.pt"


def _load_pool(data: str, crop: int) -> list[np.ndarray] | list[Path]:
    from semcom_core.imageio import scan_images

    if data == "bundled":
        from semcom_core.bundled import BUNDLED, load_bundled

        return [load_bundled(n) for n in BUNDLED]
    folder = Path(data).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"train: data folder '{folder}' not found (or use data='bundled')")
    files = list(scan_images(folder, key=str).values())
    if not files:
        raise FileNotFoundError(f"train: no images under '{folder}'")
    return files


def _crop(img: np.ndarray, crop: int, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    if min(h, w) < crop:  # upscale small images just enough (nearest, no extra deps)
        f = math.ceil(crop / min(h, w))
        img = img.repeat(f, axis=0).repeat(f, axis=1)
        h, w = img.shape[:2]
    y, x = rng.integers(0, h - crop + 1), rng.integers(0, w - crop + 1)
    out = img[y : y + crop, x : x + crop]
    if rng.random() < 0.5:
        out = out[:, ::-1]
    return out


def _batch(pool, n: int, crop: int, rng: np.random.Generator):
    import torch

    from semcom_core.imageio import load_rgb

    picks = rng.integers(0, len(pool), n)
    imgs = []
    for i in picks:
        item = pool[int(i)]
        img = load_rgb(item) if isinstance(item, Path) else item
        imgs.append(_crop(img, crop, rng))
    arr = np.stack(imgs).astype(np.float32) / 255.0
    return torch.from_numpy(arr).permute(0, 3, 1, 2).contiguous()


def _eval_loss(model, batch, snr_db: float, seed: int, device: str) -> float:
    """MSE at the middle SNR and half rate with fixed noise: comparable across steps."""
    import torch

    from semcom_core.phy import esno_db_to_no, seeded_awgn

    k = max(1, model.max_symbols // 2)
    with torch.no_grad():
        z = seeded_awgn(device, seed)(model.encode(batch, k), esno_db_to_no(snr_db))
        y = model.decode(z, k, tuple(batch.shape[-2:]))
        return float(torch.mean((y - batch) ** 2))


def lr_factor(step: int, total: int) -> float:
    """Learning-rate factor: linear warm-up over 5 % of the steps, then cosine decay to 5 %."""
    warm = max(1, total // 20)
    if step < warm:
        return (step + 1) / warm
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))


def _versions() -> dict[str, str]:
    import sionna
    import torch

    return {"torch": torch.__version__, "sionna": sionna.__version__}


def _save_checkpoint(model, cfg: TrainConfig, out: Path) -> None:
    import torch

    from semcom_core.fsutil import atomic_path

    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    with atomic_path(out) as tmp:
        torch.save(
            {
                "format": "deepjscc-v1",
                "model": model.config(),
                "state_dict": state,
                "train_config": asdict(cfg),
            },
            tmp,
        )


def train(
    cfg: TrainConfig,
    out_dir: str | Path,
    *,
    device: str = "auto",
    threads: int | None = None,
    command: str | None = None,
    progress: bool = True,
    checkpoint_path: str | Path | None = None,
) -> TrainResult:
    """Train a DeepJSCC model and write ``<out_dir>/deepjscc-<mode>-<hash>.pt`` plus ``.json``.

    Returns the checkpoint path and the record written to the JSON (config,
    command, seconds, ``eval_loss_initial`` / ``eval_loss_final`` on a fixed
    held-out batch, per-epoch training losses, versions).
    """
    import torch
    from tqdm import tqdm

    from semcom_codecs.jscc_model import DeepJSCC
    from semcom_core.fsutil import atomic_path
    from semcom_core.models import resolve_device
    from semcom_core.phy import seeded_awgn, sionna_device
    from semcom_core.seeds import derive_seed

    dev = resolve_device(device)
    if threads:
        torch.set_num_threads(int(threads))
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    pool = _load_pool(cfg.data, cfg.crop)
    model = DeepJSCC(cfg.max_symbols, cfg.width, cfg.mode).to(dev)
    sdev = sionna_device(dev)  # Sionna names devices 'cpu', 'cuda:N'
    # the training noise: Sionna's AWGN on a private generator (Sionna's global config untouched)
    channel = seeded_awgn(sdev, derive_seed(cfg.seed, "train", "deepjscc", "noise"))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    total = cfg.epochs * cfg.steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, total))
    held_out = _batch(pool, 8, cfg.crop, np.random.default_rng(cfg.seed + 1)).to(dev)
    mid_snr = 0.5 * (cfg.snr_db[0] + cfg.snr_db[1])
    eval_initial = _eval_loss(model, held_out, mid_snr, cfg.seed, sdev)
    epoch_losses: list[float] = []
    t0 = time.time()
    bar = tqdm(total=total, desc="train deepjscc", disable=not progress)
    model.train()
    for _epoch in range(cfg.epochs):
        acc = 0.0
        for _ in range(cfg.steps_per_epoch):
            x = _batch(pool, cfg.batch_size, cfg.crop, rng).to(dev)
            k = int(rng.integers(1, cfg.max_symbols + 1))
            snr = torch.from_numpy(rng.uniform(*cfg.snr_db, size=cfg.batch_size).astype(np.float32))
            y = model(x, k, snr.to(dev), channel=channel)
            loss = torch.mean((y - x) ** 2)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            acc += loss.item()
            bar.update(1)
        epoch_losses.append(acc / cfg.steps_per_epoch)
        bar.set_postfix(loss=f"{epoch_losses[-1]:.5f}")
    bar.close()
    model.eval()
    eval_final = _eval_loss(model, held_out, mid_snr, cfg.seed, sdev)
    seconds = time.time() - t0

    out = Path(checkpoint_path) if checkpoint_path else Path(out_dir) / checkpoint_name(cfg)
    _save_checkpoint(model, cfg, out)
    record = {
        "checkpoint": out.name,
        "config": asdict(cfg),
        "config_hash": config_hash(cfg),
        "command": command or "semcom_codecs.jscc_train.train(...)",
        "device": dev,
        "threads": torch.get_num_threads(),
        "seconds": round(seconds, 1),
        "final_train_loss": epoch_losses[-1],
        "epoch_losses": epoch_losses,
        "eval_loss_initial": eval_initial,
        "eval_loss_final": eval_final,
        "eval_setting": {"snr_db": mid_snr, "k": max(1, cfg.max_symbols // 2), "crops": 8},
        "versions": _versions(),
    }
    with atomic_path(out.with_suffix(".json")) as tmp:
        tmp.write_text(json.dumps(record, indent=2))
    return TrainResult(checkpoint=out, record=record)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Train the DeepJSCC codec.")
    d = TrainConfig()
    p.add_argument("--data", default=d.data, help="'bundled' or a folder of images")
    p.add_argument("--out-dir", default="resources/checkpoints")
    p.add_argument("--checkpoint", default=None, help="explicit output path (default: hashed name)")
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--steps-per-epoch", type=int, default=d.steps_per_epoch)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--crop", type=int, default=d.crop)
    p.add_argument("--snr-db", type=float, nargs=2, default=list(d.snr_db))
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--max-symbols", type=int, default=d.max_symbols)
    p.add_argument("--width", type=int, default=d.width)
    p.add_argument("--mode", default=d.mode)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, default=None)
    a = p.parse_args(argv)
    cfg = TrainConfig(
        data=a.data,
        epochs=a.epochs,
        steps_per_epoch=a.steps_per_epoch,
        batch_size=a.batch_size,
        crop=a.crop,
        snr_db=tuple(a.snr_db),
        seed=a.seed,
        max_symbols=a.max_symbols,
        width=a.width,
        mode=a.mode,
        lr=a.lr,
    )
    cmd = "python -m semcom_codecs.jscc_train " + " ".join(
        shlex.quote(s) for s in (argv if argv is not None else sys.argv[1:])
    )
    res = train(
        cfg,
        a.out_dir,
        device=a.device,
        threads=a.threads,
        command=cmd,
        checkpoint_path=a.checkpoint,
    )
    print(
        json.dumps(
            {
                k: res.record[k]
                for k in (
                    "checkpoint",
                    "seconds",
                    "final_train_loss",
                    "eval_loss_initial",
                    "eval_loss_final",
                )
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
