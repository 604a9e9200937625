"""Score two scene graphs: importance, similarity, matching, final SeSS (spec 2, 4-6).

:func:`score_graphs` is the one entry point the graph builder calls; it is
pure (no models): everything model-dependent already sits in the two
:class:`~seess.scene.SceneGraph` objects and the relation-similarity matrix.

Example
-------
>>> import numpy as np
>>> from seess.presets import get_preset
>>> from seess.scene import SceneGraph
>>> g = SceneGraph(masks=np.ones((1, 2, 2), bool), features=np.ones((1, 4)) / 2,
...                centroids=np.full((1, 2), .5), saliency_mass=np.ones(1),
...                edges=np.zeros((0, 3), np.int64), edge_scores=np.zeros(0),
...                image_embedding=np.ones(4) / 2, boxes=np.array([[0, 0, 2, 2]]),
...                image_shape=(2, 2))
>>> round(score_graphs(g, g, np.eye(56), get_preset("paper")).score, 12)
1.0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seess.importance import node_importance_parts
from seess.match import GraphAssignment, graph_score, initial_similarity, iterate_similarity
from seess.predicates import N_PREDICATES, PSG_PREDICATES
from seess.presets import SeSSParams
from seess.scene import SceneGraph

__all__ = ["SeSSResult", "image_similarity", "result_notes", "score_graphs"]


def result_notes(params: SeSSParams) -> list[str]:
    """Caveats of a result computed with ``params``, in words (the explanation shows them).

    Example
    -------
    >>> from seess.presets import get_preset
    >>> result_notes(get_preset("paper"))
    []
    >>> "argument order" in result_notes(get_preset("official"))[0]
    True
    """
    notes = []
    if params.update == "in_place":
        notes.append(
            "in-place update (the authors' demo): the score depends on argument order, "
            "SeSS(a, b) != SeSS(b, a) in general (2.6e-5 on one pair of the golden set); "
            "the paper preset's synchronous update is symmetric"
        )
    if params.triplets == "demo":
        notes.append("graph rule of the demo: top-100 relation triplets, at most 99 kept")
    if params.resize == "width":
        notes.append("graph rule of the demo: images shrunk by width only (> 800 px)")
    return notes


@dataclass
class SeSSResult:
    """SeSS of one image pair with everything needed to explain it.

    score: ``(1 - gamma) * graph_score + gamma * image_score``. Never above 1
        (up to rounding); below 0 only if some cosines are negative. Not clipped.
    graph_score: ``(n1 G1 + n2 G2) / (n1 + n2)`` (section 6).
    image_score: cosine of the two whole-image embeddings.
    similarity: ``(n1, n2)`` final node similarity ``L``.
    initial_similarity: ``(n1, n2)`` ``L0``.
    importance1, importance2: ``(n1,)``, ``(n2,)`` node importances (sum 1).
    assignment: one dict per matched pair (union of the G1 and G2 matchings):
        ``node1``, ``node2``, ``similarity`` (``L[u, v]``), ``in_g1``, ``in_g2``,
        ``weight`` (the pair's coefficient in ``graph_score``) and
        ``contribution`` (``(1 - gamma) * weight * similarity``, its share of
        ``score``; the contributions sum to ``(1 - gamma) * graph_score``),
        sorted by contribution, largest first.
    view_scores: for graphs with views (``sess-lite``), the single-graph scores of
        every view of image 1 against every view of image 2, and of each image's views
        against each other, ``(cross, self1, self2)``; ``score`` is then the view score
        (:func:`seess.views.view_score`) and every other field describes the first
        views' pair. ``None`` for single-view graphs.
    """

    score: float
    graph_score: float
    image_score: float
    similarity: np.ndarray
    initial_similarity: np.ndarray
    importance1: np.ndarray
    importance2: np.ndarray
    assignment: list[dict[str, Any]]
    params: SeSSParams
    g1: float = 0.0
    g2: float = 0.0
    importance_parts1: dict[str, Any] = field(default_factory=dict)
    importance_parts2: dict[str, Any] = field(default_factory=dict)
    graph1: SceneGraph | None = field(default=None, repr=False)
    graph2: SceneGraph | None = field(default=None, repr=False)
    view_scores: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable explanation (no masks; nodes, relations, matching, scores)."""
        graphs = []
        for g, parts in (
            (self.graph1, self.importance_parts1),
            (self.graph2, self.importance_parts2),
        ):
            graphs.append(_graph_dict(g, parts) if g is not None else None)
        return {
            "score": float(self.score),
            "graph_score": float(self.graph_score),
            "image_score": float(self.image_score),
            "g1": float(self.g1),
            "g2": float(self.g2),
            "params": self.params.to_dict(),
            "notes": result_notes(self.params),
            "graphs": graphs,
            "assignment": [_jsonable(a) for a in self.assignment],
            "initial_similarity": np.asarray(self.initial_similarity, float).tolist(),
            "similarity": np.asarray(self.similarity, float).tolist(),
            "view_scores": None
            if self.view_scores is None
            else dict(zip(("cross", "self1", "self2"), _jsonable(list(self.view_scores)))),
        }


def _jsonable(x: Any) -> Any:
    """Numpy scalars/arrays and containers -> plain Python."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    return x


def _graph_dict(g: SceneGraph, parts: dict[str, Any]) -> dict[str, Any]:
    n = g.n_nodes
    areas = g.masks.reshape(n, -1).sum(axis=1)
    nodes = [
        {
            "index": i,
            "importance": float(parts["importance"][i]),
            "semantic_importance": float(parts["semantic"][i]),
            "relation_importance": float(parts["relation"][i]),
            "saliency_mass": float(g.saliency_mass[i]),
            "centroid": [float(c) for c in g.centroids[i]],
            "box": [int(b) for b in g.boxes[i]],
            "area": int(areas[i]),
        }
        for i in range(n)
    ]
    relations = [
        {
            "subject": int(s),
            "object": int(o),
            "predicate": int(p),
            "predicate_name": PSG_PREDICATES[int(p)],
            "score": float(w),
        }
        for (s, o, p), w in zip(g.edges.reshape(-1, 3), g.edge_scores, strict=True)
    ]
    return {
        "n_nodes": n,
        "image_shape": [int(v) for v in g.image_shape],
        "relation_importance_fallback": bool(parts["relation_fallback"]),
        "nodes": nodes,
        "relations": relations,
        "backend": _jsonable(dict(g.backend)),
    }


def clamp_unit(score: float) -> float:
    """``score`` capped at 1.0: rounding in the float64 sums can give identical images
    1.0000000000000002 (a few ulps); the score is a similarity, never above 1. Values below 1
    are returned unchanged (the official values hold to 1e-12)."""
    return min(float(score), 1.0)


def image_similarity(e1: np.ndarray, e2: np.ndarray) -> float:
    """Cosine of two ``(d,)`` image embeddings (float, in [-1, 1])."""
    a = np.asarray(e1, dtype=np.float64).reshape(-1)
    b = np.asarray(e2, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"image embeddings differ in size: {a.shape} vs {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("image embedding contains NaN or infinite values")
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        raise ValueError("image embedding is all zeros; its cosine is undefined")
    return float(a @ b / (na * nb))


def _assignment(
    L: np.ndarray, imp1: np.ndarray, imp2: np.ndarray, match: GraphAssignment, gamma: float
) -> list[dict[str, Any]]:
    n1, n2 = L.shape
    pairs: dict[tuple[int, int], list[bool]] = {}
    for r, c in zip(match.rows1, match.cols1, strict=True):
        pairs.setdefault((int(r), int(c)), [False, False])[0] = True
    for r, c in zip(match.rows2, match.cols2, strict=True):
        pairs.setdefault((int(r), int(c)), [False, False])[1] = True
    out = []
    for (u, v), (in1, in2) in pairs.items():
        weight = (n1 * imp1[u] * in1 + n2 * imp2[v] * in2) / (n1 + n2)
        out.append(
            {
                "node1": u,
                "node2": v,
                "similarity": float(L[u, v]),
                "in_g1": in1,
                "in_g2": in2,
                "weight": float(weight),
                "contribution": float((1.0 - gamma) * weight * L[u, v]),
            }
        )
    out.sort(key=lambda d: (-d["contribution"], d["node1"], d["node2"]))
    return out


def score_graphs(
    g1: SceneGraph, g2: SceneGraph, relation_sim: np.ndarray, params: SeSSParams
) -> SeSSResult:
    """SeSS of two scene graphs (spec sections 2, 4, 5, 6).

    Parameters
    ----------
    g1, g2: scene graphs (validated here).
    relation_sim: ``(56, 56)`` float, cosine similarity of the predicate texts.
    params: hyper-parameters (``seess.presets.get_preset``).

    Returns
    -------
    :class:`SeSSResult`. Non-finite inputs raise ValueError; the final score is capped at 1
    (:func:`clamp_unit`: rounding excess of identical images), nothing else is clipped.
    """
    if not isinstance(params, SeSSParams):
        raise TypeError(f"params must be a SeSSParams, got {type(params).__name__}")
    for name, g in (("g1", g1), ("g2", g2)):
        if not isinstance(g, SceneGraph):
            raise TypeError(f"{name} must be a SceneGraph, got {type(g).__name__}")
        g.validate()
    R = np.asarray(relation_sim, dtype=np.float64)
    if R.shape != (N_PREDICATES, N_PREDICATES):
        raise ValueError(f"relation_sim must be ({N_PREDICATES}, {N_PREDICATES}), got {R.shape}")
    if not np.all(np.isfinite(R)):
        raise ValueError("relation_sim contains NaN or infinite values")

    p = params
    parts1 = node_importance_parts(g1.saliency_mass, g1.edges, g1.edge_scores, p.k1, p.k2, p.k3)
    parts2 = node_importance_parts(g2.saliency_mass, g2.edges, g2.edge_scores, p.k1, p.k2, p.k3)
    imp1, imp2 = parts1["importance"], parts2["importance"]
    L0 = initial_similarity(g1.features, g2.features, g1.centroids, g2.centroids, p.theta)
    L = iterate_similarity(L0, g1.edges, g2.edges, R, imp1, imp2, p.alpha, p.beta, p.ite, p.update)
    graph, match = graph_score(L, imp1, imp2)
    image = image_similarity(g1.image_embedding, g2.image_embedding)
    score = (1.0 - p.gamma) * graph + p.gamma * image
    if not np.isfinite(score):  # cannot happen with validated inputs; never hide it
        raise FloatingPointError(f"SeSS produced a non-finite score {score}")
    return SeSSResult(
        score=clamp_unit(score),
        graph_score=graph,
        image_score=image,
        similarity=L,
        initial_similarity=L0,
        importance1=imp1,
        importance2=imp2,
        assignment=_assignment(L, imp1, imp2, match, p.gamma),
        params=p,
        g1=match.g1,
        g2=match.g2,
        importance_parts1=parts1,
        importance_parts2=parts2,
        graph1=g1,
        graph2=g2,
    )
