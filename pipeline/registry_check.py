"""Checks that every codec and metric named in the config exists in its registry."""

from __future__ import annotations

from typing import Any

__all__ = ["check_names"]


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
