"""Graphs built in batches (one segmenter batch, one embedder batch) equal graphs built
one image at a time."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from seess.api import SeSS
from seess.batch_graphs import CPU_BATCH, auto_batch_size
from seess.cache import GraphCache


def _assert_same_graph(a, b, atol=0.0):
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            np.testing.assert_allclose(x, y, rtol=0, atol=atol, err_msg=f.name)
        elif isinstance(x, np.ndarray):
            assert np.array_equal(x, y), f.name
        elif f.name == "views":
            assert len(x) == len(y)
            for u, v in zip(x, y):
                _assert_same_graph(u, v, atol)
        else:
            assert x == y, f.name


def test_lite_batch_equals_one_by_one(lite, scenes):
    images = [scenes["ref"], scenes["shifted"], scenes["ref"], scenes["different"]]
    batch = lite.graphs(images)
    assert len(batch) == 4 and batch[0] is batch[2]  # one graph per distinct image
    for im, g in zip(images, batch):
        _assert_same_graph(lite.graph(im), g)


def test_tiny_sess_batch_equals_one_by_one(tiny_sam_checkpoint, scenes):
    m = SeSS(
        backend="sess",
        device="cpu",
        sam_model="seess-tiny-sam",
        sam_checkpoint=str(tiny_sam_checkpoint),
        sam_options={
            "points_per_side": 4,
            "pred_iou_thresh": 0.0,
            "stability_score_thresh": 0.0,
            "fast": True,
        },
        clip_model="seess-tiny-clip",
        clip_weights=None,
    )
    images = [scenes["ref"], scenes["replaced"], scenes["different"]]
    batch = m.graphs(images)
    for im, g in zip(images, batch):
        # CLIP in one batch of every crop vs per-image batches: float32 summation order only
        _assert_same_graph(m.graph(im), g, atol=1e-5)


def test_batch_uses_and_fills_the_cache(tmp_path, scenes):
    m = SeSS(backend="sess-lite", device="cpu", cache_dir=str(tmp_path))
    first = m.graphs([scenes["ref"], scenes["shifted"]])
    cache: GraphCache = m.cache
    assert cache.computed == 2 and cache.hits == 0
    again = m.graphs([scenes["shifted"], scenes["ref"], scenes["different"]])
    assert cache.computed == 3
    _assert_same_graph(again[0], first[1])
    _assert_same_graph(again[1], first[0])


def test_batch_size_on_cpu():
    assert auto_batch_size("cpu") == CPU_BATCH


def test_metric_scores_equal_single_pair_scores(lite, scenes):
    from semcom_metrics.registry import build_metric

    metric = build_metric("seess", device="cpu", backend="sess-lite")
    refs = [scenes["ref"], scenes["ref"], scenes["shifted"]]
    tests = [scenes["shifted"], scenes["different"], scenes["replaced"]]
    batch = metric.score_batch(refs, tests)
    single = [lite.score(r, t).score for r, t in zip(refs, tests)]
    assert batch == pytest.approx(single, abs=0)
