"""Pixel metrics on 8-bit RGB through torchmetrics (``data_range=255`` explicitly)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from seess.metrics.base import Metric

__all__ = ["PSNR", "to_tensor_255"]


def to_tensor_255(images: Sequence[np.ndarray], device: str = "cpu"):
    """Stack uint8 ``(H, W, 3)`` images into a float64 ``(N, 3, H, W)`` tensor in [0, 255]."""
    import torch

    arr = np.stack(images).astype(np.float64)
    return torch.from_numpy(arr).permute(0, 3, 1, 2).contiguous().to(device)


class PSNR(Metric):
    """Peak signal-to-noise ratio, ``10 log10(255^2 / MSE)`` over all pixels and channels, in dB.

    Identical images give ``+inf`` (stored as such per image; aggregates
    document how they treat it).
    """

    name = "psnr"
    higher_is_better = True
    value_range = (0.0, float("inf"))
    unit = "dB"

    def _score_pairs(self, pairs):
        from torchmetrics.functional.image import peak_signal_noise_ratio

        out = []
        for ref, test in pairs:
            r, t = to_tensor_255([ref]), to_tensor_255([test])
            if np.array_equal(ref, test):
                out.append(float("inf"))
                continue
            out.append(float(peak_signal_noise_ratio(t, r, data_range=255.0)))
        return out
