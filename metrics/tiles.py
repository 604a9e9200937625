"""Bounded-memory pixel metrics on large images: row bands instead of whole-image tensors.

A 6000x4000 photo as one float tensor is 288 MB per image, and torchmetrics' SSIM holds about
fifteen such tensors at once (padded inputs, their five products, five filtered maps, the SSIM
map): ~19 GB. Here a large pair is never converted whole:

- PSNR: the sum of squared differences is accumulated band by band in int64 (exact), then
  torchmetrics' own formula gives the dB value: equal to the whole-image computation.
- SSIM / MS-SSIM: the image is cut into bands of rows that overlap by the window's margin
  (``kernel_size - 1`` rows); each band's SSIM (or contrast-structure) map is computed on its
  *valid* region (window inside the band), which is exactly the part of the whole image's valid
  map those rows cover, and the means are combined weighted by pixel count (in float64).
  Between MS-SSIM scales the 2x2 average pooling runs per band too (band starts are even).

A band holds at most ``tile_pixels`` pixels (default :data:`TILE_PIXELS`, 2**19 = 0.5 MP; CPU
convolutions unfold each 11x11 window, 121 values per pixel, so a band costs ~0.4 GB in float32):
memory beyond the two uint8 images stays bounded whatever the image size.
Results equal the untiled computation to float rounding (tested to 1e-6 in float32).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

__all__ = [
    "TILE_PIXELS",
    "band_rows",
    "pool2_banded",
    "psnr_banded",
    "ssim_banded",
    "sum_squared_error",
]

#: pixels per band (and the size above which a pair is computed in bands)
TILE_PIXELS = 2**19


def band_rows(width: int, tile_pixels: int, minimum: int = 16) -> int:
    """Rows per band so that a band of ``width`` px holds about ``tile_pixels`` pixels."""
    return max(minimum, int(tile_pixels) // max(1, int(width)))


def sum_squared_error(ref: np.ndarray, test: np.ndarray, tile_pixels: int = TILE_PIXELS) -> int:
    """Exact sum over all pixels and channels of ``(ref - test)**2`` for uint8 images."""
    rows = band_rows(ref.shape[1], tile_pixels, minimum=1)
    total = 0
    for y in range(0, ref.shape[0], rows):
        d = (ref[y : y + rows].astype(np.int32) - test[y : y + rows].astype(np.int32)).ravel()
        total += int(np.dot(d.astype(np.int64), d.astype(np.int64)))
    return total


def psnr_banded(
    ref: np.ndarray, test: np.ndarray, data_range: float, tile_pixels: int = TILE_PIXELS
) -> float:
    """PSNR ``10 log10(L^2 / MSE)`` in dB of one uint8 pair (``inf`` for identical images).

    The final formula is torchmetrics' own (``_psnr_compute``, which takes ``log(L)`` in
    float32), so a banded value equals the whole-image one to float64 rounding.
    """
    import torch
    from torchmetrics.functional.image.psnr import _psnr_compute

    sse = sum_squared_error(ref, test, tile_pixels)
    if sse == 0:
        return math.inf
    value = _psnr_compute(
        torch.tensor([float(sse)], dtype=torch.float64),
        torch.tensor([ref.size]),
        torch.tensor(float(data_range)),
        reduction="none",
    )
    return float(value[0])


def _bands(height: int, margin: int, rows: int) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` input rows of each band; bands' valid rows tile ``[margin,
    height - margin)`` exactly, starts are even (so 2x2 pooling can follow the same bands)."""
    rows = max(2, rows - rows % 2)
    valid_end = height - margin
    y = 0
    while y + margin < valid_end:
        stop = min(height, y + rows + 2 * margin)
        yield y, stop
        y += rows


def ssim_banded(
    ref: np.ndarray,
    test: np.ndarray,
    *,
    kernel_size: int,
    dtype,
    device: str,
    tile_pixels: int = TILE_PIXELS,
    with_ssim: bool = True,
    with_cs: bool = True,
) -> tuple[float | None, float | None]:
    """Valid-region means of the SSIM and contrast-structure maps of one pair, in bands.

    ``ref``, ``test``: ``(H, W, 3)`` arrays (uint8, or float for MS-SSIM's coarser scales)
    with values in [0, 255]. Returns ``(ssim, cs)`` as floats (None for what was not asked).
    """
    import torch

    from semcom_metrics.ssim import ssim_components

    margin = (kernel_size - 1) // 2
    h, w = ref.shape[:2]
    rows = band_rows(w, tile_pixels)
    sums = {"ssim": 0.0, "cs": 0.0}
    count = 0
    for start, stop in _bands(h, margin, rows):
        r = _tensor(ref[start:stop], device, dtype, torch)
        t = _tensor(test[start:stop], device, dtype, torch)
        s, c = ssim_components(r, t, with_ssim=with_ssim, with_cs=with_cs)
        n = (stop - start - 2 * margin) * (w - 2 * margin)
        if s is not None:
            sums["ssim"] += float(s[0].double()) * n
        if c is not None:
            sums["cs"] += float(c[0].double()) * n
        count += n
    return (
        sums["ssim"] / count if with_ssim else None,
        sums["cs"] / count if with_cs else None,
    )


def pool2_banded(image: np.ndarray, *, dtype, device: str, tile_pixels: int = TILE_PIXELS):
    """2x2 average pooling (odd sizes floor, as ``avg_pool2d(x, 2)``) of an ``(H, W, 3)`` array,
    band by band; returns a float32/float64 numpy array ``(H // 2, W // 2, 3)``."""
    import torch
    import torch.nn.functional as F

    h, w = image.shape[:2]
    rows = band_rows(w, tile_pixels)
    rows -= rows % 2
    out = []
    for y in range(0, h - h % 2, rows):
        t = _tensor(image[y : min(y + rows, h - h % 2)], device, dtype, torch)
        out.append(F.avg_pool2d(t, 2)[0].permute(1, 2, 0).cpu().numpy())
    return np.concatenate(out, axis=0)


def _tensor(band: np.ndarray, device: str, dtype, torch):
    """``(1, 3, h, w)`` tensor of one band."""
    return (
        torch.from_numpy(np.array(band, copy=True))
        .permute(2, 0, 1)[None]
        .to(device=device, dtype=dtype)
        .contiguous()
    )
