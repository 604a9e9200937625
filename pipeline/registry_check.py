"""Checks that every codec and metric named in the config exists in its registry."""

from __future__ import annotations

from typing import Any

__all__ = ["check_metric_options", "check_names"]


def check_names(cfg: dict[str, Any]) -> None:
    from semcom_codecs.registry import available_codecs
    from semcom_metrics.registry import available_metrics
    from semcom_pipeline.config import ConfigError

    metrics = set(available_metrics())
    for i, name in enumerate(cfg.get("metrics", [])):
        if name not in metrics:
            raise ConfigError(
                f"metrics[{i}]: unknown metric '{name}'; available: {', '.join(sorted(metrics))}"
            )
    codecs = set(available_codecs())
    for i, name in enumerate(cfg.get("experiments", {}).get("A", {}).get("codecs", [])):
        if name not in codecs:
            raise ConfigError(
                f"experiments.A.codecs[{i}]: unknown codec '{name}'; available: {', '.join(sorted(codecs))}"
            )
    for name in cfg.get("codecs", {}):
        if name not in codecs:
            raise ConfigError(
                f"codecs.{name}: unknown codec '{name}'; available: {', '.join(sorted(codecs))}"
            )


def check_metric_options(cfg: dict[str, Any]) -> None:
    """Every key of ``metric_options.<metric>`` is an option of that metric's constructor.

    The error names the key path and lists every known option. ``device`` is not an option
    here: the top-level ``device`` key sets it for every metric.
    """
    from semcom_metrics.registry import available_metrics, get_metric_class
    from semcom_pipeline.config import ConfigError

    for name, options in (cfg.get("metric_options") or {}).items():
        if name not in available_metrics():
            raise ConfigError(
                f"metric_options.{name}: unknown metric '{name}'; "
                f"available: {', '.join(available_metrics())}"
            )
        known = [k for k in get_metric_class(name).known_options() if k != "device"]
        for key in options:
            if key not in known:
                raise ConfigError(
                    f"metric_options.{name}.{key}: unknown option '{key}' of metric '{name}'; "
                    f"known options: {', '.join(known)}"
                )
