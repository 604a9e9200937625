"""The paper's figures, named from the config and drawn from the score table only.

Each figure is an entry ``name -> (wanted(config), draw(df, stem, ci))``; the
plot rule declares ``<name>.png`` and ``<name>.pdf`` for every name
:func:`figure_names` returns. Adding a figure is one function plus one entry.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from semcom_core.fsutil import atomic_path
from semcom_pipeline.plots import metric_label, plot_metric_grid, save_figure
from semcom_pipeline.transforms import unit_of

__all__ = ["FIGURES", "draw_figures", "example_table", "figure_names"]

METRIC_ORDER = ["seess", "psnr", "ssim", "ms_ssim", "lpips_score", "lpips", "vitscore", "clipscore"]
BPP_LABEL = "achieved bits per pixel (bpp, whole file)"


def _ordered(metrics: Sequence[str]) -> list[str]:
    known = [m for m in METRIC_ORDER if m in metrics]
    return known + sorted(m for m in metrics if m not in METRIC_ORDER)


def _select(
    df: pd.DataFrame, experiment: str, systems: Sequence[str] | None = None
) -> pd.DataFrame:
    d = df[df["experiment"] == experiment]
    return d[d["system"].isin(systems)] if systems is not None else d


def _a_codecs(cfg: dict[str, Any]) -> list[str]:
    a = cfg["experiments"]["A"]
    return a["codecs"] if a["enabled"] else []


def _learned_vs_jpeg(cfg: dict[str, Any]) -> list[str]:
    return [c for c in _a_codecs(cfg) if c != "jpeg2000"]


def _fig07(df, stem, ci, cfg):
    metrics = [m for m in ("seess", "psnr", "ssim") if m in set(df["metric"])]
    return plot_metric_grid(
        _select(df, "A", ["jpeg2000"]),
        x="achieved_bpp",
        xlabel=BPP_LABEL,
        stem=stem,
        title="Fig. 7: JPEG2000, SeSS / PSNR / SSIM vs bpp",
        metrics=metrics,
        ci=ci,
    )


def _fig08(df, stem, ci, cfg, logx=False):
    d = _select(df, "A", _learned_vs_jpeg(cfg))
    n = "9" if logx else "8"
    return plot_metric_grid(
        d,
        x="achieved_bpp",
        xlabel=BPP_LABEL + (", log scale" if logx else ""),
        stem=stem,
        title=f"Fig. {n}: JPEG vs learned codec, all metrics vs bpp",
        metrics=_ordered(d["metric"].unique()),
        ci=ci,
        logx=logx,
    )


def _snr_label(d: pd.DataFrame) -> str:
    defs = sorted(d["snr_def"].dropna().unique())
    if len(defs) > 1:
        raise ValueError(f"scores mix SNR definitions {defs}; one figure must use one")
    return f"channel SNR, {defs[0] if defs else 'Es/N0'} (dB)"


def _fig_snr(df, stem, ci, cfg, metrics_subset=None, number="10"):
    d = _select(df, "B")
    metrics = _ordered(d["metric"].unique())
    if metrics_subset:
        metrics = [m for m in metrics if m in metrics_subset] or metrics
    return plot_metric_grid(
        d,
        x="snr_db",
        xlabel=_snr_label(d),
        stem=stem,
        metrics=metrics,
        ci=ci,
        title=f"Fig. {number}: digital (JPEG2000 + LDPC) vs learned JSCC over AWGN",
    )


def _fig_transform(name):
    def draw(df, stem, ci, cfg):
        d = _select(df, "D", [name])
        unit = unit_of(name)
        return plot_metric_grid(
            d,
            x="strength",
            xlabel=f"{name.replace('_', ' ')} strength" + (f" ({unit})" if unit else ""),
            stem=stem,
            metrics=_ordered(d["metric"].unique()),
            ci=ci,
            title=f"Fig. 17: {name.replace('_', ' ')}, all metrics vs strength",
        )

    return draw


def example_table(df: pd.DataFrame, cfg: dict[str, Any]) -> pd.DataFrame:
    """Fig. 13's table: one image, each transform at its largest strength, one column per metric."""
    d = _select(df, "D")
    image = cfg["experiments"]["D"]["example_image"] or min(d["image"].unique())
    d = d[d["image"] == image]
    rows = []
    for name, grid in cfg["experiments"]["D"]["transforms"].items():
        if not grid:
            continue
        strength = max(grid)
        sel = d[(d["system"] == name) & np.isclose(d["strength"].astype(float), strength)]
        row = {"image": image, "transform": name, "strength": strength}
        row.update({m: float(v) for m, v in zip(sel["metric"], sel["value"])})
        rows.append(row)
    out = pd.DataFrame(rows)
    metrics = _ordered([c for c in out.columns if c not in ("image", "transform", "strength")])
    return out[["image", "transform", "strength", *metrics]]


