"""Figures drawn from ``results/summary.csv`` only, in one style, as PNG and PDF.

:func:`metric_grid` builds one panel per metric (mean and CI band per system)
and returns the figure, so tests can read its labels; :func:`save_figure`
writes it. Labels come from :mod:`semcom_pipeline.labels` (metric metadata).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from semcom_core.figures import save_figure
from semcom_pipeline.labels import metric_label

__all__ = ["metric_grid", "n_text", "save_figure", "style"]

FAILED_LABEL = "every decode failed (fallback image)"


def style() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import seaborn as sns

    sns.set_theme(context="paper", style="whitegrid", palette="colorblind")


def n_text(summary: pd.DataFrame) -> str:
    """``n = 5 images`` (or ``n = 3-5 images``) per point: finite plus infinite values."""
    n = (summary["n"] + summary["n_inf"]).astype(int)
    if n.empty:
        return "n = 0 images"
    lo, hi = int(n.min()), int(n.max())
    return f"n = {lo} images" if lo == hi else f"n = {lo}-{hi} images"


def _backend(sm: pd.DataFrame) -> str:
    vals = sorted({str(v) for v in sm.get("metric_backend", pd.Series(dtype=str)).dropna() if v})
    return ";".join(vals)


def _log_ticks(ax) -> None:
    """Major ticks at 1, 2, 5 x 10^k written as plain numbers; no minor labels (no overlap)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def metric_grid(
    summary: pd.DataFrame,
    *,
    x: str,
    xlabel: str,
    title: str,
    metrics: Sequence[str],
    labels: Mapping[str, str] | None = None,
    subtitle: str = "",
    hue: str = "system",
    logx: bool = False,
    ci: float = 95.0,
):
    """One panel per metric: mean vs ``x`` per ``hue`` with the ``ci`` % band; returns the figure.

    ``summary`` holds rows of :func:`semcom_pipeline.summary.summarize` (one per
    system, condition, metric); ``x`` is one of its columns (``achieved_bpp``,
    ``snr_db``, ``strength``). ``labels`` maps ``hue`` values to legend text.
    Points where every decode failed are drawn as a black cross and named in the legend.
    """
    style()
    import matplotlib.pyplot as plt

    labels = labels or {}
    metrics = [m for m in metrics if m in set(summary["metric"])]
    ncol = min(3, max(1, len(metrics)))
    nrow = max(1, math.ceil(len(metrics) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.3 * nrow), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        sm = summary[summary["metric"] == metric]
        failed_drawn = False
        for key, g in sm.groupby(hue, sort=True):
            g = g.sort_values(x)
            xs = g[x].to_numpy(dtype=float)
            ys = g["mean"].to_numpy(dtype=float)
            finite = np.isfinite(ys) & np.isfinite(xs)
            (line,) = ax.plot(
                xs[finite], ys[finite], marker="o", label=labels.get(str(key), str(key))
            )
            lo, hi = g["ci_low"].to_numpy(dtype=float), g["ci_high"].to_numpy(dtype=float)
            ok = finite & np.isfinite(lo) & np.isfinite(hi)
            if ok.any():
                ax.fill_between(
                    xs[ok], lo[ok], hi[ok], alpha=0.2, color=line.get_color(), linewidth=0
                )
            if "all_decodes_failed" in g:
                bad = finite & g["all_decodes_failed"].fillna(False).to_numpy(dtype=bool)
                if bad.any():
                    ax.plot(
                        xs[bad],
                        ys[bad],
                        linestyle="none",
                        marker="X",
                        markersize=9,
                        color="black",
                        label=None if failed_drawn else FAILED_LABEL,
                    )
                    failed_drawn = True
        ax.set_xlabel(xlabel)
        ax.set_ylabel(metric_label(metric, _backend(sm)))
        if logx:
            ax.set_xscale("log")
            _log_ticks(ax)
        ax.legend(fontsize="small")
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    head = f"{title}\n" + (f"{subtitle}; " if subtitle else "")
    fig.suptitle(f"{head}mean and {ci:g}% CI over {n_text(summary)} per point")
    fig.tight_layout()
    return fig
