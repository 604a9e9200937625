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

__all__ = ["SceneGraph"]


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
        if self.edges.size:
            if self.edges[:, :2].min() < 0 or self.edges[:, :2].max() >= n:
                raise ValueError("edge endpoints out of range")
            if np.any(self.edges[:, 0] == self.edges[:, 1]):
                raise ValueError("self-loops are not allowed")
            pairs = {(int(s), int(o)) for s, o, _ in self.edges}
            if len(pairs) != self.edges.shape[0]:
                raise ValueError("at most one edge per ordered (subject, object) pair")
        return self
