"""Choosing the images of a run: the bundled photographs or a seeded sample of a folder (COCO 2017).

The selection is a pure function of the config (source, folder listing, count,
seed), so Snakemake can compute it when it builds the DAG and every run with
the same config picks the same images.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from semcom_core.bundled import BUNDLED, load_bundled
from semcom_core.imageio import ImageError, load_rgb, resize_longer_side, scan_images

__all__ = [
    "COCO_SPLITS",
    "SampleError",
    "filter_by_annotations",
    "image_folder",
    "image_id_for",
    "load_original",
    "select_images",
]


def image_id_for(path: Path) -> str:
    """A wildcard-safe image id from a file name (``000000039769.jpg`` -> ``000000039769``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", path.stem)


COCO_SPLITS = ("val2017", "train2017", "test2017")


class SampleError(ImageError):
    """The sample cannot be drawn as configured; the message names the key and the problem."""


def image_folder(folder: Path, split: str | None) -> Path:
    """The folder the images are read from: ``folder/split`` when a split is given,
    ``folder/val2017`` for a COCO root, else ``folder`` itself."""
    if split:
        sub = folder / split
        if not sub.is_dir():
            raise SampleError(f"sample.split: folder '{sub}' does not exist")
        return sub
    if (folder / "val2017").is_dir():
        return folder / "val2017"
    return folder


def _annotations_path(sample: dict[str, Any], folder: Path, images: Path) -> Path:
    name = sample.get("annotations")
    if name:
        p = Path(name).expanduser()
        p = p if p.is_absolute() else folder / p
    else:
        p = folder / "annotations" / f"instances_{images.name}.json"
    if not p.is_file():
        raise SampleError(
            f"sample.annotations: '{p}' not found (min_objects / categories need the COCO "
            "instances file, e.g. annotations/instances_val2017.json)"
        )
    return p


def filter_by_annotations(
    pool: dict[str, str], annotations: Path, min_objects: int, categories: list[str]
) -> dict[str, str]:
    """Keep images with at least ``min_objects`` annotated objects and, when ``categories`` is
    not empty, at least one object of one of them (COCO instances JSON, matched by file name)."""
    data = json.loads(annotations.read_text())
    names = {c["id"]: c["name"] for c in data.get("categories", [])}
    unknown = sorted(set(categories) - set(names.values()))
    if unknown:
        raise SampleError(
            f"sample.categories: {unknown} not in {annotations.name} "
            f"(known: {', '.join(sorted(names.values())[:12])}...)"
        )
    file_of = {im["id"]: im["file_name"] for im in data.get("images", [])}
    counts: dict[str, int] = {}
    shown: dict[str, set[str]] = {}
    for ann in data.get("annotations", []):
        f = file_of.get(ann["image_id"])
        if f is None:
            continue
        counts[f] = counts.get(f, 0) + 1
        shown.setdefault(f, set()).add(names.get(ann["category_id"], ""))
    wanted = set(categories)
    keep = {}
    for key, path in pool.items():
        f = Path(path).name
        if counts.get(f, 0) < min_objects:
            continue
        if wanted and not (shown.get(f, set()) & wanted):
            continue
        keep[key] = path
    return keep


def select_images(sample: dict[str, Any], seed: int) -> dict[str, str]:
    """Image id -> source (``bundled:<name>`` or a file path), chosen deterministically by ``seed``.

    With ``count`` below the number available, a seeded choice without
    replacement; the result is sorted by id. A folder is read directly (not
    recursively); a COCO root is read from ``val2017/`` (or ``sample.split``),
    optionally filtered by its annotations (``min_objects``, ``categories``).
    Asking for more images than exist is an error, or with
    ``on_shortfall: warn`` a warning (all images are used).
    """
    count = int(sample.get("count", 7))
    if sample["source"] == "bundled":
        pool = {k: f"bundled:{k}" for k in BUNDLED}
        where = "the bundled set"
    else:
        folder = Path(sample["folder"]).expanduser()
        if not folder.is_dir():
            raise ImageError(f"sample.folder: directory '{folder}' does not exist")
        images = image_folder(folder, sample.get("split"))
        files = scan_images(images, recursive=False, key=image_id_for, warn_skipped=True)
        pool = {k: str(v) for k, v in files.items()}
        if not pool:
            raise ImageError(f"sample.folder: no image files in '{images}'")
        where = f"'{images}'"
        min_objects = int(sample.get("min_objects") or 0)
        categories = list(sample.get("categories") or [])
        if min_objects or categories or sample.get("annotations"):
            ann = _annotations_path(sample, folder, images)
            pool = filter_by_annotations(pool, ann, min_objects, categories)
            where += f" with >= {min_objects} annotated objects" if min_objects else ""
            where += f" showing {' or '.join(categories)}" if categories else ""
    if count > len(pool):
        msg = f"sample.count: {count} images asked for, but only {len(pool)} in {where}"
        if sample.get("on_shortfall", "error") != "warn":
            raise SampleError(f"{msg} (lower count, or set sample.on_shortfall: warn)")
        warnings.warn(f"{msg}; using all {len(pool)}", stacklevel=2)
    if not pool:
        raise SampleError(f"sample: no images left in {where}")
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
