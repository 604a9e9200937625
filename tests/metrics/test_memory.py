"""Bounded memory on large images: PSNR, SSIM and MS-SSIM work in row bands
(semcom_metrics.tiles), with values equal to the whole-image computation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from semcom_metrics.registry import build_metric

PROBE = Path(__file__).with_name("memory_probe.py")
# A 3 MP pair: scored whole, SSIM's grouped convolution alone needs 121 x 3e6 x 4 B = 1.45 GB of
# unfolded windows (18.75 GB for 6000x4000). In bands the extra memory does not grow with the
# image (measured: about 0.4 GB at any size); the bound leaves room for load and allocators.
SIZE = (1500, 2000)
BOUND_MB = 1000


@pytest.mark.parametrize("name", ["psnr", "ssim", "ms_ssim"])
def test_peak_memory_on_a_large_pair_is_bounded(name):
    proc = subprocess.run(
        [sys.executable, str(PROBE), name, *map(str, SIZE)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    images_mb = 2 * SIZE[0] * SIZE[1] * 3 / 2**20
    extra = got["peak_mb"] - got["import_mb"] - images_mb
    assert extra < BOUND_MB, got
    assert np.isfinite(got["value"])


def _pair(bundled_images):
    ref = bundled_images["astronaut"]
    rng = np.random.default_rng(1)
    noise = rng.integers(-20, 21, ref.shape)
    return ref, np.clip(ref.astype(int) + noise, 0, 255).astype(np.uint8)


@pytest.mark.parametrize(
    ("name", "precision", "tol"),
    [
        ("psnr", None, 0.0),
        ("ssim", "float32", 1e-6),
        ("ssim", "float64", 1e-12),
        ("ms_ssim", "float32", 1e-6),
        ("ms_ssim", "float64", 1e-12),
    ],
)
def test_bands_give_the_whole_image_value(bundled_images, name, precision, tol):
    ref, test = _pair(bundled_images)  # 256 px: whole by default, 16-row bands below
    kw = {} if precision is None else {"precision": precision}
    whole = build_metric(name, **kw).score(ref, test)
    banded = build_metric(name, tile_pixels=1024, **kw).score(ref, test)
    assert abs(whole - banded) <= tol, (whole, banded)


def test_identical_large_pair_is_inf_psnr_and_one_ssim():
    img = np.random.default_rng(2).integers(0, 256, (300, 200, 3), dtype=np.uint8)
    assert build_metric("psnr", tile_pixels=1024).score(img, img) == float("inf")
    assert build_metric("ssim", tile_pixels=1024).score(img, img) == pytest.approx(1.0, abs=1e-6)
