"""Relation predictors and triplet selection (spec 1.3-1.4)."""

from __future__ import annotations

import numpy as np
import pytest

from seess.embed import ClipEmbedder
from seess.offline_embed import DescriptorEmbedder
from seess.predicates import PSG_PREDICATES
from seess.relations import ClipRelationPredictor, GeometricRelationPredictor, select_triplets

P = {n: i for i, n in enumerate(PSG_PREDICATES)}


def _rect(h, w, r0, c0, r1, c1):
    m = np.zeros((h, w), bool)
    m[r0:r1, c0:c1] = True
    return m


def _best(scores, s, o):
    return PSG_PREDICATES[int(np.argmax(scores[:, s, o]))]


def test_geometric_on_in_beside_over():
    h = w = 64
    img = np.zeros((h, w, 3), np.uint8)
    table = _rect(h, w, 40, 10, 50, 40)
    cup = _rect(h, w, 32, 20, 40, 28)  # sits on the table
    room = ~_rect(h, w, 2, 44, 14, 60)  # encloses the picture (has a hole)
    picture = _rect(h, w, 2, 44, 14, 60)
    lamp = _rect(h, w, 40, 46, 50, 56)  # right of the table, same height
    bird = _rect(h, w, 16, 22, 20, 26)  # above the cup, not touching
    rel = GeometricRelationPredictor()
    s = rel.predict(img, np.stack([room, table, cup, picture, lamp, bird]))
    assert s.shape == (56, 6, 6) and s.min() >= 0 and s.max() <= 1
    assert np.all(s[:, np.arange(6), np.arange(6)] == 0)
    assert _best(s, 2, 1) == "on"
    assert _best(s, 1, 2) == "hanging from"
    assert _best(s, 3, 0) == "in"
    assert _best(s, 0, 3) == "enclosing"
    assert _best(s, 4, 1) == "beside"
    assert _best(s, 5, 2) == "over"


def test_geometric_max_objects_limits_pairs():
    masks = np.stack([_rect(20, 20, i, 0, i + 2, 20) for i in range(0, 20, 2)])
    s = GeometricRelationPredictor(max_objects=3).predict(np.zeros((20, 20, 3), np.uint8), masks)
    assert s[:, 3:, :].max() == 0 and s[:, :, 3:].max() == 0 and s[:, :3, :3].max() > 0


def test_select_triplets_rules():
    s = np.zeros((56, 4, 4))
    s[P["on"], 0, 1] = 0.9
    s[P["beside"], 0, 1] = 0.8  # same pair, lower: loses
    s[P["in"], 2, 0] = 0.04  # below 0.05 but within the first top_k
    s[P["over"], 3, 3] = 1.0  # self-loop: ignored
    t = select_triplets(s, top_k=20, min_score=0.05)
    assert t.nodes.tolist() == [0, 1, 2]  # node 3 only had a self-loop
    assert t.edges.tolist() == [[0, 1, P["on"]], [2, 0, P["in"]]]
    assert t.scores.tolist() == [0.9, 0.04]
    t1 = select_triplets(s, top_k=1, min_score=0.05)  # after the first, only >= 0.05 stay
    assert t1.edges.tolist() == [[0, 1, P["on"]]] and t1.nodes.tolist() == [0, 1]
    none = select_triplets(np.zeros((56, 3, 3)))
    assert none.nodes.tolist() == [0, 1, 2] and none.edges.shape == (0, 3)
    with pytest.raises(ValueError, match="56"):
        select_triplets(np.zeros((5, 3, 3)))


def test_select_triplets_keeps_going_above_threshold():
    rng = np.random.default_rng(0)
    s = rng.uniform(0.06, 1.0, (56, 3, 3))
    t = select_triplets(s, top_k=2, min_score=0.05)
    assert len(t.edges) == 6  # every ordered pair, one predicate each (the best)
    for (a, b, p), v in zip(t.edges, t.scores):
        assert p == np.argmax(s[:, a, b]) and v == s[p, a, b]


def test_clip_relations_tiny_model_shape_and_asymmetry(scenes):
    from seess.offline_segment import FelzenszwalbSegmenter
    from seess.segment import postprocess_masks

    img = scenes["ref"]
    masks = postprocess_masks(FelzenszwalbSegmenter().segment(img))[:3]
    rel = ClipRelationPredictor(ClipEmbedder("seess-tiny-clip", None))
    s = rel.predict(img, masks)
    assert s.shape == (56, 3, 3)
    off = ~np.eye(3, dtype=bool)
    assert np.allclose(s.sum(0)[off], 1.0)  # a softmax over the predicates
    assert not np.allclose(s[:, 0, 1], s[:, 1, 0])  # subject and object differ in the prompt
    with pytest.raises(ValueError, match="text encoder"):
        ClipRelationPredictor(DescriptorEmbedder())
