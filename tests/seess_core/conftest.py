"""Fixtures for the SeSS core tests: the loop oracle and random scene graphs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from seess.scene import SceneGraph

_HERE = Path(__file__).parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"seess_core_{name}", _HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def oracle():
    """The plain loop reference implementation (tests/seess_core/oracle.py)."""
    return _load("oracle")


def random_edges(n: int, density: float, rng: np.random.Generator) -> np.ndarray:
    """Random directed edges (no self-loops, one per ordered pair), (m, 3) int64."""
    rows = [
        (s, o, int(rng.integers(56)))
        for s in range(n)
        for o in range(n)
        if s != o and rng.random() < density
    ]
    e = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return e[rng.permutation(len(e))]


def random_relation_sim(rng: np.random.Generator, dim: int = 6) -> np.ndarray:
    """Symmetric (56, 56) cosine matrix with unit diagonal, like CLIP text cosines."""
    t = rng.normal(size=(56, dim)) + 2.0
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    return t @ t.T


def random_graph(n: int, density: float, rng: np.random.Generator, d: int = 8) -> SceneGraph:
    """A valid SceneGraph with random features, centroids, saliency and relations."""
    h = w = 4
    masks = rng.random((n, h, w)) < 0.5
    masks[:, 0, 0] = True
    f = rng.normal(size=(n, d)) + 1.0
    f /= np.linalg.norm(f, axis=1, keepdims=True)
    emb = rng.normal(size=d) + 1.0
    emb /= np.linalg.norm(emb)
    edges = random_edges(n, density, rng)
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
        backend={"name": "test", "seed": 0},
    )


def permute_graph(g: SceneGraph, perm: np.ndarray, rng: np.random.Generator) -> SceneGraph:
    """Same graph with node k of the result = node perm[k] of g; edge rows shuffled."""
    inv = np.empty_like(perm)
    inv[perm] = np.arange(len(perm))
    e = g.edges.copy()
    e[:, 0], e[:, 1] = inv[g.edges[:, 0]], inv[g.edges[:, 1]]
    order = rng.permutation(len(e))
    return SceneGraph(
        masks=g.masks[perm],
        features=g.features[perm],
        centroids=g.centroids[perm],
        saliency_mass=g.saliency_mass[perm],
        edges=e[order],
        edge_scores=g.edge_scores[order],
        image_embedding=g.image_embedding,
        boxes=g.boxes[perm],
        image_shape=g.image_shape,
        backend=g.backend,
    )


@pytest.fixture(scope="session")
def gen():
    """Namespace of the random generators above."""

    class _Gen:
        edges = staticmethod(random_edges)
        relation_sim = staticmethod(random_relation_sim)
        graph = staticmethod(random_graph)
        permute = staticmethod(permute_graph)

    return _Gen
