"""Choosing the images of a run: the bundled photographs or a seeded sample of a folder (COCO 2017).

The selection is a pure function of the config (source, folder listing, count,
seed), so Snakemake can compute it when it builds the DAG and every run with
the same config picks the same images.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from semcom_core.imageio import IMAGE_SUFFIXES, ImageError, load_rgb, to_rgb_uint8

__all__ = ["BUNDLED", "downscale", "image_id_for", "load_bundled", "load_original", "select_images"]


def _skimage(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from skimage import data

        img = getattr(data, name)()
        return img[0] if isinstance(img, tuple) else img  # stereo_motorcycle -> (left, right, disp)

    return load


def _sklearn(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from sklearn.datasets import load_sample_image

        return load_sample_image(name)

    return load


#: Real photographs shipped inside the scikit-image and scikit-learn wheels.
BUNDLED: dict[str, Callable[[], np.ndarray]] = {
    "astronaut": _skimage("astronaut"),
    "chelsea": _skimage("chelsea"),
    "coffee": _skimage("coffee"),
    "rocket": _skimage("rocket"),
    "motorcycle": _skimage("stereo_motorcycle"),
    "china": _sklearn("china.jpg"),
    "flower": _sklearn("flower.jpg"),
}


def image_id_for(path: Path) -> str:
    """A wildcard-safe image id from a file name (``000000039769.jpg`` -> ``000000039769``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", path.stem)


def _list_folder(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.name.startswith("."):
            continue
        if p.suffix.lower() not in IMAGE_SUFFIXES:
            warnings.warn(f"sample: skipping non-image file {p}", stacklevel=2)
            continue
        key = image_id_for(p)
        if key in found:
            raise ImageError(f"sample: two files map to image id '{key}': {found[key]} and {p}")
        found[key] = p
    return found


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
        pool = {k: str(v) for k, v in _list_folder(folder).items()}
        if not pool:
            raise ImageError(f"sample.folder: no image files in '{folder}'")
    keys = sorted(pool)
    if count < len(keys):
        rng = np.random.default_rng(seed)
        keys = sorted(rng.choice(keys, size=count, replace=False).tolist())
    return {k: pool[k] for k in keys}


def downscale(image: np.ndarray, max_side: int | None) -> np.ndarray:
    """Resize (Lanczos) so the longer side is at most ``max_side``; never upscales."""
    if not max_side or max(image.shape[:2]) <= max_side:
        return image
    from PIL import Image

    h, w = image.shape[:2]
    s = max_side / max(h, w)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return np.asarray(Image.fromarray(image).resize(size, Image.Resampling.LANCZOS))


def load_bundled(name: str) -> np.ndarray:
    if name not in BUNDLED:
        raise ImageError(f"unknown bundled image '{name}'; available: {', '.join(sorted(BUNDLED))}")
    return to_rgb_uint8(BUNDLED[name](), name=f"bundled:{name}")


def load_original(source: str, max_side: int | None) -> np.ndarray:
    """Load one selected image (``bundled:<name>`` or a path) as uint8 RGB, downscaled."""
    img = (
        load_bundled(source.split(":", 1)[1]) if source.startswith("bundled:") else load_rgb(source)
    )
    return downscale(img, max_side)
