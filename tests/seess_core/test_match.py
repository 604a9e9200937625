import numpy as np
import pytest

from seess.kuhn_munkres import km, km_assignment, km_batch
from seess.match import graph_score, initial_similarity, iterate_similarity
from seess.presets import get_preset


def test_km_equals_brute_force_on_tiny_matrices(oracle):
    rng = np.random.default_rng(2)
    for _ in range(200):
        k, l_ = rng.integers(1, 6, size=2)
        X = rng.random((k, l_))
        if rng.random() < 0.3:
            X -= 0.5  # negative entries: still the best full-size matching
        if rng.random() < 0.2:
            X = np.round(X, 1)  # ties
        assert km(X) == pytest.approx(oracle.km_brute(X), abs=1e-12)
        r, c = km_assignment(X)
        assert len(r) == min(k, l_) == len(set(c.tolist()))
        assert X[r, c].sum() == pytest.approx(km(X), abs=1e-12)


def test_km_empty_and_bad_input():
    assert km(np.zeros((0, 3))) == 0.0 and km(np.zeros((2, 0))) == 0.0
    r, c = km_assignment(np.zeros((0, 0)))
    assert r.size == c.size == 0
    with pytest.raises(ValueError, match="NaN"):
        km(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="2-D"):
        km(np.ones(3))


@pytest.mark.parametrize(
    "shape",
    # enumeration, subset DP and scipy fallback paths, both orientations
    [
        (1, 4),
        (4, 1),
        (2, 2),
        (3, 5),
        (5, 3),
        (4, 4),
        (6, 6),
        (7, 9),
        (9, 7),
        (10, 10),
        (12, 12),
        (3, 14),
        (0, 3),
        (3, 0),
    ],
)
def test_km_batch_matches_per_matrix(oracle, shape):
    rng = np.random.default_rng(sum(shape))
    X = rng.random((7, *shape)) - 0.1
    want = [oracle.km_reference(x) for x in X]
    np.testing.assert_allclose(km_batch(X), want, rtol=0, atol=1e-12)
    assert km_batch(np.zeros((0, *shape))).shape == (0,)


def test_initial_similarity_matches_oracle(oracle):
    rng = np.random.default_rng(3)
    for theta in (0.0, 0.2, 1.0):
        f1, f2 = rng.normal(size=(4, 5)), rng.normal(size=(6, 5))
        c1, c2 = rng.random((4, 2)), rng.random((6, 2))
        got = initial_similarity(f1, f2, c1, c2, theta)
        np.testing.assert_allclose(got, oracle.initial(f1, f2, c1, c2, theta), atol=1e-12)
    with pytest.raises(ValueError, match="dimensions"):
        initial_similarity(f1, rng.normal(size=(6, 4)), c1, c2, 0.2)
    with pytest.raises(ValueError, match="zeros"):
        initial_similarity(np.zeros((4, 5)), f2, c1, c2, 0.2)


def _case(rng, gen, n1, n2, d1, d2, low=0.0):
    e1, e2 = gen.edges(n1, d1, rng), gen.edges(n2, d2, rng)
    L0 = rng.uniform(low, 1.0, size=(n1, n2))
    imp1, imp2 = rng.random(n1), rng.random(n2)
    imp1[rng.random(n1) < 0.1] = 0.0  # zero importances exercise the documented fallbacks
    return L0, e1, e2, imp1 / max(imp1.sum(), 1e-9), imp2 / imp2.sum()


@pytest.mark.parametrize("low", [0.0, -0.3], ids=["nonneg", "negative"])
@pytest.mark.parametrize("update", ["synchronous", "in_place"])
def test_iterate_matches_oracle_on_random_graphs(oracle, gen, update, low):
    """Non-negative L0 takes the zero-padded batches, negative entries the exact-shape ones."""
    rng = np.random.default_rng(4)
    R = gen.relation_sim(rng)
    worst = 0.0
    for trial in range(70):
        n1, n2 = (int(x) for x in rng.integers(1, 9, size=2))
        if trial < 6:  # single-node graphs and edgeless graphs
            n1 = 1 if trial % 2 == 0 else n1
            n2 = 1 if trial % 3 == 0 else n2
        dens1, dens2 = rng.choice([0.0, 0.15, 0.4, 0.8], size=2)
        L0, e1, e2, imp1, imp2 = _case(rng, gen, n1, n2, dens1, dens2, low)
        alpha, beta = rng.random(), rng.random()
        ite = int(rng.integers(0, 5))
        got = iterate_similarity(L0, e1, e2, R, imp1, imp2, alpha, beta, ite, update)
        want = oracle.iterate(L0, e1, e2, R, imp1, imp2, alpha, beta, ite, update)
        worst = max(worst, float(np.abs(got - want).max()))
        gs, _ = graph_score(got, imp1, imp2)
        assert gs == pytest.approx(oracle.graph(want, imp1, imp2), abs=1e-9)
    assert worst <= 1e-9


