"""Experiments A and D, one shard (grid point) at a time: every original in, every result out."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from semcom_core.imageio import load_rgb, save_png
from semcom_pipeline.grid import bpp_point, strength_point
from semcom_pipeline.records import condition_row, write_json
from semcom_pipeline.transforms import apply_transform

__all__ = ["compress_shard", "transform_shard"]

log = logging.getLogger(__name__)


def compress_shard(
    codec_name: str,
    bpp: str,
    originals: dict[str, str],
    out_dir: str | Path,
    options: dict[str, Any],
) -> None:
    """Encode and decode every original with ``codec_name`` at ``bpp``; write ``<id>.png|json``."""
    from semcom_codecs.registry import build_codec
    from semcom_codecs.safe import safe_decode

    codec = build_codec(codec_name, **options)
    out = Path(out_dir)
    bar = tqdm(sorted(originals), desc=f"{codec_name} {bpp} bpp", unit="image", dynamic_ncols=True)
    for image_id in bar:
        original = load_rgb(originals[image_id])
        encoded = codec.encode(original, float(bpp))
        decoded = safe_decode(codec, encoded.data, original.shape, fallback="black")
        if decoded.decode_failed:  # a clean stream of our own encoder must decode
            raise RuntimeError(
                f"{codec_name} could not decode its own stream of {image_id}: {decoded.reason}"
            )
        assert decoded.image is not None  # a clean decode always carries its image
        row = condition_row(
            experiment="A",
            system=codec_name,
            codec=codec_name,
            condition=bpp_point(float(bpp)),
            target_bpp=encoded.target_bpp,
            achieved_bpp=encoded.achieved_bpp,
            decode_failed=False,
        )
        save_png(out / f"{image_id}.png", decoded.image)
        write_json(
            out / f"{image_id}.json",
            {"row": row, "skip": False, "details": {**encoded.record(), **codec.describe()}},
        )
        log.info("%s: %s", image_id, row)


def transform_shard(
    name: str, strength: str, originals: dict[str, str], out_dir: str | Path
) -> None:
    """Apply transformation ``name`` at ``strength`` to every original; write ``<id>.png|json``."""
    out = Path(out_dir)
    bar = tqdm(sorted(originals), desc=f"{name} {strength}", unit="image", dynamic_ncols=True)
    for image_id in bar:
        image = apply_transform(name, load_rgb(originals[image_id]), float(strength))
        row = condition_row(
            experiment="D",
            system=name,
            condition=strength_point(name, float(strength)),
            transform=name,
            strength=float(strength),
            decode_failed=False,
        )
        save_png(out / f"{image_id}.png", image)
        write_json(out / f"{image_id}.json", {"row": row, "skip": False})
