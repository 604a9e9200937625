"""Experiment C's figures: Fig. 12 (every metric vs noise level) and Fig. 16 (one image's variations).

Both read the tidy score table; Fig. 16 also shows the example image's original
and generated PNGs. Same style as :mod:`semcom_pipeline.figures` (PNG + PDF).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from semcom_core.imageio import load_rgb
from semcom_pipeline.experiment_c import FIGURES_C
from semcom_pipeline.grid import noise_point
from semcom_pipeline.labels import metric_label
from semcom_pipeline.plots import metric_grid, save_figure, style
from semcom_pipeline.summary import summarize

__all__ = ["draw_fig12", "draw_fig16", "draw_figures_c", "fig16_metrics", "per_image_means"]

NOISE_LABEL = "noise level added to the CLIP image embedding"


def per_image_means(df: pd.DataFrame) -> pd.DataFrame:
    """Experiment C rows with the variations of each (image, noise level, metric) averaged.

    ``condition`` becomes ``noise=<level>``, so a summary gives the mean and CI over images.
    """
    d = df[df["experiment"] == "C"]
    keys = ["experiment", "system", "image", "strength", "metric"]
    out = d.groupby(keys, as_index=False, dropna=False)["value"].mean()
    out["condition"] = [f"noise={int(s)}" for s in out["strength"]]
    for col in ("codec", "metric_backend", "decode_failed"):
        out[col] = d.groupby(keys, dropna=False)[col].first().to_numpy()
    return out


def draw_fig12(
    df: pd.DataFrame,
    stem: str | os.PathLike,
    ci: float,
    metrics: Sequence[str] | None = None,
) -> list[Path]:
    """Fig. 12: every metric vs noise level (mean over variations per image, then over images).

    ``metrics`` gives the panel order (the config's); by default the table's order.
    """
    d = per_image_means(df)
    fig = metric_grid(
        summarize(d, ci),
        x="strength",
        xlabel=NOISE_LABEL,
        title="Fig. 12: Stable unCLIP regeneration, all metrics vs noise level",
        metrics=list(metrics) if metrics else list(dict.fromkeys(d["metric"])),
        ci=ci,
    )
    return save_figure(fig, stem)


def fig16_metrics(configured: Sequence[str]) -> list[str]:
    """SeSS and ClipScore where configured; other configured metrics (config order) fill up to three."""
    wanted = [m for m in ("seess", "clipscore") if m in configured]
    rest = [m for m in configured if m not in wanted]
    return wanted + rest[: max(0, 3 - len(wanted))]


def _generated_path(paths: Sequence[str | os.PathLike], noise: int, variation: int) -> Path:
    want = noise_point(noise, variation)
    for p in paths:
        if Path(p).parent.name == want:
            return Path(p)
    raise FileNotFoundError(f"no generated image for {want} among {len(paths)} inputs")


def draw_fig16(
    df: pd.DataFrame,
    stem: str | os.PathLike,
    image: str,
    original: str | os.PathLike,
    generated: Sequence[str | os.PathLike],
    metrics: Sequence[str],
) -> list[Path]:
    """Fig. 16: the original of ``image`` and each variation at each noise level, with scores.

    ``generated`` holds ``.../noise=<level>,v=<k>/<image>.png`` paths; the values
    printed under each panel come from ``df`` (the score table).
    """
    style()
    import matplotlib.pyplot as plt

    d = df[(df["experiment"] == "C") & (df["image"] == image)]
    if d.empty:
        raise ValueError(f"the score table has no Experiment C rows for image '{image}'")
    noises = sorted({int(s) for s in d["strength"]})
    variations = sorted({int(c.rsplit("v=", 1)[1]) for c in d["condition"]})
    shown = [m for m in metrics if m in set(d["metric"])]
    ncol, nrow = 1 + len(noises), len(variations)
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(2.1 * ncol, 2.1 * nrow + 0.25 * len(shown)), squeeze=False
    )
    axes[0, 0].imshow(load_rgb(original))
    axes[0, 0].set_title("original", fontsize=8)
    for r, k in enumerate(variations):
        for c, noise in enumerate(noises, start=1):
            ax = axes[r, c]
            ax.imshow(load_rgb(_generated_path(generated, noise, k)))
            sel = d[(d["strength"] == noise) & (d["condition"] == noise_point(noise, k))]
            vals = dict(zip(sel["metric"], sel["value"]))
            lines = [f"noise={noise}" + (f", v{k}" if nrow > 1 else "")]
            lines += [f"{metric_label(m)} {vals[m]:.3f}" for m in shown if m in vals]
            ax.set_title("\n".join(lines), fontsize=7)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        if not ax.images:
            ax.axis("off")
    fig.suptitle(f"Fig. 16: Stable unCLIP variations of '{image}' at increasing noise levels")
    fig.tight_layout()
    paths = save_figure(fig, stem)
    plt.close(fig)
    return paths


def draw_figures_c(
    df: pd.DataFrame,
    outdir: str | os.PathLike,
    ci: float,
    image: str,
    original: str | os.PathLike,
    generated: Sequence[str | os.PathLike],
    cfg: dict[str, Any],
) -> list[Path]:
    """Both figures of :data:`FIGURES_C` into ``outdir``."""
    out = Path(outdir)
    fig12, fig16 = FIGURES_C
    paths = draw_fig12(df, out / fig12, ci, cfg["metrics"])
    paths += draw_fig16(df, out / fig16, image, original, generated, fig16_metrics(cfg["metrics"]))
    return paths
