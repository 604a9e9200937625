"""Figures drawn from ``results/scores.csv`` only, in one style, as PNG and PDF."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from semcom_core.fsutil import atomic_path
from semcom_pipeline.summary import summarize

__all__ = ["metric_label", "plot_metric_grid", "save_figure"]

_LABELS = {
    "psnr": "PSNR (dB)",
    "ssim": "SSIM",
    "ms_ssim": "MS-SSIM",
    "lpips": "LPIPS distance",
    "lpips_score": "LpipsScore (1 - LPIPS)",
    "vitscore": "ViTScore",
    "clipscore": "ClipScore",
    "seess": "SeSS",
}


def metric_label(name: str) -> str:
    return _LABELS.get(name, name)


def _style():
    import matplotlib

    matplotlib.use("Agg")
    import seaborn as sns

    sns.set_theme(context="paper", style="whitegrid", palette="colorblind")


def save_figure(fig, stem: str | os.PathLike) -> list[Path]:
    """Save ``fig`` as ``stem.png`` (150 dpi) and ``stem.pdf``, atomically."""
    out = []
    for ext in ("png", "pdf"):
        path = Path(f"{stem}.{ext}")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=ext, dpi=150, bbox_inches="tight")
        out.append(path)
    return out


def plot_metric_grid(
    df: pd.DataFrame,
    *,
    x: str,
    xlabel: str,
    stem: str | os.PathLike,
    title: str,
    metrics: Sequence[str] | None = None,
    hue: str = "system",
    logx: bool = False,
    ci: float = 95.0,
) -> list[Path]:
    """One panel per metric: mean value vs ``x`` per ``hue``, with a ``ci`` % band.

    ``x`` is a column of the summary (``achieved_bpp``, ``snr_db``, ``strength``):
    each condition is placed at the mean of that column over its images.
    """
    _style()
    import matplotlib.pyplot as plt

    summ = summarize(df, ci)
    metrics = list(metrics or sorted(summ["metric"].unique()))
    ncol = min(3, max(1, len(metrics)))
    nrow = math.ceil(len(metrics) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.3 * nrow), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        sm = summ[summ["metric"] == metric]
        for label, g in sm.groupby(hue, sort=True):
            g = g.sort_values(x)
            finite = np.isfinite(g["mean"].to_numpy(dtype=float))
            xs, ys = g[x].to_numpy(dtype=float)[finite], g["mean"].to_numpy(dtype=float)[finite]
            (line,) = ax.plot(xs, ys, marker="o", label=str(label))
            lo, hi = (
                g["ci_low"].to_numpy(dtype=float)[finite],
                g["ci_high"].to_numpy(dtype=float)[finite],
            )
            ok = np.isfinite(lo) & np.isfinite(hi)
            if ok.any():
                ax.fill_between(
                    xs[ok], lo[ok], hi[ok], alpha=0.2, color=line.get_color(), linewidth=0
                )
        ax.set_xlabel(xlabel)
        ax.set_ylabel(metric_label(metric))
        if logx:
            ax.set_xscale("log")
        ax.legend(fontsize="small")
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    fig.suptitle(f"{title} (mean and {ci:g}% CI over images)")
    fig.tight_layout()
    paths = save_figure(fig, stem)
    plt.close(fig)
    return paths
