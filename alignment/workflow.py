"""Helpers of the workflow's optional ``agree`` rule (``workflow/rules/agree.smk``).

Pure functions of the validated config, kept here so the rule file holds rules only.
"""

from __future__ import annotations

from typing import Any

__all__ = ["alignment_metrics", "alignment_targets"]

_FIGURES = ("agreement_table", "distributions")


def alignment_targets(config: dict[str, Any], results: str = "results") -> list[str]:
    """Files of the ``agree`` rule, or none when ``alignment.ratings`` is unset."""
    if not (config.get("alignment") or {}).get("ratings"):
        return []
    out = f"{results}/alignment"
    return [
        f"{out}/agreement.csv",
        f"{out}/metric_scores.csv",
        *[f"{out}/{name}.{ext}" for name in _FIGURES for ext in ("png", "pdf")],
    ]


def alignment_metrics(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The metric entries of ``alignment.metrics`` (default: the top-level ``metrics``)
    as ``{name, label?, options}`` with ``metric_options`` merged in (an entry's own win)."""
    entries = config["alignment"].get("metrics") or config["metrics"]
    out = []
    for entry in entries:
        e: dict[str, Any] = {"name": entry} if isinstance(entry, str) else dict(entry)
        own: dict[str, Any] = dict(e.get("options") or {})
        options = {**config.get("metric_options", {}).get(e["name"], {}), **own}
        out.append({**e, "options": options})
    return out
