"""Scoring a shard: every configured metric on every (original, received) pair of one condition.

Metrics are built once per call (so once per job) and scored in batches.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

from tqdm.auto import tqdm

from seess.imageio import load_rgb
from seess.metrics.registry import build_metric
from seess.models import resolve_device
from semcom_pipeline.records import score_row

__all__ = ["score_pairs"]

log = logging.getLogger(__name__)


def score_pairs(
    pairs: Sequence[tuple[str, str, str]],
    metrics: Sequence[str],
    row_extra: Mapping[str, Mapping[str, Any]],
    device: str = "auto",
    metric_options: Mapping[str, Mapping[str, Any]] | None = None,
    graph_cache: str | None = None,
) -> list[dict[str, Any]]:
    """Score ``(image_id, original_path, received_path)`` pairs with each metric.

    ``row_extra[image_id]`` holds that image's columns from its record
    (:func:`~semcom_pipeline.records.condition_row`: experiment, codec, condition...).
    A pair whose received path is empty (a skipped decode failure) yields no rows.
    Returns tidy rows (:func:`~semcom_pipeline.records.score_row`), one per (image, metric).
    """
    dev = resolve_device(device)
    metric_options = metric_options or {}
    live = [(i, o, r) for i, o, r in pairs if r]
    refs = [load_rgb(o) for _, o, _ in live]
    tests = [load_rgb(r) for _, _, r in live]
    rows: list[dict[str, Any]] = []
    for name in tqdm(metrics, desc="metrics", leave=False):
        options = dict(metric_options.get(name, {}))
        if name == "seess" and graph_cache:
            options.setdefault("cache_dir", graph_cache)
        metric = build_metric(name, device=dev, **options)
        values = metric.score_batch(refs, tests)
        backend = metric.describe().get("backend", "")
        for (image, _, _), value in zip(live, values):
            if math.isnan(value):  # e.g. ms_ssim with small_images: nan; summaries skip it
                log.warning("%s is undefined (NaN) for image %s", name, image)
            rows.append(
                score_row(row_extra[image], image=image, metric=name, value=value, backend=backend)
            )
    return rows
