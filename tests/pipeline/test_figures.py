"""Figures read summary.csv and the metrics' metadata (issue 15, finding 6), one test each."""

from __future__ import annotations

import copy
import itertools
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from semcom_pipeline.config import validate_config
from semcom_pipeline.figures import FIGURES, FigureData, example_table
from semcom_pipeline.grid import bpp_point, snr_point
from semcom_pipeline.plots import FAILED_LABEL
from semcom_pipeline.records import condition_row, score_row
from semcom_pipeline.summary import summarize

from ..conftest import ROOT

CFG = validate_config(yaml.safe_load((ROOT / "config.yaml").read_text()))
IMAGES = ["000000000139", "000000000632", "000000000724"]
BACKEND = {"seess": "sess-lite", "psnr": "torchmetrics", "ssim": "torchmetrics"}


def _scores() -> pd.DataFrame:
    """Rows as the shards write them: A at three bpp, B at four SNRs (0 dB: every decode fails)."""
    rng = np.random.default_rng(0)
    rows = []

    def add(record, base):
        for i, image in enumerate(IMAGES):
            for metric in ("seess", "psnr", "ssim"):
                scale = 40.0 if metric == "psnr" else 1.0
                value = scale * min(1.0, base + 0.01 * i + 0.001 * rng.random())
                rows.append(
                    score_row(
                        record, image=image, metric=metric, value=value, backend=BACKEND[metric]
                    )
                )

    for codec in ("jpeg", "deepjscc"):
        for bpp in (0.05, 0.2, 1.0):
            rec = condition_row(
                experiment="A",
                system=codec,
                codec=codec,
                condition=bpp_point(bpp),
                target_bpp=bpp,
                achieved_bpp=bpp * 0.97,
                decode_failed=False,
            )
            add(rec, 0.3 + 0.5 * bpp)
    for system in CFG["experiments"]["B"]["systems"]:
        for snr in (0, 5, 10, 15):
            rec = condition_row(
                experiment="B",
                system=system,
                codec=system.split("+")[0].split("-")[0],
                condition=snr_point(snr),
                snr_db=float(snr),
                snr_def="Es/N0",
                decode_failed=snr == 0 and "ldpc" in system,
            )
            add(rec, 0.2 + 0.04 * snr)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def data() -> FigureData:
    return FigureData(summary=summarize(_scores()), cfg=CFG)


def _build(name, data):
    return FIGURES[name][1](data)


def _ylabels(fig):
    return [ax.get_ylabel() for ax in fig.axes if ax.get_visible()]


def test_seess_axis_names_its_backend_and_units_come_from_the_metric(data):
    fig = _build("fig10_systems_vs_snr_seess", data)
    labels = _ylabels(fig)
    assert labels == ["SeSS [sess-lite]", "PSNR (dB)", "SSIM"]


def test_n_is_shown(data):
    fig = _build("fig08_codecs_vs_bpp", data)
    assert "n = 3 images per point" in fig._suptitle.get_text()


def test_snr_figures_state_channel_uses_and_code_rate(data):
    for name in ("fig10_systems_vs_snr_seess", "fig11_systems_vs_snr_all"):
        title = _build(name, data)._suptitle.get_text()
        assert "0.25 channel uses per pixel; LDPC code rate 0.5" in title


def test_points_where_every_decode_failed_are_marked(data):
    fig = _build("fig11_systems_vs_snr_all", data)
    ax = fig.axes[0]
    crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "X"]
    assert crosses and crosses[0].get_label() == FAILED_LABEL
    xs = sorted({float(x) for ln in crosses for x in ln.get_xdata()})
    assert xs == [0.0]  # only the 0 dB points of the digital systems
    assert sum(len(ln.get_xdata()) for ln in crosses) == 2  # two ldpc systems
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend.count(FAILED_LABEL) == 1


def _with_a(codecs):
    cfg = copy.deepcopy(CFG)
    cfg["experiments"]["A"]["codecs"] = codecs
    return cfg


