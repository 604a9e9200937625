"""Metric values of the judged pairs: metric specs, one model load, each image read once.

A metric spec is a registry name with options and a label, written on the
command line as ``name``, ``name:key=value,key=value`` or
``label=name:key=value`` (``seess-off=seess:preset=official,backend=sess-lite``),
or in config as a mapping ``{name: seess, label: seess-off, options: {...}}``.
Values are parsed as YAML scalars (``true``, ``3``, ``0.5``, text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["MetricSpec", "parse_metric_spec", "score_pairs"]


@dataclass(frozen=True)
class MetricSpec:
    """A metric to evaluate: registry ``name``, constructor ``options``, result ``label``."""

    label: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)


def parse_metric_spec(spec: str | Mapping[str, Any]) -> MetricSpec:
    """A :class:`MetricSpec` from the command-line string or config mapping forms."""
    import yaml

    if isinstance(spec, Mapping):
        unknown = sorted(set(spec) - {"name", "label", "options"})
        if unknown or "name" not in spec:
            raise ValueError(
                f"metric entry {dict(spec)} needs 'name' (and optional label, options)"
            )
        name = str(spec["name"])
        return MetricSpec(str(spec.get("label") or name), name, dict(spec.get("options") or {}))
    text = str(spec).strip()
    label = None
    head, _, rest = text.partition(":")
    if "=" in head:
        label, _, head = head.partition("=")
    name = head.strip()
    if not name:
        raise ValueError(f"metric spec {spec!r} has no metric name")
    options: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        if not eq or not key.strip():
            raise ValueError(f"metric spec {spec!r}: option {part!r} is not key=value")
        options[key.strip()] = yaml.safe_load(value)
    return MetricSpec((label or name).strip(), name, options)


def score_pairs(
    specs: Sequence[MetricSpec],
    pairs: Sequence[tuple[str, str]],
    *,
    device: str = "cpu",
) -> tuple[pd.DataFrame, dict[str, bool]]:
    """Every metric on every ``(ref, test)`` path pair.

    Each metric is built once (:func:`semcom_metrics.registry.build_metric`;
    ``resize=True`` unless the spec says otherwise, since judged images may
    differ in size); each image file is read once. Returns the tidy table
    ``ref, test, metric, value`` (``metric`` = the spec's label) and
    label -> ``higher_is_better``.
    """
    from tqdm.auto import tqdm

    from semcom_core.imageio import load_rgb
    from semcom_metrics.registry import build_metric

    labels = [s.label for s in specs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"metric labels must be unique, got {labels}")
    pairs = list(dict.fromkeys((str(r), str(t)) for r, t in pairs))
    images: dict[str, Any] = {}

    def image(path: str) -> Any:
        if path not in images:
            images[path] = load_rgb(path)
        return images[path]

    refs = [image(r) for r, _ in tqdm(pairs, desc="reading images", unit="pair", leave=False)]
    tests = [image(t) for _, t in pairs]
    rows = []
    directions = {}
    for spec in tqdm(specs, desc="metrics", unit="metric"):
        metric = build_metric(spec.name, device=device, **{"resize": True, **spec.options})
        directions[spec.label] = bool(metric.higher_is_better)
        # one batch call: SeSS builds each distinct image's graph once within it
        values = metric.score_batch(refs, tests)
        rows += [(r, t, spec.label, float(v)) for (r, t), v in zip(pairs, values, strict=True)]
    return pd.DataFrame(rows, columns=["ref", "test", "metric", "value"]), directions
