"""Relation prediction over the 56 PSG predicates and triplet selection (spec 1.3-1.4).

A :class:`RelationPredictor` maps an image and its masks to a score tensor
``(56, n, n)`` (``[r, s, o]``: predicate ``r`` with subject ``s`` and object
``o``; diagonal zero). Two predictors:

- :class:`ClipRelationPredictor`: CLIP zero-shot on the union crop of subject
  and object (default of the ``sess`` backend set). The crop is a visual
  prompt: the subject at full intensity, the object at 70 %, the context at
  30 %, so ``(s, o)`` and ``(o, s)`` differ. Scores are the softmax over the 56
  prompts ``"a photo of something {predicate} something"`` of CLIP's scaled cosines.
- :class:`GeometricRelationPredictor`: rules on the masks (``over``, ``in front of``,
  ``beside``, ``on``, ``in``, ``attached to``, ``hanging from``, ``enclosing``),
  no weights (``sess-lite``).

The authors' demo uses RelateAnything (a transformer over SAM features trained
on PSG); its checkpoint loader is not part of this package (see docs/seess.md).

Both predictors only consider the ``max_objects`` largest masks (pairs grow
quadratically); the others score 0 and so never enter the graph unless fewer
than 2 masks exist. :func:`select_triplets` turns the tensor into nodes and edges.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any

import numpy as np

from seess.predicates import N_PREDICATES, PSG_PREDICATES

__all__ = [
    "GEOMETRIC_PREDICATES",
    "ClipRelationPredictor",
    "GeometricRelationPredictor",
    "RelationPredictor",
    "Triplets",
    "select_triplets",
]

P = {name: i for i, name in enumerate(PSG_PREDICATES)}
#: Predicates the geometric rules can produce.
GEOMETRIC_PREDICATES = (
    "over",
    "in front of",
    "beside",
    "on",
    "in",
    "attached to",
    "hanging from",
    "enclosing",
)


class RelationPredictor(abc.ABC):
    """Image + masks -> ``(56, n, n)`` float64 relation scores in [0, 1], zero diagonal."""

    name: str = "relations"

    def __init__(self, max_objects: int = 24) -> None:
        if max_objects < 2:
            raise ValueError(f"max_objects must be >= 2, got {max_objects}")
        self.max_objects = int(max_objects)

    def predict(self, image: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Scores ``(56, n, n)`` for uint8 RGB ``image`` ``(H, W, 3)`` and bool ``masks`` ``(n, H, W)``.

        Masks are expected largest first (as :func:`seess.segment.postprocess_masks`
        returns them); only the first ``max_objects`` take part.
        """
        n = masks.shape[0]
        out = np.zeros((N_PREDICATES, n, n))
        k = min(n, self.max_objects)
        if k >= 2:
            sub = np.asarray(self._predict(image, masks[:k]), dtype=np.float64)
            if sub.shape != (N_PREDICATES, k, k):
                raise RuntimeError(
                    f"{self.name}: scores of shape {sub.shape}, expected {(N_PREDICATES, k, k)}"
                )
            out[:, :k, :k] = np.clip(np.nan_to_num(sub), 0.0, 1.0)
            idx = np.arange(k)
            out[:, idx, idx] = 0.0
        return out

    @abc.abstractmethod
    def _predict(self, image: np.ndarray, masks: np.ndarray) -> np.ndarray: ...

    def describe(self) -> dict[str, Any]:
        return {"relations": self.name, "max_objects": self.max_objects}