def test_codec_figures_are_titled_with_the_actual_codecs(data):
    fig = _build(
        "fig08_codecs_vs_bpp", FigureData(summary=data.summary, cfg=_with_a(["jpeg", "deepjscc"]))
    )
    assert "Fig. 8: JPEG vs DeepJSCC" in fig._suptitle.get_text()
    fig = _build(
        "fig08_codecs_vs_bpp",
        FigureData(summary=data.summary, cfg=_with_a(["jpeg2000", "deepjscc"])),
    )
    assert "Fig. 8: DeepJSCC," in fig._suptitle.get_text()


def test_log_ticks_do_not_overlap(data):
    fig = _build("fig09_codecs_vs_bpp_log", data)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        lo, hi = ax.get_xlim()
        boxes = [
            t.get_window_extent(renderer)
            for t, v in zip(ax.get_xticklabels(), ax.get_xticks())
            if t.get_text() and lo <= v <= hi
        ]
        boxes += [
            t.get_window_extent(renderer)
            for t, v in zip(ax.get_xticklabels(minor=True), ax.get_xticks(minor=True))
            if t.get_text() and lo <= v <= hi
        ]
        assert len(boxes) >= 3
        boxes.sort(key=lambda b: b.x0)
        for a, b in itertools.pairwise(boxes):
            assert a.x1 <= b.x0, (a, b)
        texts = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert not any("times" in t or "^" in t for t in texts), texts


def test_legends_show_display_names_not_ids(data):
    fig = _build("fig11_systems_vs_snr_all", data)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "JPEG2000 + LDPC rate 0.5, adaptive" in legend
    assert "DeepJSCC + qam16 symbols" in legend
    assert not any(t in CFG["experiments"]["B"]["systems"] for t in legend)


def test_summary_sorts_conditions_numerically(data):
    b = data.summary[(data.summary["experiment"] == "B") & (data.summary["metric"] == "psnr")]
    for _, g in b.groupby("system", sort=False):
        assert list(g["condition"]) == ["snr=0dB", "snr=5dB", "snr=10dB", "snr=15dB"]
    assert data.summary["all_decodes_failed"].sum() == 2 * 3  # two systems x three metrics


def test_example_table_is_a_tidy_table_of_its_own():
    scores = _scores()
    rows = []
    for name, s in (("rotation", 0.0), ("rotation", 20.0)):
        rec = condition_row(
            experiment="D",
            system=name,
            condition=f"{name}={s:g}",
            transform=name,
            strength=s,
            decode_failed=False,
        )
        for m, v in (("ssim", 0.5 + s / 100), ("seess", 0.9)):
            rows.append(score_row(rec, image="000000000632", metric=m, value=v, backend="x"))
    df = pd.concat([scores, pd.DataFrame(rows)], ignore_index=True)
    cfg = copy.deepcopy(CFG)
    cfg["experiments"]["D"]["transforms"] = {"rotation": [0, 20]}
    table = example_table(df, cfg)
    assert list(table.columns) == [
        "image",
        "transform",
        "strength",
        "seess",
        "ssim",
    ]  # config order
    assert table.iloc[0]["ssim"] == pytest.approx(0.7) and table.iloc[0]["image"] == "000000000632"


def _render_report_text(cfg) -> str:
    import jinja2

    text = (ROOT / "workflow" / "report" / "workflow.rst").read_text()
    return jinja2.Template(text).render(snakemake=SimpleNamespace(config=cfg))


def test_report_describes_only_the_enabled_experiments_and_holds_the_config():
    cfg = copy.deepcopy(CFG)
    cfg["experiments"]["D"]["enabled"] = False
    text = _render_report_text(cfg)
    assert "**A**" in text and "**B**" in text and "**D**" not in text
    assert "jpeg2000+ldpc-adaptive" in text
    assert '"channel_uses_per_pixel": 0.25' in text  # the effective config, as a literal block
