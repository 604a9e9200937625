"""Scoring a shard: every configured metric on every (original, received) pair of one condition.

Metrics are built once per call (so once per job) and scored in batches.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

from tqdm.auto import tqdm

from semcom_core.imageio import load_rgb
from semcom_core.models import resolve_device
from semcom_metrics.registry import build_metric
from semcom_pipeline.records import score_row

__all__ = ["ScoringError", "score_pairs"]

log = logging.getLogger(__name__)


class ScoringError(RuntimeError):
    """A metric failed; the message names the metric and the image(s) it failed on."""


def _failure_message(metric, name: str, live, refs, tests, exc: Exception) -> str:
    """Which images ``metric`` fails on, found by scoring the pairs one by one."""
    bad = []
    for (image, original, received), ref, test in zip(live, refs, tests):
        try:
            metric.score_batch([ref], [test])
        except Exception as one:  # noqa: BLE001 - reported, then the job fails
            bad.append(f"image '{image}' ({original} vs {received}): {type(one).__name__}: {one}")
    where = "; ".join(bad) if bad else f"the batch of {len(live)} images (no single image fails)"
    return f"metric '{name}' failed on {where}"


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
    built = {}
    for name in metrics:  # models load once per job, before the first image
        options = dict(metric_options.get(name, {}))
        if name == "seess" and graph_cache:
            options.setdefault("cache_dir", graph_cache)
        built[name] = build_metric(name, device=dev, **options)
    backends = {name: m.describe().get("backend", "") for name, m in built.items()}
    # images in small chunks (one on the CPU, where batching gains nothing), every metric on
    # each chunk: the bar counts images, and memory holds one chunk at a time
    chunk = 16 if str(dev).startswith("cuda") else 1
    rows: list[dict[str, Any]] = []
    with tqdm(total=len(live), desc="score", unit="image", dynamic_ncols=True) as bar:
        for start in range(0, len(live), chunk):
            part = live[start : start + chunk]
            refs = [load_rgb(o) for _, o, _ in part]
            tests = [load_rgb(r) for _, _, r in part]
            values = {}
            for name, m in built.items():
                try:
                    values[name] = m.score_batch(refs, tests)
                except Exception as exc:
                    raise ScoringError(_failure_message(m, name, part, refs, tests, exc)) from exc
            for k, (image, _, _) in enumerate(part):
                for name in metrics:
                    value = values[name][k]
                    if math.isnan(value):  # e.g. ms_ssim with small_images: nan; summaries skip it
                        log.warning("%s is undefined (NaN) for image %s", name, image)
                    rows.append(
                        score_row(
                            row_extra[image],
                            image=image,
                            metric=name,
                            value=value,
                            backend=backends[name],
                        )
                    )
            bar.update(len(part))
    return rows
