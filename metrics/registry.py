"""Metric registry: name -> class, imported lazily so optional models stay optional.

Adding a metric is one class plus one line in ``_METRICS``.
"""

from __future__ import annotations

import importlib
from typing import Any

from semcom_metrics.base import Metric

__all__ = ["available_metrics", "build_metric", "get_metric_class"]

_METRICS: dict[str, str] = {
    "psnr": "semcom_metrics.pixel:PSNR",
    "ssim": "semcom_metrics.ssim:SSIM",
    "ms_ssim": "semcom_metrics.ssim:MSSSIM",
    "lpips": "semcom_metrics.perceptual:LPIPS",
    "lpips_score": "semcom_metrics.perceptual:LpipsScore",
    "vitscore": "semcom_metrics.vitscore:ViTScore",
    "clipscore": "semcom_metrics.clipscore:ClipScore",
    "seess": "semcom_metrics.seess_metric:SeSSMetric",
}


def available_metrics() -> list[str]:
    """Registered metric names, sorted."""
    return sorted(_METRICS)


def get_metric_class(name: str) -> type[Metric]:
    """The class registered under ``name``; unknown names list the valid ones."""
    key = name.strip().lower()
    if key not in _METRICS:
        raise KeyError(f"unknown metric '{name}'; available: {', '.join(available_metrics())}")
    module, cls = _METRICS[key].split(":")
    return getattr(importlib.import_module(module), cls)


def build_metric(name: str, **options: Any) -> Metric:
    """Instantiate the metric ``name`` with its options (``device``, ...)."""
    return get_metric_class(name)(**options)