@pytest.mark.parametrize("low", [0.0, -0.3], ids=["nonneg", "negative"])
@pytest.mark.parametrize("update", ["synchronous", "in_place"])
def test_iterate_matches_oracle_with_large_neighbourhoods(oracle, gen, update, low):
    """Degrees up to 13: subset DP and the scipy fallback inside km_batch."""
    rng = np.random.default_rng(5)
    R = gen.relation_sim(rng)
    L0, e1, e2, imp1, imp2 = _case(rng, gen, 14, 12, 0.85, 0.7, low)
    got = iterate_similarity(L0, e1, e2, R, imp1, imp2, 0.25, 0.05, 2, update)
    want = oracle.iterate(L0, e1, e2, R, imp1, imp2, 0.25, 0.05, 2, update)
    assert np.abs(got - want).max() <= 1e-9


def test_empty_neighbourhood_rules():
    R = np.eye(56)
    L0 = np.full((2, 2), 0.5)
    e1 = np.array([[0, 1, 3]])  # node 0 has a neighbour, node 1 none
    e2 = np.zeros((0, 3), np.int64)  # no neighbours at all
    L = iterate_similarity(L0, e1, e2, R, np.ones(2) / 2, np.ones(2) / 2, 0.25, 0.1, 1)
    np.testing.assert_allclose(L[0], 0.9 * 0.5)  # exactly one side empty -> s = 0
    np.testing.assert_allclose(L[1], 0.9 * 0.5 + 0.1)  # both empty -> s = 1


def test_presets_run_different_update_modes(oracle, gen):
    """paper -> synchronous, official -> the demo's in-place aliasing; they differ."""
    assert get_preset("paper").update == "synchronous"
    assert get_preset("official").update == "in_place"
    rng = np.random.default_rng(6)
    R = gen.relation_sim(rng)
    L0, e1, e2, imp1, imp2 = _case(rng, gen, 7, 6, 0.4, 0.4)
    args = (L0, e1, e2, R, imp1, imp2, 0.25, 0.05, 7)
    sync = oracle.iterate(*args, update="synchronous")
    inplace = oracle.iterate(*args, update="in_place")
    for name, want, other in (("paper", sync, inplace), ("official", inplace, sync)):
        got = iterate_similarity(*args, update=get_preset(name).update)
        assert np.abs(got - want).max() <= 1e-9
        assert np.abs(got - other).max() > 1e-6
    # one round: the two modes coincide (the demo's first round is synchronous)
    one = (L0, e1, e2, R, imp1, imp2, 0.25, 0.05, 1)
    np.testing.assert_array_equal(
        iterate_similarity(*one, update="synchronous"), iterate_similarity(*one, update="in_place")
    )


@pytest.mark.parametrize(
    ("edges", "needle"),
    [
        (np.array([[0, 0, 1]]), "self-loop"),
        (np.array([[0, 1, 1], [0, 1, 2]]), "one edge per"),
        (np.array([[0, 5, 1]]), "out of range"),
        (np.array([[0, 1, 56]]), "predicate"),
        (np.array([[0.0, 1.0, 1.0]]), "integers"),
    ],
)
def test_iterate_rejects_bad_edges(edges, needle):
    with pytest.raises(ValueError, match=needle):
        iterate_similarity(
            np.ones((2, 2)),
            edges,
            np.zeros((0, 3), int),
            np.eye(56),
            np.ones(2) / 2,
            np.ones(2) / 2,
            0.25,
            0.05,
            2,
        )


def test_iterate_rejects_bad_settings():
    args = (
        np.ones((2, 2)),
        np.zeros((0, 3), int),
        np.zeros((0, 3), int),
        np.eye(56),
        np.ones(2) / 2,
        np.ones(2) / 2,
    )
    with pytest.raises(ValueError, match="update"):
        iterate_similarity(*args, 0.25, 0.05, 2, update="async")
    with pytest.raises(ValueError, match="ite"):
        iterate_similarity(*args, 0.25, 0.05, -1)
    with pytest.raises(ValueError, match="imp1"):
        iterate_similarity(args[0], *args[1:4], np.ones(3), args[5], 0.25, 0.05, 2)
