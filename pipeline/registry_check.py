"""Checks that every codec, metric, link and modulation named in the config exists.

Runs while Snakemake parses the workflow, so a typo is an error naming the key
and the known names before any job starts. Imports no torch: the registries
resolve names without building anything (codec classes are imported to read
their ``kind``; their modules import heavy libraries only on use).
"""

from __future__ import annotations

from typing import Any

__all__ = ["check_metric_options", "check_names"]


def _unknown(key: str, what: str, name: str, known: set[str]) -> str:
    return f"{key}: unknown {what} '{name}'; available: {', '.join(sorted(known))}"


def check_names(cfg: dict[str, Any]) -> None:
    """Raise :class:`ConfigError` listing every unknown name in ``cfg`` (validated by the schema)."""
    from semcom_codecs.registry import available_codecs, get_codec_class
    from semcom_metrics.registry import available_metrics
    from semcom_pipeline.config import ConfigError
    from semcom_pipeline.systems import check_systems

    problems = []
    metrics = set(available_metrics())
    for i, name in enumerate(cfg.get("metrics", [])):
        if name not in metrics:
            problems.append(_unknown(f"metrics[{i}]", "metric", name, metrics))
    for name in cfg.get("metric_options", {}):
        if name not in metrics:
            problems.append(_unknown(f"metric_options.{name}", "metric", name, metrics))
    codecs = set(available_codecs())
    experiments = cfg.get("experiments", {})
    for i, name in enumerate(experiments.get("A", {}).get("codecs", [])):
        if name not in codecs:
            problems.append(_unknown(f"experiments.A.codecs[{i}]", "codec", name, codecs))
    for name in cfg.get("codecs", {}):
        if name not in codecs:
            problems.append(_unknown(f"codecs.{name}", "codec", name, codecs))
    kinds = {name: get_codec_class(name).kind for name in codecs}
    problems += check_systems(experiments.get("B", {}), kinds)
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


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
