"""Experiment D's transformations, weakly tied to semantics (paper section IV-D).

Each is a pure function ``(image uint8 (H, W, 3), strength) -> uint8 (H, W, 3)``
that keeps the image size; strength 0 returns the image unchanged (a copy).

- ``translation``: shift left by N px; the vacated right strip is black.
- ``rotation``: rotate counter-clockwise by N degrees about the centre, same
  size (corners outside the rotated image are black), bilinear.
- ``reflection``: horizontal mirror; strength is 0 (identity) or 1 (mirror).
- ``scaling``: crop N px from every side, resize back (bicubic): a zoom-in.
- ``color_filter``: blend with pure blue, ``(1 - t) * image + t * (0, 0, 255)``, t in [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

__all__ = ["TRANSFORMS", "apply_transform", "check_strength"]


def translation(image: np.ndarray, n: float) -> np.ndarray:
    n = round(n)
    out = np.zeros_like(image)
    if n < image.shape[1]:
        out[:, : image.shape[1] - n] = image[:, n:]
    return out


def rotation(image: np.ndarray, degrees: float) -> np.ndarray:
    if degrees == 0:
        return image.copy()
    return np.asarray(
        Image.fromarray(image).rotate(
            float(degrees), resample=Image.Resampling.BILINEAR, expand=False, fillcolor=(0, 0, 0)
        )
    )


def reflection(image: np.ndarray, strength: float) -> np.ndarray:
    return image[:, ::-1].copy() if strength else image.copy()


def scaling(image: np.ndarray, n: float) -> np.ndarray:
    n = round(n)
    if n == 0:
        return image.copy()
    h, w = image.shape[:2]
    crop = image[n : h - n, n : w - n]
    return np.asarray(Image.fromarray(crop).resize((w, h), Image.Resampling.BICUBIC))


def color_filter(image: np.ndarray, t: float) -> np.ndarray:
    if t == 0:
        return image.copy()
    blue = np.array([0.0, 0.0, 255.0])
    return np.clip(np.rint((1.0 - t) * image.astype(np.float64) + t * blue), 0, 255).astype(
        np.uint8
    )


TRANSFORMS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "translation": translation,
    "rotation": rotation,
    "reflection": reflection,
    "scaling": scaling,
    "color_filter": color_filter,
}

_UNITS = {
    "translation": "px",
    "rotation": "degrees",
    "reflection": "",
    "scaling": "px per side",
    "color_filter": "blend ratio",
}


def check_strength(name: str, strength: float, shape: tuple[int, ...] | None = None) -> None:
    """Raise ValueError when ``strength`` is out of range for ``name`` (and the image shape)."""
    if name not in TRANSFORMS:
        raise ValueError(f"unknown transform '{name}'; available: {', '.join(sorted(TRANSFORMS))}")
    if not np.isfinite(strength) or strength < 0:
        raise ValueError(f"{name}: strength must be a finite number >= 0, got {strength}")
    if name == "color_filter" and strength > 1:
        raise ValueError(f"color_filter: blend ratio must be in [0, 1], got {strength}")
    if name == "reflection" and strength not in (0, 1):
        raise ValueError(f"reflection: strength must be 0 (identity) or 1 (mirror), got {strength}")
    if shape is not None and name == "scaling" and 2 * round(strength) >= min(shape[:2]):
        raise ValueError(
            f"scaling: cropping {strength} px per side leaves nothing of a {shape[1]}x{shape[0]} image"
        )


def unit_of(name: str) -> str:
    return _UNITS[name]


def apply_transform(name: str, image: np.ndarray, strength: float) -> np.ndarray:
    """Apply transformation ``name`` at ``strength`` (validated) to a uint8 RGB image."""
    check_strength(name, strength, image.shape)
    out = TRANSFORMS[name](image, float(strength))
    assert out.shape == image.shape and out.dtype == np.uint8
    return out
