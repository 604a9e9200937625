"""PSNR on 8-bit RGB through torchmetrics, with ``data_range=255`` passed explicitly."""

from __future__ import annotations

from typing import Any

import numpy as np

from semcom_core.models import resolve_device
from semcom_metrics._common import batches_by_shape, package_versions, to_tensor_255
from semcom_metrics.base import Metric
from semcom_metrics.tiles import TILE_PIXELS, psnr_banded

__all__ = ["DATA_RANGE", "PSNR", "to_tensor_255"]

DATA_RANGE = 255.0  # L in 10 log10(L^2 / MSE): the peak of 8-bit data


class PSNR(Metric):
    """Peak signal-to-noise ratio ``10 log10(255^2 / MSE)`` in dB.

    The MSE runs over all pixels and all three RGB channels of one pair
    (computed in float64 by ``torchmetrics.functional.image.peak_signal_noise_ratio``
    with ``data_range=255`` and ``dim=(1, 2, 3)``, one value per image).

    Identical images (MSE = 0) give ``+inf``, stored as such per image; the
    summary code excludes infinite values from means and counts them
    (``n_inf``). Constant images are fine: PSNR is finite whenever the two
    images differ.

    Options: ``device`` (``cpu``, ``cuda``, ``auto``), ``batch_size`` (pairs
    per tensor), ``resize`` (see :class:`~semcom_metrics.base.Metric`), ``tile_pixels``:
    a pair larger than this is computed in row bands with an exact int64 sum of squared
    errors (:mod:`semcom_metrics.tiles`), so memory stays bounded on any image size.
    """

    name = "psnr"
    display_name = "PSNR"
    higher_is_better = True
    value_range = (0.0, float("inf"))
    unit = "dB"

    def __init__(
        self,
        *,
        device: str = "cpu",
        resize: bool = False,
        batch_size: int = 32,
        tile_pixels: int = TILE_PIXELS,
        **options: Any,
    ) -> None:
        super().__init__(device=resolve_device(device), resize=resize, **options)
        if int(batch_size) < 1:
            raise ValueError(f"{self.name}: batch_size must be >= 1, got {batch_size}")
        if int(tile_pixels) < 1:
            raise ValueError(f"{self.name}: tile_pixels must be >= 1, got {tile_pixels}")
        self.batch_size = int(batch_size)
        self.tile_pixels = int(tile_pixels)

    def _score_pairs(self, pairs):
        from torchmetrics.functional.image import peak_signal_noise_ratio

        out = [0.0] * len(pairs)
        # a large pair: exact int64 sum of squared errors in row bands, never a float tensor
        large = [i for i, (r, _) in enumerate(pairs) if r.shape[0] * r.shape[1] > self.tile_pixels]
        for i in large:
            out[i] = psnr_banded(*pairs[i], DATA_RANGE, self.tile_pixels)
        whole = [i for i in range(len(pairs)) if i not in set(large)]
        sub = [pairs[i] for i in whole]
        for idx, refs, tests in batches_by_shape(sub, self.batch_size):
            r, t = to_tensor_255(refs, self.device), to_tensor_255(tests, self.device)
            vals = (
                peak_signal_noise_ratio(
                    t, r, data_range=DATA_RANGE, reduction="none", dim=(1, 2, 3)
                )
                .cpu()
                .numpy()
            )
            for k, i in enumerate(idx):
                same = np.array_equal(refs[k], tests[k])
                out[whole[i]] = float("inf") if same else float(vals[k])
        return out

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "library": "torchmetrics",
            "versions": package_versions("torchmetrics", "torch"),
            "data_range": DATA_RANGE,
            "colour": "RGB, MSE over all channels",
        }
