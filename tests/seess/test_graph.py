"""Graph building, serialisation and the graph cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seess.cache import GraphCache
from seess.graph import GraphSettings, build_graph, load_graph, rle_decode, rle_encode, save_graph
from seess.offline_embed import DescriptorEmbedder
from seess.offline_segment import FelzenszwalbSegmenter
from seess.relations import GeometricRelationPredictor

MODELS = (FelzenszwalbSegmenter(), DescriptorEmbedder(), GeometricRelationPredictor())


def _build(img, **kw):
    return build_graph(img, *MODELS, GraphSettings(**kw), backend="sess-lite")


def test_build_graph_fields(scenes):
    g = _build(scenes["ref"])
    assert g.n_nodes == 4  # sky, grass, disk, square
    assert g.image_shape == (96, 96) and g.masks.dtype == np.bool_
    assert np.allclose(np.linalg.norm(g.features, axis=1), 1, atol=1e-6)
    assert np.all((g.centroids >= 0) & (g.centroids <= 1))
    assert np.all(g.saliency_mass >= 0) and g.saliency_mass.sum() > 0
    assert len(g.edges) >= 1 and np.all(g.edge_scores > 0)
    assert g.backend["name"] == "sess-lite" and len(g.backend["image_sha256"]) == 64
    red = np.all(scenes["ref"] == (220, 30, 30), axis=2)
    i = int(np.argmax([(m & red).sum() / (m | red).sum() for m in g.masks]))
    r0, c0, r1, c1 = g.boxes[i]
    rr, cc = np.nonzero(red)
    assert (r0, c0, r1, c1) == (rr.min(), cc.min(), rr.max() + 1, cc.max() + 1)
    assert g.centroids[i] == pytest.approx((30 / 96, 30 / 96), abs=1e-3)


def test_blank_one_pixel_and_large_images():
    blank = _build(np.full((40, 50, 3), 77, np.uint8))
    assert blank.n_nodes == 1 and blank.masks.all() and blank.edges.shape == (0, 3)
    one = _build(np.array([[[10, 200, 30]]], np.uint8))
    assert one.n_nodes == 1 and one.image_shape == (1, 1)
    big = np.zeros((2400, 1800, 3), np.uint8)
    big[600:1800, 400:1400] = (250, 10, 10)
    g = _build(big, max_side=200)
    assert g.image_shape == (200, 150) and g.backend["source_shape"] == [2400, 1800]
    assert g.n_nodes >= 2


def test_masked_crop_setting_changes_features(scenes):
    a, b = _build(scenes["ref"]), _build(scenes["ref"], crop="masked")
    assert a.n_nodes == b.n_nodes and not np.allclose(a.features, b.features)
    assert b.backend["settings"]["crop"] == "masked"


def test_rle_round_trip_random_masks():
    rng = np.random.default_rng(1)
    m = rng.random((5, 17, 23)) < 0.4
    m[0] = True
    m[1] = False
    m[2, 0, 0] = True
    runs, counts = rle_encode(m)
    assert np.array_equal(rle_decode(runs, counts, (17, 23)), m)


def test_save_load_round_trip_is_exact(tmp_path, scenes):
    g = _build(scenes["replaced"])
    p = save_graph(tmp_path / "g.npz", g)
    h = load_graph(p)
    assert h.image_shape == g.image_shape and h.backend == g.backend
    for k in (
        "masks",
        "features",
        "centroids",
        "saliency_mass",
        "edges",
        "edge_scores",
        "image_embedding",
        "boxes",
    ):
        a, b = getattr(g, k), getattr(h, k)
        assert a.dtype == b.dtype and np.array_equal(a, b), k
    assert not list(tmp_path.glob("*.part"))
    (tmp_path / "bad.npz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not a readable SeSS graph"):
        load_graph(tmp_path / "bad.npz")


def test_cached_graphs_are_keyed_by_the_graph_building_code(tmp_path, scenes, monkeypatch):
    """Graphs cached by other code (an older version, an edit of the segmenter) are not
    reused; the scoring modules are not part of the key."""
    import seess
    import seess.cache
    from seess.api import SeSS

    for name in seess.cache.GRAPH_INDEPENDENT:  # a renamed module must be renamed here too
        assert (Path(seess.__file__).parent / name).is_file(), name
    version = seess.cache.graph_code_version()
    assert version == seess.cache.graph_code_version() and len(version) == 16
    now = SeSS(backend="sess-lite", device="cpu", cache_dir=tmp_path, lazy=True)
    monkeypatch.setattr(seess.cache, "graph_code_version", lambda: "0123456789abcdef")
    other = SeSS(backend="sess-lite", device="cpu", cache_dir=tmp_path, lazy=True)
    assert now.cache.path_for(scenes["ref"]) != other.cache.path_for(scenes["ref"])


def test_cache_counts_computations_and_hits(tmp_path, scenes):
    built = []

    def build(img):
        built.append(1)
        return _build(img)

    cache = GraphCache(tmp_path / "c", {"backend": "sess-lite"})
    g1 = cache.get_or_build(scenes["ref"], build)
    g2 = cache.get_or_build(scenes["ref"].copy(), build)
    cache.get_or_build(scenes["shifted"], build)
    assert (cache.computed, cache.hits, len(built)) == (2, 1, 2)
    assert np.array_equal(g1.masks, g2.masks)
    other = GraphCache(tmp_path / "c", {"backend": "sess-lite"})  # e.g. another process
    other.get_or_build(scenes["ref"], build)
    assert other.computed == 0 and other.hits == 1 and other.total_computed() == 2
    changed = GraphCache(tmp_path / "c", {"backend": "sess-lite", "crop": "masked"})
    assert changed.path_for(scenes["ref"]) != cache.path_for(scenes["ref"])
    cache.path_for(scenes["shifted"]).write_bytes(b"truncated")  # a broken entry is rebuilt
    cache.get_or_build(scenes["shifted"], build)
    assert cache.computed == 3 and cache.total_computed() == 3
