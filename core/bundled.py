"""The real photographs shipped inside the scikit-image and scikit-learn wheels (no download)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from semcom_core.imageio import ImageError, to_rgb_uint8

__all__ = ["BUNDLED", "load_bundled"]


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


#: Image name -> loader of the photograph as an array.
BUNDLED: dict[str, Callable[[], np.ndarray]] = {
    "astronaut": _skimage("astronaut"),
    "chelsea": _skimage("chelsea"),
    "coffee": _skimage("coffee"),
    "rocket": _skimage("rocket"),
    "motorcycle": _skimage("stereo_motorcycle"),
    "china": _sklearn("china.jpg"),
    "flower": _sklearn("flower.jpg"),
}


def load_bundled(name: str) -> np.ndarray:
    """The bundled photograph ``name`` as ``(H, W, 3)`` uint8 RGB; unknown names list the valid ones."""
    if name not in BUNDLED:
        raise ImageError(f"unknown bundled image '{name}'; available: {', '.join(sorted(BUNDLED))}")
    return to_rgb_uint8(BUNDLED[name](), name=f"bundled:{name}")
