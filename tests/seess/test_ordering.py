"""The ordering suite (issue 13): sess-lite against PSNR, SSIM and MS-SSIM.

An ordering is a pair (less changed, more changed) of test images of one reference; a
metric respects it when it scores the less-changed one strictly higher. The suite is
``semcom_pipeline.ordering`` (``benchmarks/ordering_suite.py`` prints the full table);
here: the 8 synthetic scenes of the table in docs/seess.md, and Experiment D's
transforms, JPEG and Fig. 13's table on ``chelsea`` (320 px), the default run's Fig. 13
example. The benchmark runs all five photographs (92 s, more than ``make test`` affords).
"""

from __future__ import annotations

import pytest

from seess.api import SeSS
from semcom_metrics.registry import build_metric
from semcom_pipeline.ordering import (
    D_GRIDS,
    SCENE_ORDERINGS,
    d_orderings,
    fig13_table,
    jpeg_orderings,
    ordering_table,
    scene_orderings,
    scene_variants,
    seess_scorer,
)
from semcom_pipeline.sample import load_original, select_images

#: the default run's Fig. 13 example (one of its five bundled photographs)
PHOTOS = ["chelsea"]
assert set(PHOTOS) <= set(select_images({"source": "bundled", "count": 5}, 0))


@pytest.fixture(scope="module")
def suite():
    metrics = {"sess-lite": seess_scorer(SeSS(backend="sess-lite", preset="paper", device="cpu"))}
    for m in ("psnr", "ssim", "ms_ssim"):
        metrics[m] = build_metric(m, device="cpu").score
    images = {n: load_original(f"bundled:{n}", 320) for n in PHOTOS}
    orderings, scores = scene_orderings(metrics, range(8))
    for o, s in (d_orderings(metrics, images), jpeg_orderings(metrics, images)):
        orderings += o
        for m in metrics:
            scores[m].update(s[m])
    table = ordering_table(orderings, scores)
    wide = table.pivot(index="family", columns="metric", values="respected")
    return wide, fig13_table(metrics, images)


def test_scene_variants_are_what_they_claim():
    v = scene_variants(0)
    ref = v["reference"]
    assert ref.shape == (192, 192, 3) and (v["identical"] == ref).all()
    changed = {k: (v[k] != ref).any(axis=2).mean() for k in ("replaced", "exchanged")}
    assert 0 < changed["replaced"] < 0.1 and 0 < changed["exchanged"] < 0.15
    assert (v["translation"][3:, 4:] != ref[:-3, :-4]).any(axis=2).mean() < 0.01
    assert (v["different"] != ref).any(axis=2).mean() > 0.5


SCENE_FAMILIES = list(SCENE_ORDERINGS)
PHOTO_FAMILIES = [f"D:{t}" for t in D_GRIDS] + ["jpeg"]


@pytest.mark.parametrize("family", SCENE_FAMILIES)
def test_sess_lite_respects_at_least_as_many_scene_orderings_as_psnr(suite, family):
    wide, _ = suite
    row = wide.loc[family]
    assert row["sess-lite"] >= row["psnr"], row.to_dict()


@pytest.mark.parametrize("family", PHOTO_FAMILIES)
def test_sess_lite_respects_at_least_as_many_photo_orderings_as_psnr(suite, family):
    wide, _ = suite
    row = wide.loc[family]
    assert row["sess-lite"] >= row["psnr"], row.to_dict()


@pytest.mark.parametrize("family", ["replaced", "exchanged"])
def test_sess_lite_beats_psnr_on_semantic_changes(suite, family):
    wide, _ = suite
    assert family in SCENE_ORDERINGS
    assert wide.loc[family, "sess-lite"] > wide.loc[family, "psnr"]


@pytest.mark.parametrize("transform", ["translation", "rotation", "reflection", "scaling"])
def test_fig13_sess_lite_is_the_most_robust(suite, transform):
    _, f13 = suite
    rob = f13[f13["transform"] == transform].pivot(
        index="image", columns="metric", values="robustness"
    )
    assert sorted(rob.index) == PHOTOS
    others = rob.drop(columns="sess-lite").max(axis=1)
    assert (rob["sess-lite"] > others).all(), rob.to_dict()


def test_fig13_colour_filter_scores_at_least_0_8(suite):
    _, f13 = suite
    sel = f13[(f13["transform"] == "color_filter") & (f13["metric"] == "sess-lite")]
    assert len(sel) == len(PHOTOS)
    assert (sel["value"] >= 0.8).all(), sel[["image", "value"]].to_dict("records")
