"""SSIM and MS-SSIM (Wang et al.) on 8-bit RGB, built on torchmetrics.

Both use a Gaussian window of 11 px with sigma 1.5, ``K1 = 0.01``,
``K2 = 0.03`` and ``data_range = 255`` (explicit). Channels are scored
separately and averaged.

Where we differ from a plain ``torchmetrics`` call, and why: torchmetrics pads
each image by reflection and averages the SSIM map over the padded border too.
Wang et al.'s reference code (and scikit-image) average only where the
11 px window fits inside the image. We take torchmetrics' SSIM map
(``return_full_image=True``) and its contrast-structure means (which it
already computes on the valid region) and average the SSIM map over the valid
region, so values agree with scikit-image's ``structural_similarity`` to
float precision.

Memory: a pair larger than ``tile_pixels`` (default 2**19 px) is computed in overlapping
row bands (:mod:`semcom_metrics.tiles`), never as a whole-image tensor: the extra memory stays
about 0.4 GB whatever the size (a 6000x4000 pair took 18.75 GB whole). Values equal the
whole-image computation to float rounding.

Precision: ``precision="float32"`` (default) filters in float32, which agrees
with a float64 reference to about 2e-5 on 8-bit photos; ``"float64"`` is
exact to ~1e-12 but PyTorch's float64 grouped convolution is slow on CPU
(seconds per 256x256 pair; fine on a GPU).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

import numpy as np

from semcom_core.models import resolve_device
from semcom_metrics._common import (
    batches_by_shape,
    package_versions,
    require_min_side,
    to_tensor_255,
)
from semcom_metrics.base import Metric
from semcom_metrics.tiles import TILE_PIXELS, pool2_banded, ssim_banded

__all__ = ["MSSSIM", "MS_SSIM_WEIGHTS", "SSIM", "ms_ssim_min_side", "ssim_components"]

DATA_RANGE = 255.0
KERNEL_SIZE = 11
SIGMA = 1.5
# Wang, Simoncelli, Bovik (2003), Table 1: exponents of scales 1 (finest) .. 5.
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
_SMALL_POLICIES = ("raise", "nan")
_PRECISIONS = ("float32", "float64")
# Default pairs per tensor. On the 2-core CPU box, 16 pairs of 256 px: SSIM 12.5 ms/pair
# one pair at a time against 23-30 ms/pair in batches of 2..16 (MS-SSIM 18.8 against
# 24-36 ms); on a GPU stacking pairs keeps the device busy.
DEFAULT_BATCH = {"cpu": 1, "cuda": 16}


class _TorchmetricsSSIMArgs(TypedDict):
    """The fixed keyword arguments of the torchmetrics SSIM calls."""

    gaussian_kernel: bool
    sigma: float
    kernel_size: int
    data_range: float
    reduction: Literal["elementwise_mean", "sum", "none"] | None


def ms_ssim_min_side(levels: int = len(MS_SSIM_WEIGHTS), kernel_size: int = KERNEL_SIZE) -> int:
    """Smallest shorter side (px) for which every scale holds one whole window.

    Each of the ``levels - 1`` downsamplings halves the size (floor), so the
    coarsest scale has ``floor(n / 2**(levels-1))`` px, which must be at least
    ``kernel_size``: 176 px for 5 scales and an 11 px window.
    """
    return kernel_size * 2 ** (levels - 1)


def ssim_components(ref, test, *, with_ssim: bool = True, with_cs: bool = True):
    """SSIM and contrast-structure means of batched images, averaged on the valid region.

    Parameters
    ----------
    ref, test: ``(N, C, H, W)`` float tensors with values in [0, 255], H and W >= 11.
    with_ssim, with_cs: which of the two to compute (the other is returned as None).

    Returns
    -------
    ``(ssim, cs)``: two ``(N,)`` tensors, the mean over channels and valid
    pixels of the SSIM map ``l * c * s`` and of ``c * s``.
    """
    from torchmetrics.functional.image import structural_similarity_index_measure as tm_ssim

    kw: _TorchmetricsSSIMArgs = {
        "gaussian_kernel": True,
        "sigma": SIGMA,
        "kernel_size": KERNEL_SIZE,
        "data_range": DATA_RANGE,
        "reduction": "none",
    }
    # torchmetrics takes (preds, target): the test image is the prediction.
    cs = tm_ssim(test, ref, return_contrast_sensitivity=True, **kw)[1] if with_cs else None
    if not with_ssim:
        return None, cs
    _, full = tm_ssim(test, ref, return_full_image=True, **kw)
    p = (KERNEL_SIZE - 1) // 2
    valid = full[..., p:-p, p:-p]
    return valid.reshape(valid.shape[0], -1).mean(-1), cs


class _WangBase(Metric):
    higher_is_better = True

    def __init__(
        self,
        *,
        device: str = "cpu",
        resize: bool = False,
        batch_size: int | None = None,
        precision: str = "float32",
        tile_pixels: int = TILE_PIXELS,
        **options: Any,
    ) -> None:
        super().__init__(device=resolve_device(device), resize=resize, **options)
        if int(tile_pixels) < 1024:
            raise ValueError(f"{self.name}: tile_pixels must be >= 1024, got {tile_pixels}")
        self.tile_pixels = int(tile_pixels)
        if batch_size is None:
            batch_size = DEFAULT_BATCH[self.device.split(":")[0]]
        if int(batch_size) < 1:
            raise ValueError(f"{self.name}: batch_size must be >= 1, got {batch_size}")
        if precision not in _PRECISIONS:
            raise ValueError(
                f"{self.name}: precision must be one of {_PRECISIONS}, got {precision!r}"
            )
        self.batch_size = int(batch_size)
        self.precision = precision

    @property
    def _dtype(self):
        import torch

        return torch.float64 if self.precision == "float64" else torch.float32

    def _tensors(self, refs, tests):
        dtype = self._dtype
        return (to_tensor_255(refs, self.device, dtype), to_tensor_255(tests, self.device, dtype))

    def _split(self, pairs, keep=None) -> tuple[list[int], list[int]]:
        """Indices of pairs scored whole (batched) and of large ones scored in bands."""
        idx = range(len(pairs)) if keep is None else keep
        large = [i for i in idx if pairs[i][0].shape[0] * pairs[i][0].shape[1] > self.tile_pixels]
        return [i for i in idx if i not in set(large)], large

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "library": "torchmetrics",
            "versions": package_versions("torchmetrics", "torch"),
            "data_range": DATA_RANGE,
            "window": f"gaussian {KERNEL_SIZE}px sigma {SIGMA}",
            "average": "valid region (window inside the image), channels averaged",
            "precision": self.precision,
            "tile_pixels": self.tile_pixels,
        }


class SSIM(_WangBase):
    """Structural similarity (Wang et al. 2004), mean over valid pixels and RGB channels.

    Value in [-1, 1] (1 for identical images). Needs both sides >= 11 px.
    Constant images are defined (the constants C1, C2 keep the ratio finite).
    """

    name = "ssim"
    display_name = "SSIM"
    value_range = (-1.0, 1.0)

    def _score_pairs(self, pairs):
        for ref, _ in pairs:
            require_min_side(ref, KERNEL_SIZE, self.name, f"SSIM uses an {KERNEL_SIZE} px window")
        out = [0.0] * len(pairs)
        whole, large = self._split(pairs)
        sub = [pairs[i] for i in whole]
        for idx, refs, tests in batches_by_shape(sub, self.batch_size):
            r, t = self._tensors(refs, tests)
            ssim, _ = ssim_components(r, t, with_cs=False)
            for k, i in enumerate(idx):
                out[whole[i]] = float(ssim[k])
        for i in large:  # bounded memory: row bands (semcom_metrics.tiles)
            ref, test = pairs[i]
            value, _ = ssim_banded(
                ref,
                test,
                kernel_size=KERNEL_SIZE,
                dtype=self._dtype,
                device=self.device,
                tile_pixels=self.tile_pixels,
                with_cs=False,
            )
            out[i] = float(value)  # type: ignore[arg-type]
        return out


class MSSSIM(_WangBase):
    """Multi-scale SSIM (Wang, Simoncelli, Bovik 2003), 5 scales.

    ``MS-SSIM = SSIM_5 ** b5 * prod_{j=1..4} cs_j ** b_j`` with the weights
    ``MS_SSIM_WEIGHTS``; between scales both images are 2x2 average-pooled
    (odd sizes floor). Negative ``cs`` / SSIM terms are clipped to 0 before
    the fractional powers (torchmetrics' ``normalize="relu"``), so the value
    is in [0, 1] and never NaN.

    Small images: 5 scales need a shorter side of at least 176 px
    (:func:`ms_ssim_min_side`). With ``small_images="raise"`` (default) such a
    pair is an :class:`~semcom_core.imageio.ImageError` naming the size, raised
    before any pair is scored; ``small_images="nan"`` stores NaN for it
    instead (summaries skip non-finite values). Images are never stretched.
    """

    name = "ms_ssim"
    display_name = "MS-SSIM"
    value_range = (0.0, 1.0)

    def __init__(self, *, small_images: str = "raise", **kw: Any) -> None:
        super().__init__(**kw)
        if small_images not in _SMALL_POLICIES:
            raise ValueError(
                f"{self.name}: small_images must be one of {_SMALL_POLICIES}, got {small_images!r}"
            )
        self.small_images = small_images

    def _score_pairs(self, pairs):
        import torch
        import torch.nn.functional as F

        need = ms_ssim_min_side()
        why = f"{len(MS_SSIM_WEIGHTS)} scales with an {KERNEL_SIZE} px window"
        small = [min(r.shape[:2]) < need for r, _ in pairs]
        if self.small_images == "raise":
            for (ref, _), s in zip(pairs, small):
                if s:
                    require_min_side(ref, need, self.name, why + "; images are never stretched")
        out = [float("nan")] * len(pairs)
        keep, large = self._split(pairs, [i for i, s in enumerate(small) if not s])
        sub = [pairs[i] for i in keep]
        betas = torch.tensor(MS_SSIM_WEIGHTS, dtype=torch.float64, device=self.device)
        # products and powers in float64 whatever the filtering precision
        for idx, refs, tests in batches_by_shape(sub, self.batch_size):
            r, t = self._tensors(refs, tests)
            terms = []
            for level in range(len(MS_SSIM_WEIGHTS)):
                last = level == len(MS_SSIM_WEIGHTS) - 1
                ssim, cs = ssim_components(r, t, with_ssim=last, with_cs=not last)
                terms.append(torch.relu(ssim if last else cs).double())
                if not last:
                    r, t = F.avg_pool2d(r, 2), F.avg_pool2d(t, 2)
            vals = torch.prod(torch.stack(terms, dim=1) ** betas, dim=1).cpu().numpy()
            for k, i in enumerate(idx):
                out[keep[i]] = float(np.float64(vals[k]))
        for i in large:  # bounded memory: row bands (semcom_metrics.tiles)
            out[i] = self._banded(*pairs[i])
        return out

    def _banded(self, ref: np.ndarray, test: np.ndarray) -> float:
        """MS-SSIM of one large pair, every scale and every pooling in row bands."""
        kw = {"dtype": self._dtype, "device": self.device, "tile_pixels": self.tile_pixels}
        terms = []
        r, t = ref, test
        for level in range(len(MS_SSIM_WEIGHTS)):
            last = level == len(MS_SSIM_WEIGHTS) - 1
            ssim, cs = ssim_banded(
                r, t, kernel_size=KERNEL_SIZE, with_ssim=last, with_cs=not last, **kw
            )
            terms.append(max(float(ssim if last else cs), 0.0))  # type: ignore[arg-type]
            if not last:
                r, t = pool2_banded(r, **kw), pool2_banded(t, **kw)
        betas = np.asarray(MS_SSIM_WEIGHTS, dtype=np.float64)
        return float(np.prod(np.asarray(terms, dtype=np.float64) ** betas))

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "scales": len(MS_SSIM_WEIGHTS),
            "weights": list(MS_SSIM_WEIGHTS),
            "min_side_px": ms_ssim_min_side(),
            "small_images": self.small_images,
        }
