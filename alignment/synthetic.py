"""Synthetic scene graphs and ratings for benchmarks and tests (no models needed).

:func:`random_scene_graph` makes a valid :class:`~seess.scene.SceneGraph` with
random features, centroids, saliency and relations; :func:`perturbed_graph`
a noisy copy of one (a "test image" of a reference), so similarity varies
smoothly with the noise level; :func:`random_relation_sim` a CLIP-like
``(56, 56)`` cosine matrix.
"""

from __future__ import annotations

import numpy as np

from seess.scene import SceneGraph

__all__ = ["perturbed_graph", "random_relation_sim", "random_scene_graph", "synthetic_pairs"]


def random_relation_sim(rng: np.random.Generator, dim: int = 6) -> np.ndarray:
    """Symmetric ``(56, 56)`` cosine matrix with unit diagonal, entries mostly > 0."""
    t = rng.normal(size=(56, dim)) + 2.0
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    return t @ t.T


def _edges(n: int, density: float, rng: np.random.Generator) -> np.ndarray:
    mask = (rng.random((n, n)) < density) & ~np.eye(n, dtype=bool)
    s, o = np.nonzero(mask)
    return np.stack([s, o, rng.integers(0, 56, size=s.size)], axis=1).astype(np.int64)


def random_scene_graph(
    rng: np.random.Generator, n: int, density: float = 0.2, d: int = 16
) -> SceneGraph:
    """A valid random graph of ``n`` nodes with edge density ``density`` (``d``-dim features)."""
    h = w = 4
    masks = rng.random((n, h, w)) < 0.5
    masks[:, 0, 0] = True
    f = rng.normal(size=(n, d)) + 0.5
    f /= np.linalg.norm(f, axis=1, keepdims=True)
    emb = rng.normal(size=d) + 0.5
    emb /= np.linalg.norm(emb)
    edges = _edges(n, density, rng)
    return SceneGraph(
        masks=masks,
        features=f.astype(np.float32),
        centroids=rng.random((n, 2)),
        saliency_mass=rng.random(n) * 50,
        edges=edges,
        edge_scores=rng.uniform(0.05, 1.0, size=len(edges)),
        image_embedding=emb.astype(np.float32),
        boxes=np.tile(np.array([0, 0, h, w]), (n, 1)),
        image_shape=(h, w),
        backend={"name": "synthetic"},
    )


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def perturbed_graph(g: SceneGraph, rng: np.random.Generator, noise: float) -> SceneGraph:
    """A copy of ``g`` with feature, centroid, saliency and edge-score noise of size ``noise``.

    Some edges are dropped with probability ``noise / 2``, so the neighbourhoods
    differ as well.
    """
    f = _unit(g.features.astype(np.float64) + noise * rng.normal(size=g.features.shape))
    emb = _unit(
        g.image_embedding.astype(np.float64) + noise * rng.normal(size=g.image_embedding.shape)
    )
    keep = rng.random(len(g.edges)) >= noise / 2
    scores = np.clip(g.edge_scores[keep] + noise * rng.normal(size=int(keep.sum())), 0.01, 1.0)
    return SceneGraph(
        masks=g.masks.copy(),
        features=f.astype(np.float32),
        centroids=np.clip(g.centroids + 0.3 * noise * rng.normal(size=g.centroids.shape), 0, 1),
        saliency_mass=g.saliency_mass * np.exp(noise * rng.normal(size=g.n_nodes)),
        edges=g.edges[keep].copy(),
        edge_scores=scores,
        image_embedding=emb.astype(np.float32),
        boxes=g.boxes.copy(),
        image_shape=g.image_shape,
        backend=dict(g.backend),
    )


def synthetic_pairs(
    rng: np.random.Generator,
    n_refs: int,
    tests_per_ref: int,
    nodes: tuple[int, int] = (3, 9),
    density: float = 0.2,
    noise: tuple[float, float] = (0.1, 1.5),
) -> tuple[list[tuple[SceneGraph, SceneGraph]], np.ndarray]:
    """``n_refs * tests_per_ref`` (reference, perturbed test) graph pairs and their ref index.

    Node counts are drawn from ``[nodes[0], nodes[1])``, noise levels uniformly from ``noise``.
    """
    pairs, group = [], []
    for r in range(n_refs):
        g = random_scene_graph(rng, int(rng.integers(*nodes)), density)
        for _ in range(tests_per_ref):
            pairs.append((g, perturbed_graph(g, rng, float(rng.uniform(*noise)))))
            group.append(r)
    return pairs, np.asarray(group, np.int64)
