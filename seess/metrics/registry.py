"""Metric registry: name -> class, imported lazily so optional models stay optional.

Adding a metric is one class plus one line in ``_METRICS``.
"""

from __future__ import annotations

import importlib
from typing import Any

from seess.metrics.base import Metric

__all__ = ["available_metrics", "build_metric", "get_metric_class", "register_metric"]

_METRICS: dict[str, str] = {
    "psnr": "seess.metrics.pixel:PSNR",
    "ssim": "seess.metrics.ssim:SSIM",
    "ms_ssim": "seess.metrics.ssim:MSSSIM",
    "lpips": "seess.metrics.perceptual:LPIPS",
    "lpips_score": "seess.metrics.perceptual:LpipsScore",
    "vitscore": "seess.metrics.vitscore:ViTScore",
    "clipscore": "seess.metrics.clipscore:ClipScore",
    "seess": "seess.metrics.seess_metric:SeSSMetric",
}


def available_metrics() -> list[str]:
    """Registered metric names, sorted."""
    return sorted(_METRICS)


def register_metric(name: str, target: str | type[Metric]) -> None:
    """Register a metric class (or ``"module:Class"``) under ``name``, e.g. from a plugin module."""
    _METRICS[name] = target if isinstance(target, str) else f"{target.__module__}:{target.__name__}"


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
