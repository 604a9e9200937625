"""A small finished-run tree (results/ layout) built from the bundled photographs."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from semcom_core.bundled import load_bundled
from semcom_core.imageio import resize_longer_side

NAMES = ("astronaut", "chelsea", "coffee")


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


#: condition folder -> how its candidate is made from the original
CONDITIONS = {
    "A/jpeg/bpp0.1": lambda im: _jpeg(im, 3),
    "A/jpeg/bpp0.5": lambda im: _jpeg(im, 30),
    "B/deepjscc/snr0": lambda im: im.filter(ImageFilter.GaussianBlur(3)),
    "D/rotation/s30": lambda im: im.rotate(30, fillcolor=(0, 0, 0)),
    "D/reflection/s1": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
}


def make_run(root: Path, names=NAMES, max_side: int = 160) -> Path:
    """``root/results`` with originals/ and one candidate per condition and image."""
    results = root / "results"
    for name in names:
        arr = resize_longer_side(load_bundled(name), max_side)
        im = Image.fromarray(np.ascontiguousarray(arr))
        (results / "originals").mkdir(parents=True, exist_ok=True)
        im.save(results / "originals" / f"{name}.png")
        for cond, make in CONDITIONS.items():
            (results / cond).mkdir(parents=True, exist_ok=True)
            make(im).save(results / cond / f"{name}.png")
    # what a run also holds and a study must ignore
    (results / "figures").mkdir()
    Image.new("RGB", (8, 8)).save(results / "figures" / "astronaut.png")
    (results / "A" / "scores").mkdir(parents=True)
    (results / "A" / "jpeg" / "bpp0.1" / "astronaut.json").write_text("{}")
    return results


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory) -> Path:
    """A finished run's results/ folder (tests must not modify it); larger images when the
    browser test also saves the docs' screenshot (``SEMCOM_ANNOTATE_SCREENSHOT``)."""
    side = 320 if os.environ.get("SEMCOM_ANNOTATE_SCREENSHOT") else 160
    return make_run(tmp_path_factory.mktemp("run"), max_side=side)


@pytest.fixture
def new_study(run_dir, tmp_path):
    """Factory: ``new_study(*init_args)`` creates a study from ``run_dir`` and returns its path."""
    from semcom_annotate.cli import main

    counter = iter(range(100))

    def make(*args: str) -> Path:
        study = tmp_path / f"study{next(counter)}"
        assert main(["init", str(study), "--from-run", str(run_dir), *args]) == 0
        return study

    return make
