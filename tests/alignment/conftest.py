"""A small ratings fixture on the bundled photographs: scores made from PSNR."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from semcom_core.bundled import load_bundled
from semcom_core.imageio import resize_longer_side

NAMES = ("astronaut", "chelsea", "coffee")


def _distortions(img: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    f = img.astype(np.float64)
    out = (
        {f"noise{s}": f + rng.normal(0, s, f.shape) for s in (4, 12, 30)}
        | {f"blur{s}": ndimage.gaussian_filter(f, (s, s, 0)) for s in (1.0, 2.5)}
        | {f"bright{d}": f + d for d in (12, 40)}
    )
    return {k: np.clip(np.rint(v), 0, 255).astype(np.uint8) for k, v in out.items()}


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / mse))


@pytest.fixture(scope="session")
def psnr_ratings(tmp_path_factory) -> Path:
    """Folder with ``img/*.png`` and ``ratings.csv`` (3 raters) whose scores follow PSNR.

    human = logistic((PSNR - 25) / 5) + N(0, 0.01) per rater, on a 1..5 scale.
    """
    root = tmp_path_factory.mktemp("psnr_ratings")
    (root / "img").mkdir()
    rng = np.random.default_rng(0)
    lines = ["ref,test,score,rater"]
    for name in NAMES:
        ref = resize_longer_side(load_bundled(name), 264)[:176, :176]  # MS-SSIM needs 176 px
        Image.fromarray(ref).save(root / "img" / f"{name}.png")
        for kind, test in _distortions(ref, rng).items():
            Image.fromarray(test).save(root / "img" / f"{name}_{kind}.png")
            base = 1.0 / (1.0 + np.exp(-(psnr(ref, test) - 25.0) / 5.0))
            for rater in ("r1", "r2", "r3"):
                s = float(np.clip(base + rng.normal(0, 0.01), 0, 1))
                lines.append(f"img/{name}.png,img/{name}_{kind}.png,{1 + 4 * s:.5f},{rater}")
    (root / "ratings.csv").write_text("\n".join(lines) + "\n")
    return root
