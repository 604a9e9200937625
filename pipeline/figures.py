"""The paper's figures, named from the config and drawn from ``summary.csv`` only.

Each figure is an entry ``name -> (wanted(config), build(data) -> Figure)``; the
plot rule declares ``<name>.png`` and ``<name>.pdf`` for every name
:func:`figure_names` returns. Adding a figure is one function plus one entry.
Metric order is the config's ``metrics`` order; labels come from the metrics'
and codecs' own metadata (:mod:`semcom_pipeline.labels`). Fig. 13's table is
its own output (:func:`example_table`, rule ``example_table``); the figure only
renders it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from semcom_pipeline.labels import codec_display, metric_label, system_labels
from semcom_pipeline.plots import metric_grid, save_figure, style
from semcom_pipeline.systems import b_systems
from semcom_pipeline.transforms import unit_of

__all__ = ["FIGURES", "FigureData", "draw_figures", "example_table", "figure_names"]

BPP_LABEL = "achieved bits per pixel (bpp, whole file)"
TABLE_FIGURE = "fig13_example_table"


@dataclass
class FigureData:
    """What figures read: the summary, the Fig. 13 table (when D runs), the config."""

    summary: pd.DataFrame
    cfg: dict[str, Any]
    ci: float = 95.0
    table: pd.DataFrame | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.labels:
            self.labels = system_labels(self.cfg)

    def select(self, experiment: str, systems: Sequence[str] | None = None) -> pd.DataFrame:
        d = self.summary[self.summary["experiment"] == experiment]
        return d[d["system"].isin(systems)] if systems is not None else d

    def backend(self, metric: str) -> str:
        """The backend(s) recorded for ``metric`` (``sess-lite``), for labels."""
        rows = self.summary[self.summary["metric"] == metric]
        vals = rows["metric_backend"].dropna() if "metric_backend" in rows else []
        return ";".join(sorted({str(v) for v in vals if str(v)}))

    def metrics(self, d: pd.DataFrame, subset: Sequence[str] | None = None) -> list[str]:
        """The config's metrics present in ``d``, in config order (then any others)."""
        present = list(dict.fromkeys(d["metric"]))
        order = [m for m in self.cfg.get("metrics", []) if m in present]
        order += sorted(m for m in present if m not in order)
        if not subset:
            return order
        return [m for m in order if m in subset] or order


def _a_codecs(cfg: dict[str, Any]) -> list[str]:
    a = cfg["experiments"]["A"]
    return a["codecs"] if a["enabled"] else []


def _learned_vs_jpeg(cfg: dict[str, Any]) -> list[str]:
    return [c for c in _a_codecs(cfg) if c != "jpeg2000"]


def _fig07(data: FigureData):
    d = data.select("A", ["jpeg2000"])
    return metric_grid(
        d,
        x="achieved_bpp",
        xlabel=BPP_LABEL,
        title=f"Fig. 7: {codec_display('jpeg2000')}, quality vs bpp",
        metrics=data.metrics(d, ("seess", "psnr", "ssim")),
        labels=data.labels,
        ci=data.ci,
    )


def _fig08(data: FigureData, logx: bool = False):
    codecs = _learned_vs_jpeg(data.cfg)
    d = data.select("A", codecs)
    n = "9" if logx else "8"
    return metric_grid(
        d,
        x="achieved_bpp",
        xlabel=BPP_LABEL + (", log scale" if logx else ""),
        title=f"Fig. {n}: {' vs '.join(codec_display(c) for c in codecs)}, all metrics vs bpp",
        metrics=data.metrics(d),
        labels=data.labels,
        ci=data.ci,
        logx=logx,
    )


def _snr_label(d: pd.DataFrame) -> str:
    defs = sorted(d["snr_def"].dropna().unique())
    if len(defs) > 1:
        raise ValueError(f"scores mix SNR definitions {defs}; one figure must use one")
    return f"channel SNR, {defs[0] if defs else 'Es/N0'} (dB)"


def channel_budget(cfg: dict[str, Any]) -> str:
    """``0.25 channel uses per pixel; LDPC code rate 0.5`` for the configured B systems."""
    b = cfg["experiments"]["B"]
    text = f"{b['channel_uses_per_pixel']:g} channel uses per pixel"
    rates = sorted({s.code_rate for s in b_systems(b).values() if s.link == "ldpc"})
    if rates:
        text += "; LDPC code rate " + ", ".join(f"{r:g}" for r in rates)
    return text


