"""Choosing the images of a run: the bundled photographs or a seeded sample of a folder (COCO 2017).

The selection is a pure function of the config (source, folder listing, count,
seed), so Snakemake can compute it when it builds the DAG and every run with
the same config picks the same images.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from semcom_core.bundled import BUNDLED, load_bundled
from semcom_core.imageio import ImageError, load_rgb, resize_longer_side, scan_images

__all__ = ["image_id_for", "load_original", "select_images"]


def image_id_for(path: Path) -> str:
    """A wildcard-safe image id from a file name (``000000039769.jpg`` -> ``000000039769``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", path.stem)


def select_images(sample: dict[str, Any], seed: int) -> dict[str, str]:
    """Image id -> source (``bundled:<name>`` or a file path), chosen deterministically by ``seed``.

    With ``count`` below the number available, a seeded choice without
    replacement; the result is sorted by id.
    """
    count = int(sample.get("count", 7))
    if sample["source"] == "bundled":
        pool = {k: f"bundled:{k}" for k in BUNDLED}
    else:
        folder = Path(sample["folder"]).expanduser()
        if not folder.is_dir():
            raise ImageError(f"sample.folder: directory '{folder}' does not exist")
        files = scan_images(folder, key=image_id_for, warn_skipped=True)
        pool = {k: str(v) for k, v in files.items()}
        if not pool:
            raise ImageError(f"sample.folder: no image files in '{folder}'")
    keys = sorted(pool)
    if count < len(keys):
        rng = np.random.default_rng(seed)
        keys = sorted(rng.choice(keys, size=count, replace=False).tolist())
    return {k: pool[k] for k in keys}


def load_original(source: str, max_side: int | None) -> np.ndarray:
    """Load one selected image (``bundled:<name>`` or a path) as uint8 RGB, downscaled."""
    img = (
        load_bundled(source.split(":", 1)[1]) if source.startswith("bundled:") else load_rgb(source)
    )
    return resize_longer_side(img, max_side)
