"""Metric registry: name -> class, imported lazily so optional models stay optional.

Adding a metric is one class plus one line in ``_METRICS``. Metrics defined outside the
package register themselves with :func:`register_metric` from a module named in the
environment variable ``SEMCOM_PLUGINS`` (comma-separated module names, imported on the first
registry look-up in every process, so Snakemake's main process and its jobs agree); the fault
tests inject a failing metric this way.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from semcom_metrics.base import Metric

__all__ = [
    "PLUGINS_ENV",
    "available_metrics",
    "build_metric",
    "get_metric_class",
    "register_metric",
]

PLUGINS_ENV = "SEMCOM_PLUGINS"

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


_LOADED: set[str] = set()


def _load_plugins() -> None:
    """Import the modules named in ``$SEMCOM_PLUGINS`` (once each)."""
    for module in os.environ.get(PLUGINS_ENV, "").split(","):
        module = module.strip()
        if module and module not in _LOADED:
            _LOADED.add(module)
            try:
                importlib.import_module(module)
            except ImportError as exc:
                raise ImportError(f"{PLUGINS_ENV}: cannot import plugin '{module}': {exc}") from exc


def register_metric(name: str, target: str | type[Metric]) -> None:
    """Register ``target`` (a class or ``"module:Class"``) under ``name`` (a plugin's entry point)."""
    if not isinstance(target, str):
        target = f"{target.__module__}:{target.__name__}"
    if not name or name != name.strip().lower() or ":" not in target:
        raise ValueError(f"register_metric: bad name {name!r} or target {target!r}")
    _METRICS[name] = target


def available_metrics() -> list[str]:
    """Registered metric names, sorted."""
    _load_plugins()
    return sorted(_METRICS)


def get_metric_class(name: str) -> type[Metric]:
    """The class registered under ``name``; unknown names list the valid ones."""
    _load_plugins()
    key = name.strip().lower()
    if key not in _METRICS:
        raise KeyError(f"unknown metric '{name}'; available: {', '.join(available_metrics())}")
    module, cls = _METRICS[key].split(":")
    return getattr(importlib.import_module(module), cls)


def build_metric(name: str, **options: Any) -> Metric:
    """Instantiate the metric ``name`` with its options (``device``, ...)."""
    return get_metric_class(name)(**options)
