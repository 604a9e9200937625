"""seess.batch_score.BatchScorer equals the public scorer pair by pair."""

import numpy as np
import pytest

from seess.batch_score import BatchScorer
from seess.presets import SeSSParams, get_preset
from seess.score import score_graphs


def _random_params(rng: np.random.Generator) -> SeSSParams:
    return SeSSParams(
        alpha=float(rng.uniform()),
        beta=float(rng.uniform()),
        gamma=float(rng.uniform()),
        ite=int(rng.integers(0, 9)),
        k1=float(rng.uniform(0.3, 5.0)),
        k2=float(rng.uniform(0.3, 5.0)),
        k3=float(rng.uniform()),
        theta=float(rng.uniform()),
        update=str(rng.choice(["synchronous", "in_place"])),
    )


@pytest.fixture(scope="module")
def case(gen):
    rng = np.random.default_rng(7)
    R = gen.relation_sim(rng)
    graphs = [
        gen.graph(int(rng.integers(1, 9)), float(rng.uniform(0, 0.5)), rng) for _ in range(14)
    ]
    # degenerate cases: a graph without edges, zero saliency, a single node
    graphs[0].saliency_mass[:] = 0.0
    graphs.append(gen.graph(1, 0.0, rng))
    graphs.append(gen.graph(6, 0.0, rng))
    pairs = [(graphs[i], graphs[j]) for i in range(len(graphs)) for j in range(0, len(graphs), 3)]
    return pairs, R


@pytest.mark.parametrize("which", ["paper", "official", "r0", "r1", "r2", "r3", "r4", "r5"])
def test_batch_equals_public_scorer(case, which):
    pairs, R = case
    if which in ("paper", "official"):
        params = get_preset(which)
    else:
        params = _random_params(np.random.default_rng(int(which[1:])))
    got = BatchScorer(pairs, R).scores(params)
    want = np.array([score_graphs(a, b, R, params).score for a, b in pairs])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_batch_is_reusable_across_parameter_sets(case):
    pairs, R = case
    b = BatchScorer(pairs[:10], R)
    first = b.scores(get_preset("paper"))
    b.scores(get_preset("official"))
    np.testing.assert_array_equal(b.scores(get_preset("paper")), first)


def test_batch_rejects_bad_input(case):
    pairs, R = case
    with pytest.raises(ValueError, match="at least one"):
        BatchScorer([], R)
    with pytest.raises(ValueError, match="relation_sim"):
        BatchScorer(pairs, np.eye(3))
    with pytest.raises(TypeError, match="SeSSParams"):
        BatchScorer(pairs[:2], R).scores({"alpha": 1})
