"""The scene graph of one image: the data structure every SeSS stage shares.

Building one (segmentation, embeddings, relations) is ``seess.graph``'s job;
scoring two (importance, similarity, matching) is ``seess.match`` /
``seess.score``'s. A graph holds only preset-independent quantities, so one
graph per image serves every preset and every comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["SceneGraph", "check_edges"]


def check_edges(
    edges: np.ndarray, n: int, *, n_pred: int | None = None, name: str = "edges"
) -> np.ndarray:
    """``edges`` as int64 ``(m, 3)`` rows ``(subject, object, predicate)``, or ``ValueError``.

    The one edge validation of SeSS (scene graphs, importance, matching): integer
    rows of three, endpoints in ``0..n-1``, predicates in ``0..n_pred-1`` (when
    given), no self-loops, at most one edge per ordered (subject, object) pair. An
    empty input gives a ``(0, 3)`` array.
    """
    e = np.asarray(edges)
    if e.size == 0:
        return np.zeros((0, 3), np.int64)
    if e.ndim != 2 or e.shape[1] != 3:
        raise ValueError(f"{name} must be (m, 3) rows (subject, object, predicate), got {e.shape}")
    if not np.issubdtype(e.dtype, np.integer):
        raise ValueError(f"{name} must be integers, got {e.dtype}")
    e = e.astype(np.int64)
    if e[:, :2].min() < 0 or e[:, :2].max() >= n:
        raise ValueError(f"{name}: endpoint out of range for {n} nodes")
    if n_pred is not None and (e[:, 2].min() < 0 or e[:, 2].max() >= n_pred):
        raise ValueError(f"{name}: predicate index out of range for R of size {n_pred}")
    if np.any(e[:, 0] == e[:, 1]):
        raise ValueError(f"{name}: self-loops are not allowed")
    if np.unique(e[:, 0] * n + e[:, 1]).size != e.shape[0]:
        raise ValueError(f"{name}: at most one edge per ordered (subject, object) pair")
    return e


@dataclass
class SceneGraph:
    """Nodes (masks), their features, and directed labelled edges.

    Attributes
    ----------
    masks: ``(n, H, W)`` bool, one mask per node, at the graph's working
        resolution (longer side <= 800 px).
    features: ``(n, d)`` float32, L2-normalised embedding of each node's crop.
    centroids: ``(n, 2)`` float64, mask centroid as ``(row / H, col / W)``.
    saliency_mass: ``(n,)`` float64, the sum of the spectral-residual saliency
        map over each mask (spec section 2, before the ``1/k1`` power).
    edges: ``(m, 3)`` int64 rows ``(subject, object, predicate)``; predicate
        indexes the 56 PSG predicates; at most one edge per ordered pair.
    edge_scores: ``(m,)`` float64, the relation score of each edge.
    image_embedding: ``(d,)`` float32, L2-normalised embedding of the whole image.
    boxes: ``(n, 4)`` int64, mask bounding boxes ``(row0, col0, row1, col1)``, end exclusive.
    image_shape: ``(H, W)`` of the working resolution.
    backend: provenance: backend set name (``sess``, ``sess-lite``...), model
        names, settings, and the content hash of the source image.
    views: other graphs of the same image, each built with another view of the
        segmenter (``sess-lite``: SLIC's grid placed elsewhere); empty for a
        single-view backend. SeSS of graphs with views compares every view of one
        image with every view of the other (:mod:`seess.views`).
    """

    masks: np.ndarray
    features: np.ndarray
    centroids: np.ndarray
    saliency_mass: np.ndarray
    edges: np.ndarray
    edge_scores: np.ndarray
    image_embedding: np.ndarray
    boxes: np.ndarray
    image_shape: tuple[int, int]
    backend: dict[str, Any] = field(default_factory=dict)
    views: tuple[SceneGraph, ...] = ()

    @property
    def n_nodes(self) -> int:
        return int(self.features.shape[0])

    def validate(self) -> SceneGraph:
        """Check shapes and value ranges; return self."""
        n = self.n_nodes
        if n < 1:
            raise ValueError("a scene graph has at least one node")
        h, w = self.image_shape
        if self.masks.shape != (n, h, w) or self.masks.dtype != np.bool_:
            raise ValueError(
                f"masks must be bool of shape {(n, h, w)}, got {self.masks.dtype} {self.masks.shape}"
            )
        if (
            self.centroids.shape != (n, 2)
            or self.saliency_mass.shape != (n,)
            or self.boxes.shape != (n, 4)
        ):
            raise ValueError("centroids, saliency_mass and boxes must have one row per node")
        if (
            self.edges.ndim != 2
            or self.edges.shape[1] != 3
            or self.edge_scores.shape != (self.edges.shape[0],)
        ):
            raise ValueError("edges must be (m, 3) with one score per edge")
        check_edges(self.edges, n)
        for v in self.views:
            if v.views:
                raise ValueError("a view of a scene graph cannot have views of its own")
            if tuple(v.image_shape) != tuple(self.image_shape):
                raise ValueError(
                    f"views must share the image shape {self.image_shape}, got {v.image_shape}"
                )
            v.validate()
        return self

    @property
    def all_views(self) -> tuple[SceneGraph, ...]:
        """This graph and its other views (view 0 first)."""
        return (self, *self.views)
