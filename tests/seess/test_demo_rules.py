"""The authors' demo graph rules offered by the ``official`` preset (issue 13)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from seess.api import SeSS
from seess.graph import GraphSettings
from seess.presets import get_preset
from seess.relations import select_triplets
from seess.score import result_notes
from seess.segment import resize_width, resize_working
from semcom_core.imageio import resize_longer_side


def _demo_selection(scores: np.ndarray, top_k=20, min_score=0.05, keep_num=100):
    """The demo's code path, transcribed: ``RamPredictor.predict``'s ``torch.topk`` over the
    flattened ``(56, n, n)`` tensor, then ``predict.py``'s ``k`` loop and pair table."""
    pred = torch.from_numpy(scores.copy())
    n = pred.shape[1]
    for i in range(n):
        pred[:, i, i] = 0.0
    _, top = torch.topk(pred.reshape(-1), k=keep_num)
    rels = [[int(t % n**2 // n), int(t % n**2 % n), int(t // n**2)] for t in top]
    k = min(len(rels), top_k)
    for i, (s, o, r) in enumerate(rels):
        if i < k:
            continue
        if pred[r, s, o] < min_score:
            break
        k = i
    nodes = sorted({x for s, o, _ in rels[:k] for x in (s, o)})
    index = {v: i for i, v in enumerate(nodes)}
    table = {}
    for s, o, r in reversed(rels[:k]):
        table[(index[s], index[o])] = (r, float(pred[r, s, o]))
    return nodes, table


@pytest.mark.parametrize("seed", range(6))
def test_demo_triplet_rule_matches_the_demo_code(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 9))
    # distinct positive scores (topk's tie order is unspecified), many above 0.05
    scores = rng.permutation(56 * n * n).reshape(56, n, n) / (56 * n * n) * rng.uniform(0.1, 1)
    scores = scores + 1e-6
    nodes, table = _demo_selection(scores)
    tri = select_triplets(scores, rule="demo")
    assert tri.nodes.tolist() == nodes
    got = {(int(s), int(o)): (int(r), float(v)) for (s, o, r), v in zip(tri.edges, tri.scores)}
    assert got == table
    assert len(table) <= 99


def test_demo_rule_keeps_99_of_100_passing_triplets_spec_keeps_all():
    scores = np.zeros((56, 12, 12))
    rng = np.random.default_rng(0)
    vals = rng.uniform(0.2, 0.9, 300)
    flat_idx = rng.choice([i for i in range(56 * 144) if i % 144 // 12 != i % 12], 300, False)
    scores.reshape(-1)[flat_idx] = vals
    demo = select_triplets(scores, rule="demo")
    spec = select_triplets(scores, rule="spec")
    n_pairs_demo = len(demo.edges)
    assert n_pairs_demo <= 99 < len(spec.edges)
    # the 100th candidate (passing) is dropped: same as candidates=100 keeping [:99]
    assert select_triplets(scores, rule="demo", candidates=100).edges.shape == demo.edges.shape


def test_bad_triplet_rule():
    with pytest.raises(ValueError, match="triplet rule"):
        select_triplets(np.zeros((56, 2, 2)), rule="top100")
    with pytest.raises(ValueError, match="triplets"):
        GraphSettings(triplets="x")
    with pytest.raises(ValueError, match="resize"):
        GraphSettings(resize="height")


def test_resize_width_is_the_demos_thumbnail():
    rng = np.random.default_rng(0)
    wide = rng.integers(0, 255, (500, 1100, 3), dtype=np.uint8)
    tall = rng.integers(0, 255, (1500, 700, 3), dtype=np.uint8)
    ref = Image.fromarray(wide)
    ref.thumbnail((800, 800 * 500 / 1100))
    out = resize_width(wide)
    assert out.shape[1] in (799, 800)  # thumbnail floors the height first, then keeps aspect
    np.testing.assert_array_equal(out, np.asarray(ref))
    assert resize_width(tall) is tall  # by width only: a tall image stays
    assert resize_working(tall, 800, "longer_side").shape[0] == 800
    np.testing.assert_array_equal(
        resize_working(wide, 800, "longer_side"), resize_longer_side(wide, 800)
    )
    with pytest.raises(ValueError, match="resize rule"):
        resize_working(wide, 800, "area")


def test_official_preset_uses_the_demo_graph_rules(scenes):
    off, pap = get_preset("official"), get_preset("paper")
    assert (off.triplets, off.resize) == ("demo", "width")
    assert (pap.triplets, pap.resize) == ("spec", "longer_side")
    m = SeSS(backend="sess-lite", preset="official", device="cpu")
    assert (m.graph_settings.triplets, m.graph_settings.resize) == ("demo", "width")
    spec = SeSS(
        backend="sess-lite",
        preset="official",
        device="cpu",
        params={"triplets": "spec", "resize": "longer_side"},
    )
    assert (spec.graph_settings.triplets, spec.graph_settings.resize) == ("spec", "longer_side")
    g = m.graph(scenes["ref"])
    assert g.backend["settings"]["triplets"] == "demo"
    assert g.backend["saliency"].startswith("opencv")


def test_explanation_states_the_argument_order_dependence(scenes, tmp_path):
    assert result_notes(get_preset("paper")) == []
    notes = result_notes(get_preset("official"))
    assert "argument order" in notes[0]
    m = SeSS(backend="sess-lite", preset="official", device="cpu")
    r = m.score(scenes["ref"], scenes["replaced"])
    assert r.to_dict()["notes"] == notes