def _fig13(df, stem, ci, cfg):
    import matplotlib.pyplot as plt

    from semcom_pipeline.plots import _style

    _style()
    table = example_table(df, cfg)
    metrics = [c for c in table.columns if c not in ("image", "transform", "strength")]
    with atomic_path(f"{stem}.csv") as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    cells = [
        [f"{r['transform']} ({r['strength']:g})"]
        + [f"{r[m]:.3f}" if np.isfinite(r[m]) else "inf" for m in metrics]
        for _, r in table.iterrows()
    ]
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(metrics), 0.5 + 0.35 * len(cells)))
    ax.axis("off")
    tab = ax.table(
        cellText=cells, colLabels=["transform"] + [metric_label(m) for m in metrics], loc="center"
    )
    tab.auto_set_font_size(False)
    tab.set_fontsize(8)
    ax.set_title(
        f"Fig. 13: one example ({table['image'].iloc[0] if len(table) else '-'}), largest strengths"
    )
    paths = save_figure(fig, stem)
    plt.close(fig)
    return [*paths, Path(f"{stem}.csv")]


Draw = Callable[[pd.DataFrame, Path, float, dict[str, Any]], list[Path]]


def _transform_wanted(name: str) -> Callable[[dict[str, Any]], bool]:
    def wanted(c: dict[str, Any]) -> bool:
        return c["experiments"]["D"]["enabled"] and bool(
            c["experiments"]["D"]["transforms"].get(name)
        )

    return wanted


def _figures() -> dict[str, tuple[Callable[[dict[str, Any]], bool], Draw]]:
    figs: dict[str, tuple[Callable[[dict[str, Any]], bool], Draw]] = {
        "fig07_jpeg2000_vs_bpp": (lambda c: "jpeg2000" in _a_codecs(c), _fig07),
        "fig08_codecs_vs_bpp": (lambda c: bool(_learned_vs_jpeg(c)), _fig08),
        "fig09_codecs_vs_bpp_log": (
            lambda c: bool(_learned_vs_jpeg(c)),
            lambda df, s, ci, c: _fig08(df, s, ci, c, logx=True),
        ),
        "fig10_systems_vs_snr_seess": (
            lambda c: c["experiments"]["B"]["enabled"],
            lambda df, s, ci, c: _fig_snr(df, s, ci, c, ("seess", "psnr", "ssim"), "10"),
        ),
        "fig11_systems_vs_snr_all": (
            lambda c: c["experiments"]["B"]["enabled"],
            lambda df, s, ci, c: _fig_snr(df, s, ci, c, None, "11"),
        ),
        "fig13_example_table": (lambda c: c["experiments"]["D"]["enabled"], _fig13),
    }
    for name in ("translation", "rotation", "reflection", "scaling", "color_filter"):
        figs[f"fig17_{name}"] = (_transform_wanted(name), _fig_transform(name))
    return figs


FIGURES = _figures()


def figure_names(cfg: dict[str, Any]) -> list[str]:
    """Names of the figures the configured run produces."""
    return [name for name, (wanted, _) in FIGURES.items() if wanted(cfg)]


def draw_figures(
    df: pd.DataFrame,
    outdir: str | os.PathLike,
    ci: float,
    names: Sequence[str],
    cfg: dict[str, Any],
) -> list[Path]:
    out: list[Path] = []
    for name in names:
        out += FIGURES[name][1](df, Path(outdir) / name, ci, cfg)
    return out
