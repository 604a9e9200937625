"""``seess agree``'s work: ratings in, metric values, agreement table and figures out.

:func:`run_agreement` reads the ratings (any format of
:mod:`semcom_alignment.ratings`), scores every judged pair with every metric,
and writes into ``out_dir``:

* ``agreement.csv`` -- tidy: ``metric, measure, value, ci_low, ci_high, n_items, item_kind``
  plus the run's provenance columns (ratings file, format, seed, bootstrap size);
* ``metric_scores.csv`` -- tidy metric values ``ref, test, metric, value``;
* ``human_pairs.csv`` / ``human_triplets.csv`` -- the aggregated human judgments;
* ``agreement_table.{png,pdf}`` and ``distributions.{png,pdf}`` (Fig. 6 style).

The figures are drawn from those tables only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from semcom_alignment.agreement import agreement_table, human_pairs, human_triplets
from semcom_alignment.plots import plot_agreement_table, plot_distributions
from semcom_alignment.ratings import detect_format, read_ratings
from semcom_alignment.scoring import parse_metric_spec, score_pairs
from semcom_core.fsutil import atomic_path

__all__ = ["run_agreement", "write_csv"]


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``df`` as CSV atomically (no index); returns the path."""
    p = Path(path)
    with atomic_path(p) as tmp:
        df.to_csv(tmp, index=False)
    return p


def run_agreement(
    ratings: str | os.PathLike,
    metrics: Sequence[str | Mapping[str, Any]],
    out_dir: str | os.PathLike,
    *,
    format: str = "auto",
    scale: tuple[float, float] = (0.0, 1.0),
    split: str | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    logistic: int = 4,
    device: str = "cpu",
) -> dict[str, Path]:
    """Agreement of ``metrics`` with the human ``ratings``; returns the written files by role.

    Bad input (ratings problems, unknown metric names or options) fails before
    any metric is computed.
    """
    from semcom_metrics.registry import get_metric_class

    specs = [parse_metric_spec(m) for m in metrics]
    if not specs:
        raise ValueError("agree needs at least one metric")
    for s in specs:
        get_metric_class(s.name)  # unknown names fail now, listing the known ones
    if n_boot < 0:
        raise ValueError(f"n_boot must be >= 0, got {n_boot}")
    if logistic not in (4, 5):
        raise ValueError(f"logistic must be 4 or 5, got {logistic}")
    fmt = detect_format(ratings) if format == "auto" else format
    table = read_ratings(ratings, fmt, scale=scale, split=split)
    pairs = human_pairs(table)
    triplets = human_triplets(table)
    wanted = list(zip(pairs["ref"], pairs["test"], strict=True))
    for col in ("test0", "test1"):
        wanted += list(zip(triplets["ref"], triplets[col], strict=True))
    scores, directions = score_pairs(specs, wanted, device=device)
    agree = agreement_table(
        scores, pairs, triplets, directions=directions, n_boot=n_boot, seed=seed, logistic=logistic
    )
    agree = agree.assign(
        ratings=str(ratings), format=fmt, n_boot=n_boot, seed=seed, logistic=logistic
    )
    out = Path(out_dir)
    files = {
        "agreement": write_csv(agree, out / "agreement.csv"),
        "metric_scores": write_csv(scores, out / "metric_scores.csv"),
        "human_pairs": write_csv(pairs, out / "human_pairs.csv"),
        "human_triplets": write_csv(triplets, out / "human_triplets.csv"),
    }
    files["table_png"], files["table_pdf"] = plot_agreement_table(agree, out / "agreement_table")
    if not pairs.empty:
        ranges = {s.label: get_metric_class(s.name).value_range for s in specs}
        files["dist_png"], files["dist_pdf"] = plot_distributions(
            scores, pairs, out / "distributions", ranges
        )
    return files
