"""Which pretrained weights a configured run needs, whether they are present, and fetching them."""

from __future__ import annotations

import os
from typing import Any

from semcom_core.weights import Requirement
from semcom_metrics.registry import build_metric

__all__ = ["MissingWeightsConfigError", "check_weights", "missing_weights", "requirements_for"]


class MissingWeightsConfigError(RuntimeError):
    """The configured run needs weights that are not on this machine."""


def requirements_for(config: dict[str, Any]) -> list[Requirement]:
    """Every weight file the configured metrics need (deduplicated by location)."""
    os.environ.setdefault("SEESS_WEIGHTS", config.get("weights_dir", "resources/weights"))
    found: dict[str, Requirement] = {}
    for name in config.get("metrics", []):
        options = dict(config.get("metric_options", {}).get(name, {}))
        metric = build_metric(name, device="cpu", **options)
        for req in metric.required_weights():
            found.setdefault(req.location, req)
    c = config.get("experiments", {}).get("C", {})
    if c.get("enabled"):  # Experiment C's unCLIP pipeline
        from semcom_generation.settings import DEFAULT_MODEL
        from semcom_generation.weights import unclip_requirement

        req = unclip_requirement(c.get("model") or DEFAULT_MODEL)
        found.setdefault(req.location, req)
    return list(found.values())


def missing_weights(config: dict[str, Any]) -> list[Requirement]:
    return [r for r in requirements_for(config) if not r.is_present()]


def describe_missing(missing: list[Requirement]) -> str:
    lines = [
        f"  - {r.name}: expected at {r.location} (from {r.source}; config key `{r.config_key}`)"
        for r in missing
    ]
    return (
        "pretrained weights needed by this configuration are missing:\n"
        + "\n".join(lines)
        + "\nRun `semcom fetch-weights --config <your config>` on a machine with internet access "
        "(it downloads into the weights folder and checks checksums), then copy that folder here."
    )


def check_weights(config: dict[str, Any]) -> None:
    """Raise :class:`MissingWeightsConfigError` listing every missing weight file."""
    missing = missing_weights(config)
    if missing:
        raise MissingWeightsConfigError(describe_missing(missing))
