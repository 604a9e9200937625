"""SeSS of graphs with several views (``sess-lite``'s partitions under shifted SLIC grids).

A single partition of an image is one draw of the segmenter's nuisance (where SLIC's
grid falls): a mild change of the image can re-decide a merge of two large regions, and
scores then move by more than the differences being ranked (``docs/seess.md``, issue 13).
With views, every image has ``K`` graphs, one per view, and

    SeSS(A, B) = mean_ij s(A_i, B_j) / sqrt(c(A) c(B)),   c(X) = mean_ij s(X_i, X_j),

where ``s`` is the single-graph score (:func:`seess.score.score_graphs`) and ``i, j``
run over all views of each image, independently. The numerator is the expected score
of a random partition of ``A`` against an independent random partition of ``B``, so a
shift of the whole scene, which only re-draws the partition, costs what re-drawing
costs; the denominator, each image's self-consistency, makes ``SeSS(A, A) = 1``. It is
the usual normalisation of a kernel, ``k(A, B) / sqrt(k(A, A) k(B, B))``. ``s`` is not
a positive-definite kernel, so the ratio could exceed 1; like a single score it is
capped at 1 (not seen on the ordering suite: the largest value of two different images
there is 0.996).

:class:`ViewPairs` lays the view pairs of many image pairs out as one flat list (what
:func:`seess.score.score_graphs` or :class:`seess.batch_score.BatchScorer` scores) and
folds their scores back: the one implementation both use.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from seess.scene import SceneGraph

__all__ = ["ViewPairs", "has_views", "view_score"]


def has_views(*graphs: SceneGraph) -> bool:
    """Whether any of ``graphs`` has views (then SeSS is the view score)."""
    return any(g.views for g in graphs)


def view_score(cross: np.ndarray, self_a: np.ndarray, self_b: np.ndarray) -> float:
    """The view score from the view-pair scores: ``cross`` ``(Ka, Kb)`` of ``A`` against
    ``B``, ``self_a`` ``(Ka, Ka)`` and ``self_b`` ``(Kb, Kb)`` of each image against
    itself. Capped at 1."""
    ca, cb = float(np.mean(self_a)), float(np.mean(self_b))
    if not (ca > 0 and cb > 0):
        raise ValueError(f"self-consistency must be positive, got {ca} and {cb}")
    return min(float(np.mean(cross)) / float(np.sqrt(ca * cb)), 1.0)


class ViewPairs:
    """The single-graph pairs behind the view scores of ``pairs`` (graph pairs).

    ``flat``: every view of each first graph against every view of its second, then
    every view of each distinct graph against every view of itself (each graph once).
    :meth:`fold` turns the scores of ``flat`` (in that order) into one view score per
    pair; :meth:`matrices` returns the score matrices of one pair.
    """

    def __init__(self, pairs: Sequence[tuple[SceneGraph, SceneGraph]]) -> None:
        self.flat: list[tuple[SceneGraph, SceneGraph]] = []
        self._cross: list[tuple[int, int, int]] = []  # start, Ka, Kb
        self._self: dict[int, tuple[int, int]] = {}  # id(graph) -> start, K
        self._ids: list[tuple[int, int]] = []
        for a, b in pairs:
            va, vb = a.all_views, b.all_views
            self._cross.append((len(self.flat), len(va), len(vb)))
            self.flat += [(x, y) for x in va for y in vb]
            self._ids.append((id(a), id(b)))
        for a, b in pairs:
            for g in (a, b):
                if id(g) not in self._self:
                    v = g.all_views
                    self._self[id(g)] = (len(self.flat), len(v))
                    self.flat += [(x, y) for x in v for y in v]

    def matrices(self, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(cross, self_a, self_b)`` score matrices of pair ``k`` from the flat scores."""
        s = np.asarray(scores, dtype=np.float64)
        start, ka, kb = self._cross[k]
        cross = s[start : start + ka * kb].reshape(ka, kb)
        mats = []
        for gid in self._ids[k]:
            st, n = self._self[gid]
            mats.append(s[st : st + n * n].reshape(n, n))
        return cross, mats[0], mats[1]

    def fold(self, scores: np.ndarray) -> np.ndarray:
        """One view score per pair ``(n_pairs,)`` from the scores of :attr:`flat`."""
        if len(scores) != len(self.flat):
            raise ValueError(f"expected {len(self.flat)} scores, got {len(scores)}")
        return np.array([view_score(*self.matrices(scores, k)) for k in range(len(self._cross))])

    def __len__(self) -> int:
        return len(self._cross)