def _fig_snr(data: FigureData, subset: Sequence[str] | None, number: str):
    d = data.select("B")
    return metric_grid(
        d,
        x="snr_db",
        xlabel=_snr_label(d),
        title=f"Fig. {number}: Experiment B systems over AWGN",
        subtitle=channel_budget(data.cfg),
        metrics=data.metrics(d, subset),
        labels=data.labels,
        ci=data.ci,
    )


def _fig_transform(name: str) -> Callable[[FigureData], Any]:
    def build(data: FigureData):
        d = data.select("D", [name])
        unit = unit_of(name)
        return metric_grid(
            d,
            x="strength",
            xlabel=f"{name.replace('_', ' ')} strength" + (f" ({unit})" if unit else ""),
            title=f"Fig. 17: {name.replace('_', ' ')}, all metrics vs strength",
            metrics=data.metrics(d),
            labels=data.labels,
            ci=data.ci,
        )

    return build


def example_table(scores: pd.DataFrame, cfg: dict[str, Any]) -> pd.DataFrame:
    """Fig. 13's table: one image, each transform at its largest strength, one column per metric."""
    d = scores[scores["experiment"] == "D"]
    image = cfg["experiments"]["D"]["example_image"] or min(d["image"].astype(str).unique())
    d = d[d["image"].astype(str) == str(image)]
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
    present = [c for c in out.columns if c not in ("image", "transform", "strength")]
    metrics = [m for m in cfg.get("metrics", []) if m in present]
    metrics += sorted(m for m in present if m not in metrics)
    return out[["image", "transform", "strength", *metrics]]


def _fig13(data: FigureData):
    import matplotlib.pyplot as plt

    if data.table is None:
        raise ValueError(f"{TABLE_FIGURE}: the example table (rule example_table) was not given")
    style()
    table = data.table
    metrics = [c for c in table.columns if c not in ("image", "transform", "strength")]
    cells = [
        [f"{r['transform']} ({r['strength']:g})"]
        + [f"{r[m]:.3f}" if np.isfinite(r[m]) else "inf" for m in metrics]
        for _, r in table.iterrows()
    ]
    fig, ax = plt.subplots(figsize=(1.6 + 1.5 * len(metrics), 0.5 + 0.35 * len(cells)))
    ax.axis("off")
    tab = ax.table(
        cellText=cells,
        colLabels=["transform"] + [metric_label(m, data.backend(m)) for m in metrics],
        loc="center",
    )
    tab.auto_set_font_size(False)
    tab.set_fontsize(8)
    image = table["image"].iloc[0] if len(table) else "-"
    ax.set_title(f"Fig. 13: one example ({image}), largest strengths")
    return fig


Build = Callable[[FigureData], Any]


def _transform_wanted(name: str) -> Callable[[dict[str, Any]], bool]:
    def wanted(c: dict[str, Any]) -> bool:
        return c["experiments"]["D"]["enabled"] and bool(
            c["experiments"]["D"]["transforms"].get(name)
        )

    return wanted


def _figures() -> dict[str, tuple[Callable[[dict[str, Any]], bool], Build]]:
    figs: dict[str, tuple[Callable[[dict[str, Any]], bool], Build]] = {
        "fig07_jpeg2000_vs_bpp": (lambda c: "jpeg2000" in _a_codecs(c), _fig07),
        "fig08_codecs_vs_bpp": (lambda c: bool(_learned_vs_jpeg(c)), _fig08),
        "fig09_codecs_vs_bpp_log": (
            lambda c: bool(_learned_vs_jpeg(c)),
            lambda data: _fig08(data, logx=True),
        ),
        "fig10_systems_vs_snr_seess": (
            lambda c: c["experiments"]["B"]["enabled"],
            lambda data: _fig_snr(data, ("seess", "psnr", "ssim"), "10"),
        ),
        "fig11_systems_vs_snr_all": (
            lambda c: c["experiments"]["B"]["enabled"],
            lambda data: _fig_snr(data, None, "11"),
        ),
        TABLE_FIGURE: (lambda c: c["experiments"]["D"]["enabled"], _fig13),
    }
    for name in ("translation", "rotation", "reflection", "scaling", "color_filter"):
        figs[f"fig17_{name}"] = (_transform_wanted(name), _fig_transform(name))
    return figs


FIGURES = _figures()


def figure_names(cfg: dict[str, Any]) -> list[str]:
    """Names of the figures the configured run produces."""
    return [name for name, (wanted, _) in FIGURES.items() if wanted(cfg)]


def draw_figures(data: FigureData, outdir: str | os.PathLike, names: Sequence[str]) -> list[Path]:
    """Build and save each named figure as ``<outdir>/<name>.png`` and ``.pdf``."""
    out: list[Path] = []
    for name in names:
        out += save_figure(FIGURES[name][1](data), Path(outdir) / name)
    return out
