"""sess-lite's views (seess.views): one graph per SLIC grid offset, and the view score."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from seess.api import LITE_VIEWS, SeSS
from seess.batch_score import BatchScorer
from seess.graph import load_graph, save_graph
from seess.score import score_graphs


@pytest.fixture(scope="module")
def singles():
    """One single-view sess-lite per view of the default set: the independent reference."""
    return [SeSS(backend="sess-lite", device="cpu", views=[v]) for v in LITE_VIEWS]


def test_view_score_is_the_normalised_mean_over_view_pairs(lite, singles, scenes):
    a, b = scenes["ref"], scenes["replaced"]
    ga = [m.graph(a) for m in singles]
    gb = [m.graph(b) for m in singles]
    R, p = np.eye(56), lite.params

    def mat(xs, ys):
        return np.array([[score_graphs(x, y, R, p).score for y in ys] for x in xs])

    cross, self_a, self_b = mat(ga, gb), mat(ga, ga), mat(gb, gb)
    expected = cross.mean() / np.sqrt(self_a.mean() * self_b.mean())
    r = lite.score(a, b)
    assert r.score == pytest.approx(expected, abs=1e-12)
    for got, want in zip(r.view_scores, (cross, self_a, self_b)):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    # the views differ: the partitions are not all the same, so the self scores are not all 1
    assert self_a.min() < 1.0
    # the other fields describe the first views' pair
    first = score_graphs(ga[0], gb[0], R, p)
    assert r.graph_score == pytest.approx(first.graph_score, abs=1e-12)
    np.testing.assert_allclose(r.to_dict()["view_scores"]["cross"], cross, rtol=0, atol=1e-12)


def test_views_keep_identity_and_symmetry(lite, scenes):
    g = lite.graph(scenes["ref"])
    assert len(g.all_views) == len(LITE_VIEWS) == 4
    offsets = [v.backend["grid_offset"] for v in g.all_views]
    assert offsets == [list(o) for o in LITE_VIEWS]
    assert lite.score(scenes["ref"], scenes["ref"]).score == 1.0
    ab = lite.score(scenes["ref"], scenes["shifted"]).score
    ba = lite.score(scenes["shifted"], scenes["ref"]).score
    assert ab == pytest.approx(ba, abs=1e-12)  # the paper preset is symmetric
    assert 0.0 < ab < 1.0


def test_batch_scorer_gives_view_scores(lite, singles, scenes):
    graphs = {k: lite.graph(v) for k, v in scenes.items()}
    single = singles[0].graph(scenes["shifted"])  # a graph without views, mixed in
    pairs = [(graphs["ref"], graphs[k]) for k in scenes] + [(graphs["ref"], single)]
    batch = BatchScorer(pairs, lite.relation_similarity()).scores(lite.params)
    one = [lite.score_graphs(x, y).score for x, y in pairs]
    assert len(batch) == len(pairs)
    np.testing.assert_allclose(batch, one, rtol=0, atol=1e-9)


def test_graph_file_and_cache_keep_the_views(tmp_path, scenes):
    m = SeSS(backend="sess-lite", device="cpu", cache_dir=str(tmp_path / "c"))
    g = m.graph(scenes["ref"])
    back = load_graph(save_graph(tmp_path / "g.npz", g))
    assert len(back.views) == len(g.views) == 3
    for x, y in zip(g.all_views, back.all_views):
        assert np.array_equal(x.masks, y.masks) and np.array_equal(x.features, y.features)
        assert x.backend == y.backend
    again = SeSS(backend="sess-lite", device="cpu", cache_dir=str(tmp_path / "c"))
    h = again.graph(scenes["ref"])
    assert again.cache.hits == 1 and again.cache.computed == 0 and len(h.views) == 3
    single = SeSS(backend="sess-lite", device="cpu", cache_dir=str(tmp_path / "c"), views=[[0, 0]])
    assert single.cache.settings_key != again.cache.settings_key  # other views, other folder
    assert single.graph(scenes["ref"]).views == ()


def test_a_single_view_is_sess_lite_without_views(singles, scenes):
    m = singles[0]
    assert "views" not in m.backend.describe()
    r = m.score(scenes["ref"], scenes["replaced"])
    assert r.view_scores is None
    assert r.score == pytest.approx(
        (1 - m.params.gamma) * r.graph_score + m.params.gamma * r.image_score, abs=1e-12
    )


def test_a_view_graph_is_checked(lite, scenes):
    g = lite.graph(scenes["ref"])
    with pytest.raises(ValueError, match="views of its own"):
        dataclasses.replace(g, views=(g,)).validate()
    small = lite.graph(scenes["ref"][:40])
    with pytest.raises(ValueError, match="image shape"):
        dataclasses.replace(g, views=(small.views[0],)).validate()


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"views": [[0, 0], [0, 0]]}, "distinct"),
        ({"views": []}, "distinct"),
        ({"views": [[0, -2]]}, "offsets >= 0"),
        ({"views": [[1, 2, 3]]}, "two pixel offsets"),
        ({"views": [[0, 1.5]]}, "two pixel offsets"),
        ({"views": [[0, 0]], "backend": "sess"}, "sess-lite"),
    ],
)
def test_bad_views_are_refused(kw, match):
    with pytest.raises(ValueError, match=match):
        SeSS(**{"backend": "sess-lite", "device": "cpu", "lazy": True, **kw})


def test_views_are_a_metric_option():
    from semcom_metrics.registry import build_metric

    m = build_metric("seess", device="cpu", backend="sess-lite", views=[[0, 0], [2, 2]])
    assert m.model.backend.describe()["views"] == [[0, 0], [2, 2]]
