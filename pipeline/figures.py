"""The figures of a run, named from the config, drawn from the score table.

Each figure is a name -> drawing function entry; the plot rule declares
``<name>.png`` and ``<name>.pdf`` for every name :func:`figure_names` returns.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from semcom_pipeline.plots import plot_metric_grid

__all__ = ["figure_names", "draw_figures", "FIGURES"]


def _fig_a(df: pd.DataFrame, stem: Path, ci: float) -> list[Path]:
    d = df[df["experiment"] == "A"]
    return plot_metric_grid(
        d, x="achieved_bpp", xlabel="achieved bits per pixel (bpp)", stem=stem,
        title="Experiment A: metrics vs compression rate", ci=ci,
    )


FIGURES: dict[str, tuple[Callable[[dict[str, Any]], bool], Callable[[pd.DataFrame, Path, float], list[Path]]]] = {
    "A_metrics_vs_bpp": (lambda cfg: cfg["experiments"]["A"]["enabled"], _fig_a),
}


def figure_names(cfg: dict[str, Any]) -> list[str]:
    """Names of the figures the configured run produces."""
    return [name for name, (wanted, _) in FIGURES.items() if wanted(cfg)]


def draw_figures(df: pd.DataFrame, outdir: str | os.PathLike, ci: float, names: Sequence[str]) -> list[Path]:
    out: list[Path] = []
    for name in names:
        out += FIGURES[name][1](df, Path(outdir) / name, ci)
    return out
