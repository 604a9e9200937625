"""Agreement figures, drawn from the tidy tables only, as PNG and PDF.

* :func:`plot_agreement_table` -- the agreement table as a figure (metrics x
  measures, value and 95 % CI in each cell);
* :func:`plot_distributions` -- the paper's Fig. 6 style: per metric, the
  distribution of human scores and of metric scores over the judged pairs
  (histogram + KDE), with their means and the mean difference.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from semcom_alignment.agreement import clip_infinite
from semcom_core.figures import save_figure

__all__ = ["plot_agreement_table", "plot_distributions"]

_MEASURE_LABELS = {
    "srcc": "SRCC",
    "plcc": "PLCC",
    "krcc": "KRCC",
    "2afc": "2AFC",
    "human_ceiling": "human ceiling",
}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _cell(row: pd.Series) -> str:
    if not math.isfinite(row["value"]):
        return "n/a"
    text = f"{row['value']:.3f}"
    if math.isfinite(row["ci_low"]) and math.isfinite(row["ci_high"]):
        text += f"\n[{row['ci_low']:.3f}, {row['ci_high']:.3f}]"
    return text


def plot_agreement_table(
    table: pd.DataFrame, stem: str | os.PathLike, title: str = ""
) -> list[Path]:
    """The agreement table (:func:`semcom_alignment.agreement.agreement_table`) as a figure."""
    plt = _pyplot()
    measures = [m for m in _MEASURE_LABELS if m in set(table["measure"])]
    metrics = list(dict.fromkeys(table["metric"]))
    cells = [
        [
            _cell(sel.iloc[0])
            if not (sel := table[(table.metric == m) & (table.measure == k)]).empty
            else ""
            for k in measures
        ]
        for m in metrics
    ]
    fig, ax = plt.subplots(figsize=(1.6 + 1.5 * len(measures), 0.6 + 0.55 * len(metrics)))
    ax.axis("off")
    tab = ax.table(
        cellText=cells,
        rowLabels=metrics,
        colLabels=[_MEASURE_LABELS[k] for k in measures],
        loc="center",
        cellLoc="center",
    )
    tab.auto_set_font_size(False)
    tab.set_fontsize(8)
    tab.scale(1.0, 2.2)
    n = int(table["n_items"].max()) if len(table) else 0
    ax.set_title(title or f"Agreement with human judgments (95 % bootstrap CI, up to {n} items)")
    try:
        return save_figure(fig, stem)
    finally:
        plt.close(fig)


def plot_distributions(
    scores: pd.DataFrame,
    pairs: pd.DataFrame,
    stem: str | os.PathLike,
    value_ranges: dict[str, tuple[float, float]] | None = None,
) -> list[Path]:
    """Fig. 6 style: human vs metric score distributions over the judged pairs.

    ``scores``: ``ref, test, metric, value``; ``pairs``: ``ref, test, human``.
    A metric whose value range is not within [0, 1] (PSNR in dB, say) is
    min-max scaled to [0, 1] over these pairs, and its axis says so. Each panel
    shows both histograms with KDE curves, both means and their difference.
    """
    import seaborn as sns

    plt = _pyplot()
    metrics = list(dict.fromkeys(scores["metric"]))
    ranges = dict(value_ranges or {})
    fig, axes = plt.subplots(
        1, max(1, len(metrics)), figsize=(3.4 * max(1, len(metrics)), 3.0), squeeze=False
    )
    bins = np.linspace(0, 1, 21)
    for ax, metric in zip(axes[0], metrics, strict=False):
        s = scores[scores["metric"] == metric].drop_duplicates(["ref", "test"])
        joined = pairs.merge(s, on=["ref", "test"], how="inner")
        h = joined["human"].to_numpy(np.float64)
        v = clip_infinite(joined["value"].to_numpy(np.float64))
        lo, hi = ranges.get(metric, (0.0, 1.0))
        scaled = ""
        if not (0.0 <= lo and hi <= 1.0) or v.min(initial=0.0) < 0 or v.max(initial=0.0) > 1:
            span = np.ptp(v) or 1.0
            v = (v - v.min()) / span
            scaled = " (min-max scaled)"
        kde = len(h) > 2 and np.ptp(h) > 0 and np.ptp(v) > 0
        sns.histplot(
            h, bins=bins, stat="density", kde=kde, color="C0", alpha=0.4, ax=ax, label="human"
        )
        sns.histplot(
            v, bins=bins, stat="density", kde=kde, color="C1", alpha=0.4, ax=ax, label=metric
        )
        ax.axvline(h.mean(), color="C0", ls="--", lw=1)
        ax.axvline(v.mean(), color="C1", ls="--", lw=1)
        ax.set_title(f"{metric}: mean diff {v.mean() - h.mean():+.3f}", fontsize=9)
        ax.set_xlabel(f"score{scaled}")
        ax.set_ylabel("density")
        ax.set_xlim(0, 1)
        ax.legend(fontsize=7)
    fig.suptitle(f"Human vs metric scores over {len(pairs)} pairs", fontsize=10)
    fig.tight_layout()
    try:
        return save_figure(fig, stem)
    finally:
        plt.close(fig)
