"""Scene-graph building (spec section 1 and 3) and serialisation.

:func:`build_graph` runs segmenter -> mask post-processing -> relations ->
triplet selection -> node features -> saliency mass, and returns a
:class:`~seess.scene.SceneGraph`. The models are injected, so the same code
runs the ``sess`` set (SAM, OpenCLIP, CLIP relations) and ``sess-lite``
(Felzenszwalb, descriptors, geometric relations).

:func:`save_graph` / :func:`load_graph` store a graph as one ``.npz`` file:
arrays, masks run-length encoded, and the JSON metadata (shape, provenance)
in a ``meta`` entry. The round trip is exact.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seess.embed import Embedder, mask_boxes
from seess.relations import RelationPredictor, select_triplets
from seess.scene import SceneGraph
from seess.segment import Segmenter, postprocess_masks, resize_working
from semcom_core.fsutil import atomic_path
from semcom_core.imageio import to_rgb_uint8

__all__ = [
    "GRAPH_FORMAT",
    "GraphSettings",
    "build_graph",
    "build_view_graph",
    "image_hash",
    "load_graph",
    "rle_decode",
    "rle_encode",
    "save_graph",
]

GRAPH_FORMAT = "seess-graph/1"


@dataclass(frozen=True)
class GraphSettings:
    """Preset-independent graph-building settings (spec 1; crop from spec 3).

    max_side: longer side of the working resolution (800 in the demo).
    iou_threshold / max_masks: mask de-duplication and cap (0.8, 512).
    top_k / min_score: triplet selection (first 20, then while score >= 0.05).
    crop: ``bbox`` (demo) or ``masked`` (paper eq. 19) node crops.
    triplets: ``spec`` or ``demo`` triplet rule (:func:`seess.relations.select_triplets`;
        the demo's candidates are the top ``candidates`` = 100 triplets).
    resize: ``longer_side`` (spec) or ``width`` (demo) working resolution
        (:func:`seess.segment.resize_working`).
    """

    max_side: int = 800
    iou_threshold: float = 0.8
    max_masks: int = 512
    top_k: int = 20
    min_score: float = 0.05
    crop: str = "bbox"
    triplets: str = "spec"
    resize: str = "longer_side"
    candidates: int = 100

    def __post_init__(self) -> None:
        if self.max_side < 1 or self.max_masks < 1 or self.top_k < 0:
            raise ValueError("max_side and max_masks must be >= 1, top_k >= 0")
        if not 0.0 <= self.iou_threshold <= 1.0:
            raise ValueError(f"iou_threshold must lie in [0, 1], got {self.iou_threshold}")
        if self.crop not in ("bbox", "masked"):
            raise ValueError(f"crop must be 'bbox' or 'masked', got {self.crop!r}")
        if self.triplets not in ("spec", "demo"):
            raise ValueError(f"triplets must be 'spec' or 'demo', got {self.triplets!r}")
        if self.resize not in ("longer_side", "width"):
            raise ValueError(f"resize must be 'longer_side' or 'width', got {self.resize!r}")
        if self.candidates < 1:
            raise ValueError(f"candidates must be >= 1, got {self.candidates}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def image_hash(image: np.ndarray) -> str:
    """SHA-256 hex digest of a uint8 RGB image's shape and bytes."""
    arr = np.ascontiguousarray(image)
    h = hashlib.sha256(f"{arr.shape}|{arr.dtype}|".encode())
    h.update(arr.tobytes())
    return h.hexdigest()


def _centroids(masks: np.ndarray) -> np.ndarray:
    n, h, w = masks.shape
    area = np.maximum(masks.reshape(n, -1).sum(1), 1).astype(np.float64)
    rows = masks.sum(2) @ np.arange(h, dtype=np.float64) / area
    cols = masks.sum(1) @ np.arange(w, dtype=np.float64) / area
    return np.stack([rows / h, cols / w], axis=1)


def build_graph(
    image: np.ndarray,
    segmenter: Segmenter,
    embedder: Embedder,
    relations: RelationPredictor,
    settings: GraphSettings | None = None,
    *,
    backend: str = "custom",
) -> SceneGraph:
    """The scene graph of one image.

    Parameters
    ----------
    image: any array :func:`semcom_core.imageio.to_rgb_uint8` accepts; resized so the
        longer side (``settings.resize="width"``: the width) is at most ``settings.max_side``.
    segmenter, embedder, relations: the three models.
    settings: :class:`GraphSettings` (defaults: spec values).
    backend: backend set name recorded in ``graph.backend["name"]``.

    Returns a validated :class:`SceneGraph`: no mask -> one whole-image node;
    one mask -> one node, no edges.
    """
    from seess.importance import SALIENCY_NAME, saliency_mass, spectral_residual_saliency

    st = settings or GraphSettings()
    src = to_rgb_uint8(image)
    digest = image_hash(src)
    img = resize_working(src, st.max_side, st.resize)
    h, w = img.shape[:2]
    masks = postprocess_masks(
        segmenter.segment(img), iou_threshold=st.iou_threshold, max_masks=st.max_masks
    )
    if masks.shape[0] == 0:
        masks = np.ones((1, h, w), bool)
    edges = np.zeros((0, 3), np.int64)
    edge_scores = np.zeros(0, np.float64)
    if masks.shape[0] >= 2:
        tri = select_triplets(
            relations.predict(img, masks),
            st.top_k,
            st.min_score,
            rule=st.triplets,
            candidates=st.candidates,
        )
        masks, edges, edge_scores = masks[tri.nodes], tri.edges, tri.scores
    boxes = mask_boxes(masks)
    feats = embedder.embed_nodes(img, masks, boxes, st.crop).astype(np.float32)
    image_embedding = embedder.embed_image(img).astype(np.float32)
    sal = spectral_residual_saliency(img)
    provenance = {
        "name": backend,
        **segmenter.describe(),
        **embedder.describe(),
        **relations.describe(),
        "saliency": SALIENCY_NAME,
        "settings": st.to_dict(),
        "image_sha256": digest,
        "source_shape": [int(v) for v in src.shape[:2]],
    }
    return SceneGraph(
        masks=np.ascontiguousarray(masks),
        features=feats,
        centroids=_centroids(masks),
        saliency_mass=np.asarray(saliency_mass(sal, masks), np.float64),
        edges=edges,
        edge_scores=edge_scores,
        image_embedding=image_embedding,
        boxes=boxes,
        image_shape=(h, w),
        backend=provenance,
    ).validate()


def build_view_graph(
    image: np.ndarray,
    segmenters: Sequence[Segmenter],
    embedder: Embedder,
    relations: RelationPredictor,
    settings: GraphSettings | None = None,
    *,
    backend: str = "custom",
) -> SceneGraph:
    """The graph of ``image`` built with ``segmenters[0]``, holding the graphs built with
    the others as its ``views`` (:func:`build_graph` once per segmenter; one segmenter
    gives a graph without views)."""
    if not segmenters:
        raise ValueError("build_view_graph needs at least one segmenter")
    first, *rest = (
        build_graph(image, seg, embedder, relations, settings, backend=backend)
        for seg in segmenters
    )
    if not rest:
        return first
    return dataclasses.replace(first, views=tuple(rest)).validate()


def rle_encode(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run lengths of bool masks ``(n, H, W)`` in C order.

    Returns ``(runs, counts)``: ``runs`` uint32, the concatenated run lengths of
    every mask (each mask starts with a run of False, possibly 0 long, then
    alternates); ``counts`` int64 ``(n,)``, how many runs belong to each mask.
    """
    runs, counts = [], []
    for m in masks.reshape(masks.shape[0], int(np.prod(masks.shape[1:]))):
        change = np.flatnonzero(np.diff(m.astype(np.int8))) + 1
        bounds = np.concatenate([[0], change, [m.size]])
        r = np.diff(bounds)
        if m.size and m[0]:
            r = np.concatenate([[0], r])
        runs.append(r)
        counts.append(r.size)
    flat = np.concatenate(runs).astype(np.uint32) if runs else np.zeros(0, np.uint32)
    return flat, np.asarray(counts, np.int64)


def rle_decode(runs: np.ndarray, counts: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Inverse of :func:`rle_encode`: bool ``(n, H, W)``."""
    h, w = shape
    out = np.zeros((len(counts), h * w), bool)
    start = 0
    for i, c in enumerate(counts):
        r = runs[start : start + c].astype(np.int64)
        start += c
        if r.sum() != h * w:
            raise ValueError(f"graph file: mask {i} has {r.sum()} pixels, expected {h * w}")
        vals = np.arange(r.size) % 2 == 1
        out[i] = np.repeat(vals, r)
    return out.reshape(len(counts), h, w)


_ARRAYS = (
    "features",
    "centroids",
    "saliency_mass",
    "edges",
    "edge_scores",
    "image_embedding",
    "boxes",
)


def _graph_arrays(graph: SceneGraph, prefix: str = "") -> dict[str, Any]:
    runs, counts = rle_encode(graph.masks)
    arrays: dict[str, Any] = {"mask_runs": runs, "mask_counts": counts}
    arrays.update({k: getattr(graph, k) for k in _ARRAYS})
    return {prefix + k: v for k, v in arrays.items()}


def save_graph(path: str | os.PathLike, graph: SceneGraph) -> Path:
    """Write ``graph`` (and its views) to ``path`` (``.npz``) atomically; returns the path."""
    graph.validate()
    meta = {
        "format": GRAPH_FORMAT,
        "image_shape": [int(v) for v in graph.image_shape],
        "backend": graph.backend,
    }
    arrays = _graph_arrays(graph)
    if graph.views:
        meta["views"] = [v.backend for v in graph.views]
        for i, v in enumerate(graph.views, start=1):
            arrays.update(_graph_arrays(v, f"view{i}/"))
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, meta=np.array(json.dumps(meta)), **arrays)
    return Path(path)


def load_graph(path: str | os.PathLike) -> SceneGraph:
    """Read a graph written by :func:`save_graph`; a bad file raises ValueError naming it."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: graph file not found")
    try:
        with np.load(p, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            if meta.get("format") != GRAPH_FORMAT:
                raise ValueError(f"unknown format {meta.get('format')!r}")
            h, w = tuple(int(v) for v in meta["image_shape"])
            shape = (h, w)

            def read(prefix: str, backend: dict[str, Any]) -> SceneGraph:
                masks = rle_decode(z[prefix + "mask_runs"], z[prefix + "mask_counts"], shape)
                arrays = {k: z[prefix + k] for k in _ARRAYS}
                return SceneGraph(masks=masks, image_shape=shape, backend=backend, **arrays)

            views = tuple(read(f"view{i}/", b) for i, b in enumerate(meta.get("views", []), 1))
            graph = dataclasses.replace(read("", meta["backend"]), views=views)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{p}: not a readable SeSS graph file ({exc})") from None
    return graph.validate()
