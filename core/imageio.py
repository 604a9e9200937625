"""Reading and writing images as 8-bit RGB arrays, with clear errors.

Every image that enters the toolkit goes through :func:`load_rgb` (files) or
:func:`to_rgb_uint8` (arrays), so grayscale, RGBA, palette and 16-bit inputs are
converted the same way everywhere:

- grayscale (``L``, ``I;16``, ``I``, ``F``) -> replicated to three channels;
- 16-bit / 32-bit integer data -> scaled to 8 bits by ``round(v * 255 / max_of_dtype)``;
- RGBA / LA / palette with transparency -> alpha-composited over white;
- palette / CMYK / YCbCr -> converted to RGB.

Arrays are ``(H, W, 3)`` ``uint8`` in ``[0, 255]``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from semcom_core.fsutil import atomic_path, is_path

__all__ = [
    "IMAGE_SUFFIXES",
    "ImageError",
    "as_rgb",
    "load_rgb",
    "resize_longer_side",
    "save_png",
    "scan_images",
    "to_rgb_uint8",
]

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".gif"}
)


class ImageError(ValueError):
    """An input image that cannot be used; the message names the file and the problem."""


def _scale_to_uint8(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8) * 255
    if np.issubdtype(arr.dtype, np.integer):
        info = np.iinfo(arr.dtype)
        a = arr.astype(np.float64)
        if info.min < 0:
            a = a - info.min
        top = float(info.max) - float(min(info.min, 0))
        return np.clip(np.rint(a * 255.0 / top), 0, 255).astype(np.uint8)
    if np.issubdtype(arr.dtype, np.floating):
        a = np.asarray(arr, dtype=np.float64)
        if not np.all(np.isfinite(a)):
            raise ImageError("image array contains NaN or infinite values")
        if a.min() < 0.0 or a.max() > 1.0:
            raise ImageError(
                "float image arrays must lie in [0, 1]; got range "
                f"[{a.min():.4g}, {a.max():.4g}] (pass uint8 for [0, 255] data)"
            )
        return np.clip(np.rint(a * 255.0), 0, 255).astype(np.uint8)
    raise ImageError(f"unsupported image dtype {arr.dtype}")


def to_rgb_uint8(image: np.ndarray, *, name: str = "image") -> np.ndarray:
    """Return ``image`` as a contiguous ``(H, W, 3)`` uint8 array.

    Accepts ``(H, W)``, ``(H, W, 1)``, ``(H, W, 3)`` and ``(H, W, 4)`` arrays of
    uint8, uint16, other integer types, bool, or float in [0, 1]. Alpha is
    composited over white.
    """
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 2, 3, 4):
        raise ImageError(
            f"{name}: expected an (H, W[, C]) image with 1-4 channels, got shape {arr.shape}"
        )
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ImageError(f"{name}: empty image of shape {arr.shape}")
    arr = _scale_to_uint8(arr)
    c = arr.shape[2]
    if c in (2, 4):
        colour, alpha = arr[:, :, : c - 1], arr[:, :, c - 1 :].astype(np.float64) / 255.0
        blended = colour.astype(np.float64) * alpha + 255.0 * (1.0 - alpha)
        arr = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    if arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    return np.ascontiguousarray(arr)


def _pil_to_array(img: Image.Image) -> np.ndarray:
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return np.asarray(img, dtype=np.uint16)
    if mode == "I":
        a = np.asarray(img, dtype=np.int64)
        # PNG 16-bit greyscale opens as mode "I" with values in [0, 65535].
        return a.clip(0, 65535).astype(np.uint16)
    if mode == "F":
        a = np.asarray(img, dtype=np.float64)
        top = a.max() if a.size and a.max() > 1.0 else 1.0
        return np.clip(a / top, 0.0, 1.0)
    if mode == "P":
        img = img.convert("RGBA") if "transparency" in img.info else img.convert("RGB")
    elif mode in ("1", "CMYK", "YCbCr", "LAB", "HSV"):
        img = img.convert("RGB" if mode != "1" else "L")
    elif mode not in ("L", "LA", "RGB", "RGBA"):
        img = img.convert("RGBA")
    return np.asarray(img)


def load_rgb(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as ``(H, W, 3)`` uint8 RGB.

    Raises :class:`ImageError` naming the file when it is missing, is not an
    image, or is truncated / corrupt.
    """
    p = Path(path)
    if not p.exists():
        raise ImageError(f"{p}: file not found")
    if not p.is_file():
        raise ImageError(f"{p}: not a regular file")
    try:
        with Image.open(p) as img:
            img.load()
            arr = _pil_to_array(img)
    except UnidentifiedImageError as exc:
        raise ImageError(f"{p}: not a readable image file ({exc})") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(f"{p}: corrupt or truncated image ({exc})") from None
    return to_rgb_uint8(arr, name=str(p))


def save_png(path: str | os.PathLike, image: np.ndarray) -> Path:
    """Write ``image`` (converted with :func:`to_rgb_uint8`) as PNG atomically.

    The file appears under its final name only once it is complete, so an
    interrupted run never leaves a partial image behind.
    """
    arr = to_rgb_uint8(image, name=str(path))
    with atomic_path(path) as tmp:
        Image.fromarray(arr, "RGB").save(tmp, format="PNG")
    return Path(path)


def as_rgb(image: object, *, name: str = "image") -> np.ndarray:
    """A path (read with :func:`load_rgb`) or an array (:func:`to_rgb_uint8`) as uint8 RGB."""
    if is_path(image):
        return load_rgb(image)  # type: ignore[arg-type]
    return to_rgb_uint8(np.asarray(image), name=name)


def resize_longer_side(image: np.ndarray, max_side: int | None) -> np.ndarray:
    """``image`` (uint8 ``(H, W, 3)``) shrunk (Lanczos) so ``max(H, W) <= max_side``.

    Never enlarges; ``max_side`` ``None`` or ``0`` returns the image unchanged. The new
    size is ``round(side * max_side / max(H, W))`` (at least 1 pixel) on both sides.
    """
    h, w = image.shape[:2]
    if not max_side or max(h, w) <= max_side:
        return image
    s = max_side / max(h, w)
    nh, nw = max(1, round(h * s)), max(1, round(w * s))
    return np.asarray(Image.fromarray(image).resize((nw, nh), Image.Resampling.LANCZOS))


def scan_images(
    folder: str | os.PathLike,
    *,
    recursive: bool = True,
    key: Callable[[Path], str] = lambda p: p.stem,
    warn_skipped: bool = False,
) -> dict[str, Path]:
    """Image files of ``folder`` (suffix in :data:`IMAGE_SUFFIXES`), ``key(path) -> path``, sorted.

    Hidden files are ignored; other non-image files are skipped (with a warning when
    ``warn_skipped``). Two files with the same key (``a.png`` and ``a.jpg``) are an
    :class:`ImageError` naming both; so is a missing folder. An empty result is returned
    as is, for the caller to judge.
    """
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise ImageError(f"{root}: folder not found")
    found: dict[str, Path] = {}
    for p in sorted(root.rglob("*") if recursive else root.iterdir()):
        if not p.is_file() or p.name.startswith("."):
            continue
        if p.suffix.lower() not in IMAGE_SUFFIXES:
            if warn_skipped:
                warnings.warn(f"skipping non-image file {p}", stacklevel=2)
            continue
        k = key(p)
        if k in found:
            raise ImageError(f"{root}: two images map to the name '{k}': {found[k]} and {p}")
        found[k] = p
    return found