def _downsample_masks(masks: np.ndarray, side: int) -> np.ndarray:
    """Bool masks ``(n, h, w)`` with ``max(h, w) <= side`` by block max-pooling-free striding."""
    n, h, w = masks.shape
    step = max(1, int(np.ceil(max(h, w) / side)))
    if step == 1:
        return masks
    hh, ww = -(-h // step) * step, -(-w // step) * step
    pad = np.zeros((n, hh, ww), np.float32)
    pad[:, :h, :w] = masks
    frac = pad.reshape(n, hh // step, step, ww // step, step).mean(axis=(2, 4))
    small = frac >= 0.5
    empty = ~small.reshape(n, -1).any(1)
    small[empty] = frac[empty] > 0  # keep tiny masks visible
    return small


class GeometricRelationPredictor(RelationPredictor):
    """Spatial predicates from mask geometry, computed on masks downsampled to ``side`` px.

    For subject ``s`` and object ``o`` (all terms in [0, 1]):

    - ``inside = |s & fill(o)| / |s|`` (``fill`` fills holes), zero unless ``|s| < |o|``;
      ``in = inside``, ``enclosing[s, o] = in[o, s]``;
    - ``touch = min(1, 4 |ring(s) & o| / |ring(s)|)`` with ``ring`` the outer border
      (a dilation by ``touch_px`` px at the downsampled size): contact along one
      whole side of a box already counts as full contact;
    - ``above = clip((row(o) - row(s)) / ((h_s + h_o) / 2), 0, 1)`` from centroids
      and box heights; ``below`` likewise; ``hoverlap`` / ``voverlap`` the overlap of
      the column / row extents over the smaller extent;
    - ``on = touch * above * (1 - inside)``, ``hanging from = touch * below * (1 - inside)``,
      ``attached to = touch * (1 - max(above, below)) * (1 - inside)``;
    - ``over = (1 - touch) * above * hoverlap * (1 - inside) * prox`` with
      ``prox = exp(-box distance / (diagonal / 4))``;
    - ``beside = (1 - hoverlap) * voverlap * exp(-gap / (w_s + w_o))``;
    - ``in front of = box-overlap(s, o) * [bottom(s) > bottom(o)] * (1 - inside)``.
    """

    name = "geometric"

    def __init__(self, max_objects: int = 24, side: int = 96, touch_px: int = 1) -> None:
        super().__init__(max_objects)
        self.side = int(side)
        self.touch_px = int(touch_px)

    def _predict(self, image: np.ndarray, masks: np.ndarray) -> np.ndarray:
        from scipy import ndimage

        m = _downsample_masks(masks, self.side)
        n, h, w = m.shape
        flat = m.reshape(n, -1).astype(np.float32)
        area = np.maximum(flat.sum(1), 1.0)
        filled = (
            np.stack([ndimage.binary_fill_holes(x) for x in m]).reshape(n, -1).astype(np.float32)
        )
        struct = np.ones((2 * self.touch_px + 1,) * 2, bool)
        ring = np.stack([ndimage.binary_dilation(x, struct) & ~x for x in m]).reshape(n, -1)
        ring = ring.astype(np.float32)
        inside = (flat @ filled.T) / area[:, None]  # [s, o]
        inside *= area[:, None] < area[None, :]
        touch = np.minimum(1.0, 4.0 * (ring @ flat.T) / np.maximum(ring.sum(1), 1.0)[:, None])

        rows = np.arange(h, dtype=np.float64)
        rsum, csum = m.sum(2), m.sum(1)  # (n, h), (n, w)
        cy = rsum @ rows / area
        r_any, c_any = rsum > 0, csum > 0
        r0 = np.argmax(r_any, 1)
        r1 = h - np.argmax(r_any[:, ::-1], 1)
        c0 = np.argmax(c_any, 1)
        c1 = w - np.argmax(c_any[:, ::-1], 1)
        hgt, wid = (r1 - r0).astype(float), (c1 - c0).astype(float)

        half_h = (hgt[:, None] + hgt[None, :]) / 2.0
        above = np.clip((cy[None, :] - cy[:, None]) / np.maximum(half_h, 1.0), 0.0, 1.0)
        below = above.T
        col_ov = np.clip(
            np.minimum(c1[:, None], c1[None, :]) - np.maximum(c0[:, None], c0[None, :]), 0, None
        )
        row_ov = np.clip(
            np.minimum(r1[:, None], r1[None, :]) - np.maximum(r0[:, None], r0[None, :]), 0, None
        )
        hoverlap = col_ov / np.maximum(np.minimum(wid[:, None], wid[None, :]), 1.0)
        voverlap = row_ov / np.maximum(np.minimum(hgt[:, None], hgt[None, :]), 1.0)
        gap = np.clip(
            np.maximum(c0[:, None], c0[None, :]) - np.minimum(c1[:, None], c1[None, :]), 0, None
        )
        box_dist = np.hypot(
            gap,
            np.clip(
                np.maximum(r0[:, None], r0[None, :]) - np.minimum(r1[:, None], r1[None, :]), 0, None
            ),
        )
        prox = np.exp(-box_dist / (0.25 * np.hypot(h, w)))
        box_area = hgt * wid
        box_ov = col_ov * row_ov / np.maximum(np.minimum(box_area[:, None], box_area[None, :]), 1.0)

        free = 1.0 - np.maximum(inside, inside.T)
        out = np.zeros((N_PREDICATES, n, n))
        out[P["in"]] = inside
        out[P["enclosing"]] = inside.T
        out[P["on"]] = touch * above * free
        out[P["hanging from"]] = touch * below * free
        out[P["attached to"]] = touch * (1.0 - np.maximum(above, below)) * free
        out[P["over"]] = (1.0 - touch) * above * hoverlap * free * prox
        out[P["beside"]] = (
            (1.0 - hoverlap)
            * voverlap
            * np.exp(-gap / np.maximum(wid[:, None] + wid[None, :], 1.0))
        )
        out[P["in front of"]] = box_ov * (r1[:, None] > r1[None, :]) * free * (1.0 - touch)
        return out

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "side": self.side, "touch_px": self.touch_px}


def _union_prompt_crop(image: np.ndarray, ms: np.ndarray, mo: np.ndarray) -> np.ndarray:
    """Union box of subject ``ms`` and object ``mo``; subject 100 %, object 70 %, rest 30 % intensity."""
    both = ms | mo
    r = np.flatnonzero(both.any(1))
    c = np.flatnonzero(both.any(0))
    r0, r1, c0, c1 = r[0], r[-1] + 1, c[0], c[-1] + 1
    crop = image[r0:r1, c0:c1].astype(np.float32)
    gain = np.full(crop.shape[:2], 0.3, np.float32)
    gain[mo[r0:r1, c0:c1]] = 0.7
    gain[ms[r0:r1, c0:c1]] = 1.0
    return np.clip(crop * gain[:, :, None] + 0.5, 0, 255).astype(np.uint8)


class ClipRelationPredictor(RelationPredictor):
    """CLIP zero-shot relations on union crops (see the module docstring).

    ``embedder``: a :class:`seess.embed.ClipEmbedder` (or any embedder with a
    text side); ``temperature``: CLIP's logit scale (100 for the released models).
    """

    name = "clip-zero-shot"

    def __init__(self, embedder, max_objects: int = 24, temperature: float = 100.0) -> None:
        super().__init__(max_objects)
        if not getattr(embedder, "has_text", False):
            raise ValueError("clip relations need an embedder with a text encoder (OpenCLIP)")
        self.embedder = embedder
        self.temperature = float(temperature)
        self._text: np.ndarray | None = None

    def prompts(self) -> list[str]:
        return [f"a photo of something {p} something" for p in PSG_PREDICATES]

    def _predict(self, image: np.ndarray, masks: np.ndarray) -> np.ndarray:
        n = masks.shape[0]
        if self._text is None:
            self._text = self.embedder.embed_texts(self.prompts()).astype(np.float64)
        pairs = [(s, o) for s in range(n) for o in range(n) if s != o]
        crops = [_union_prompt_crop(image, masks[s], masks[o]) for s, o in pairs]
        feats = self.embedder.embed_images(crops).astype(np.float64)
        logits = self.temperature * feats @ self._text.T  # (pairs, 56)
        logits -= logits.max(1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(1, keepdims=True)
        out = np.zeros((N_PREDICATES, n, n))
        for (s, o), p in zip(pairs, prob):
            out[:, s, o] = p
        return out

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "relation_model": self.embedder.name}


@dataclass
class Triplets:
    """Selected relations: ``nodes`` (kept mask indices, ascending), ``edges`` ``(m, 3)``
    int64 ``(subject, object, predicate)`` re-indexed into ``nodes``, ``scores`` ``(m,)``."""

    nodes: np.ndarray
    edges: np.ndarray
    scores: np.ndarray


def select_triplets(
    scores: np.ndarray,
    top_k: int = 20,
    min_score: float = 0.05,
    *,
    rule: str = "spec",
    candidates: int = 100,
) -> Triplets:
    """Spec 1.3-1.4 on a ``(56, n, n)`` score tensor.

    Triplets ``(s, o, r)`` (``s != o``, score > 0) are sorted by score
    (descending; ties in ``(r, s, o)`` order). ``rule="spec"``: the first
    ``top_k`` are kept, then more while their score is ``>= min_score``.
    ``rule="demo"`` (the authors' ``predict.py`` on RelateAnything's top
    ``candidates`` = 100 triplets): only the first ``candidates`` take part,
    and of those beyond the first ``top_k`` that pass ``min_score`` the last
    one is dropped (the demo sets ``k = i`` for a passing triplet ``i`` and
    keeps ``[:k]``), so at most ``candidates - 1`` are kept.
    Nodes are the masks in a kept triplet; each ordered pair keeps its
    highest-scoring predicate. With no kept triplet every mask is a node and
    there are no edges (1 mask: one node, no edges).

    Example
    -------
    >>> s = np.zeros((56, 2, 2)); s[0, 0, 1] = 0.9; s[3, 1, 0] = 0.5
    >>> select_triplets(s, top_k=1, min_score=0.1).edges.tolist()
    [[0, 1, 0], [1, 0, 3]]
    >>> select_triplets(s, top_k=1, min_score=0.1, rule="demo").edges.tolist()
    [[0, 1, 0]]
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 3 or scores.shape[0] != N_PREDICATES or scores.shape[1] != scores.shape[2]:
        raise ValueError(f"relation scores must be (56, n, n), got {scores.shape}")
    if rule not in ("spec", "demo"):
        raise ValueError(f"triplet rule must be 'spec' or 'demo', got {rule!r}")
    if candidates < 1:
        raise ValueError(f"candidates must be >= 1, got {candidates}")
    n = scores.shape[1]
    s = scores.copy()
    idx = np.arange(n)
    s[:, idx, idx] = 0.0
    flat = s.ravel()
    order = np.argsort(-flat, kind="stable")
    positive = order[flat[order] > 0]
    if rule == "spec":
        keep = [i for j, i in enumerate(positive) if j < top_k or flat[i] >= min_score]
    else:
        cand = positive[:candidates]
        k = min(len(cand), top_k)
        for j in range(k, len(cand)):
            if flat[cand[j]] < min_score:
                break
            k = j
        keep = list(cand[:k])
    if not keep:
        return Triplets(np.arange(n), np.zeros((0, 3), np.int64), np.zeros(0))
    r, sub, obj = np.unravel_index(np.asarray(keep), s.shape)
    best: dict[tuple[int, int], tuple[int, float]] = {}
    for ri, si, oi, v in zip(r, sub, obj, flat[keep]):
        key = (int(si), int(oi))
        if key not in best:  # sorted: the first is the highest
            best[key] = (int(ri), float(v))
    nodes = np.unique(np.concatenate([sub, obj]))
    remap = {int(v): i for i, v in enumerate(nodes)}
    items = sorted(best.items())
    edges = np.array([[remap[a], remap[b], p] for (a, b), (p, _) in items], np.int64)
    sc = np.array([v for _, (_, v) in items], np.float64)
    return Triplets(nodes.astype(np.int64), edges, sc)
