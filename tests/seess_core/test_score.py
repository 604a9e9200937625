import json

import numpy as np
import pytest

from seess.presets import get_preset
from seess.scene import SceneGraph
from seess.score import score_graphs


@pytest.mark.parametrize("preset", ["paper", "official"])
def test_score_matches_oracle(oracle, gen, preset):
    rng = np.random.default_rng(10)
    R = gen.relation_sim(rng)
    p = get_preset(preset, ite=4)
    for _ in range(12):
        n1, n2 = (int(x) for x in rng.integers(1, 8, size=2))
        g1, g2 = gen.graph(n1, 0.3, rng), gen.graph(n2, 0.3, rng)
        res = score_graphs(g1, g2, R, p)
        want = oracle.seess(
            g1.features,
            g2.features,
            g1.centroids,
            g2.centroids,
            g1.edges,
            g2.edges,
            g1.edge_scores,
            g2.edge_scores,
            g1.saliency_mass,
            g2.saliency_mass,
            g1.image_embedding,
            g2.image_embedding,
            R,
            p,
        )
        assert res.score == pytest.approx(want, abs=1e-9)
        assert res.score <= 1 + 1e-12


def test_identity_is_the_maximum(gen):
    rng = np.random.default_rng(11)
    R = gen.relation_sim(rng)
    for preset in ("paper", "official"):
        p = get_preset(preset)
        for _ in range(5):
            a = gen.graph(int(rng.integers(1, 8)), 0.3, rng)
            b = gen.graph(int(rng.integers(1, 8)), 0.3, rng)
            same = score_graphs(a, a, R, p)
            assert same.score == pytest.approx(1.0, abs=1e-9)
            assert same.graph_score == pytest.approx(1.0, abs=1e-9)
            assert score_graphs(a, b, R, p).score < same.score


def test_symmetric_under_swap_synchronous(gen):
    rng = np.random.default_rng(12)
    R = gen.relation_sim(rng)
    p = get_preset("paper")
    for _ in range(6):
        a = gen.graph(int(rng.integers(1, 8)), 0.35, rng)
        b = gen.graph(int(rng.integers(1, 8)), 0.35, rng)
        ab, ba = score_graphs(a, b, R, p), score_graphs(b, a, R, p)
        assert ab.score == pytest.approx(ba.score, abs=1e-12)
        np.testing.assert_allclose(ab.similarity, ba.similarity.T, atol=1e-12)


def test_node_order_does_not_change_the_score(gen):
    rng = np.random.default_rng(13)
    R = gen.relation_sim(rng)
    p = get_preset("paper")
    for _ in range(6):
        a = gen.graph(int(rng.integers(2, 8)), 0.35, rng)
        b = gen.graph(int(rng.integers(2, 8)), 0.35, rng)
        a2 = gen.permute(a, rng.permutation(a.n_nodes), rng)
        b2 = gen.permute(b, rng.permutation(b.n_nodes), rng)
        assert score_graphs(a, b, R, p).score == pytest.approx(
            score_graphs(a2, b2, R, p).score, abs=1e-12
        )


def test_swapping_subject_and_object_changes_the_score(gen):
    rng = np.random.default_rng(14)
    R = gen.relation_sim(rng)
    for preset in ("paper", "official"):
        p = get_preset(preset)
        for _ in range(4):
            a = gen.graph(6, 0.3, rng)
            while len(a.edges) == 0:
                a = gen.graph(6, 0.3, rng)
            rev = a.edges[:, [1, 0, 2]]
            keys = {(int(s), int(o)) for s, o, _ in a.edges}
            assert any((int(o), int(s)) not in keys for s, o, _ in a.edges)
            flipped = SceneGraph(**{**a.__dict__, "edges": rev})
            same = score_graphs(a, a, R, p).score
            assert score_graphs(flipped, a, R, p).score < same - 1e-6


def test_explanation_is_json_and_consistent(gen):
    rng = np.random.default_rng(15)
    R = gen.relation_sim(rng)
    p = get_preset("paper")
    a, b = gen.graph(5, 0.4, rng), gen.graph(4, 0.4, rng)
    res = score_graphs(a, b, R, p)
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert d["score"] == pytest.approx(res.score)
    assert d["params"] == p.to_dict()
    assert [len(g["nodes"]) for g in d["graphs"]] == [5, 4]
    assert d["graphs"][0]["backend"] == {"name": "test", "seed": 0}
    rel = d["graphs"][0]["relations"]
    assert len(rel) == len(a.edges)
    from seess.predicates import PSG_PREDICATES

    assert all(r["predicate_name"] == PSG_PREDICATES[r["predicate"]] for r in rel)
    assert sum(n["importance"] for n in d["graphs"][1]["nodes"]) == pytest.approx(1)
    # the pair contributions add up to the graph part of the score
    total = sum(x["contribution"] for x in res.assignment)
    assert total == pytest.approx((1 - p.gamma) * res.graph_score, abs=1e-12)
    assert res.score == pytest.approx(total + p.gamma * res.image_score, abs=1e-12)
    assert np.asarray(d["similarity"]).shape == (5, 4)


def test_bad_inputs_raise_clear_errors(gen):
    rng = np.random.default_rng(16)
    a = gen.graph(3, 0.5, rng)
    p = get_preset()
    with pytest.raises(ValueError, match="56"):
        score_graphs(a, a, np.eye(10), p)
    bad = SceneGraph(**{**a.__dict__, "features": np.full_like(a.features, np.nan)})
    with pytest.raises(ValueError, match="NaN"):
        score_graphs(bad, a, np.eye(56), p)
    with pytest.raises(TypeError, match="SeSSParams"):
        score_graphs(a, a, np.eye(56), {"alpha": 0.25})
    loop = SceneGraph(**{**a.__dict__, "edges": np.array([[0, 0, 1]]), "edge_scores": np.ones(1)})
    with pytest.raises(ValueError, match="self-loop"):
        score_graphs(loop, a, np.eye(56), p)
