"""The public SeSS API: build the models once, score many pairs.

>>> from seess.api import SeSS
>>> import numpy as np
>>> m = SeSS(backend="sess-lite", preset="paper", device="cpu")
>>> img = np.zeros((64, 64, 3), np.uint8); img[16:48, 16:48] = (200, 30, 30)
>>> round(m.score(img, img).score, 6)
1.0

Backend sets (named in every result's provenance, ``graph.backend["name"]``):

- ``sess``: SAM (ViT-H) + OpenCLIP (ViT-H-14 / laion2b_s32b_b79k) + CLIP
  zero-shot relations, the authors' models (RelateAnything replaced by CLIP
  zero-shot). Needs the weights; when they are missing a
  :class:`~semcom_core.weights.MissingWeightsError` says what to download. It never
  falls back to the offline set. Other model choices keep the set but change
  the name: ``sess[sam=vit_b,clip=ViT-B-32/openai]``.
- ``sess-lite``: object-level regions (colour-normalised SLIC superpixels
  merged on a region adjacency graph, :class:`~seess.offline_segment.ObjectSegmenter`) +
  object descriptors (colour robust to a global cast, Hu-moment shape, LBP
  texture, place, size: :class:`~seess.offline_embed.ObjectDescriptorEmbedder`) +
  geometric relations between those regions; four views per image (SLIC's grid
  placed at :data:`LITE_VIEWS`), scored against each other (:mod:`seess.views`);
  no weights, deterministic, CPU only. Its relation similarity is the identity
  (no text side).
- Components passed explicitly (``segmenter=``, ``embedder=``, ``relations=``)
  give a descriptive name such as ``custom[felzenszwalb+openclip+geometric]``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from seess.clip_model import DEFAULT_CLIP
from seess.embed import ClipEmbedder, Embedder
from seess.graph import GraphSettings, build_view_graph
from seess.offline_embed import ObjectDescriptorEmbedder
from seess.offline_segment import ObjectSegmenter
from seess.relations import ClipRelationPredictor, GeometricRelationPredictor, RelationPredictor
from seess.scene import SceneGraph
from seess.segment import SamSegmenter, Segmenter
from semcom_core.imageio import as_rgb
from semcom_core.models import resolve_device

__all__ = ["BACKENDS", "LITE_VIEWS", "Backend", "SeSS", "build_backend", "relation_similarity"]

BACKENDS = ("sess", "sess-lite")
_R_CACHE: dict[str, np.ndarray] = {}


#: ``sess-lite``'s views: SLIC grid offsets (working pixels) of its four partitions per image
LITE_VIEWS: tuple[tuple[int, int], ...] = ((0, 0), (0, 2), (2, 0), (2, 2))


@dataclass
class Backend:
    """The three models of a backend set and its name.

    ``views``: the segmenters of an image's views (:mod:`seess.views`), the first being
    ``segmenter``; empty for a single-view set."""

    name: str
    segmenter: Segmenter
    embedder: Embedder
    relations: RelationPredictor
    views: tuple[Segmenter, ...] = ()

    @property
    def segmenters(self) -> tuple[Segmenter, ...]:
        """The segmenter of every view (just ``segmenter`` without views)."""
        return self.views or (self.segmenter,)

    def describe(self) -> dict[str, Any]:
        out = {
            "name": self.name,
            **self.segmenter.describe(),
            **self.embedder.describe(),
            **self.relations.describe(),
        }
        if len(self.views) > 1:
            out["views"] = [s.describe().get("grid_offset", s.name) for s in self.views]
        return out


def build_backend(
    backend: str = "sess",
    *,
    device: str = "cpu",
    clip_model: str = DEFAULT_CLIP[0],
    clip_weights: str | None = DEFAULT_CLIP[1],
    clip_cache_dir: str | os.PathLike | None = None,
    sam_model: str = "vit_h",
    sam_checkpoint: str | os.PathLike | None = None,
    sam_options: dict[str, Any] | None = None,
    weights_dir: str | os.PathLike | None = None,
    allow_download: bool = False,
    max_objects: int = 24,
    segmenter: Segmenter | None = None,
    embedder: Embedder | None = None,
    relations: RelationPredictor | None = None,
    views: Sequence[Sequence[int]] | None = None,
) -> Backend:
    """The models of backend set ``backend`` (``sess`` or ``sess-lite``); nothing is loaded yet.

    Explicit ``segmenter`` / ``embedder`` / ``relations`` replace the set's own
    and make the name descriptive. ``views``: ``sess-lite``'s SLIC grid offsets, one
    view per offset (default :data:`LITE_VIEWS`; ``[[0, 0]]``: a single partition).
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown SeSS backend '{backend}'; expected one of {', '.join(BACKENDS)}")
    if views is not None and (backend != "sess-lite" or segmenter is not None):
        raise ValueError("views are sess-lite's own segmenter's (SLIC grid offsets)")
    view_segs: tuple[Segmenter, ...] = ()
    if backend == "sess":
        seg = segmenter or SamSegmenter(
            sam_model,
            sam_checkpoint,
            device=device,
            weights_dir=weights_dir,
            allow_download=allow_download,
            **(sam_options or {}),
        )
        emb = embedder or ClipEmbedder(
            clip_model, clip_weights, device=device, cache_dir=clip_cache_dir
        )
        rel = relations or ClipRelationPredictor(emb, max_objects=max_objects)
    else:
        offsets = _check_views(LITE_VIEWS if views is None else views)
        if segmenter is None and len(offsets) > 1:
            view_segs = tuple(ObjectSegmenter(grid_offset=o) for o in offsets)
        seg = segmenter or (view_segs[0] if view_segs else ObjectSegmenter(grid_offset=offsets[0]))
        emb = embedder or ObjectDescriptorEmbedder()
        rel = relations or GeometricRelationPredictor(max_objects=max_objects)
    if segmenter is not None or embedder is not None or relations is not None:
        name = f"custom[{seg.name}+{emb.name.split(':')[0]}+{rel.name}]"
    elif backend == "sess" and (sam_model, clip_model, clip_weights) != ("vit_h", *DEFAULT_CLIP):
        name = f"sess[sam={sam_model},clip={clip_model}/{clip_weights or 'random'}]"
    else:
        name = backend
    return Backend(name, seg, emb, rel, view_segs)


def _check_views(views: Sequence[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    """``views`` as distinct ``(dy, dx)`` pixel offsets >= 0, or ValueError."""
    out = []
    for v in views:
        if len(v) != 2 or any(int(x) != x or x < 0 for x in v):
            raise ValueError(f"views: each view is two pixel offsets >= 0 (dy, dx), got {v!r}")
        out.append((int(v[0]), int(v[1])))
    if not out or len(set(out)) != len(out):
        raise ValueError(f"views: need one or more distinct offsets, got {list(views)}")
    return tuple(out)


def relation_similarity(embedder: Embedder) -> np.ndarray:
    """``R`` ``(56, 56)`` float64: cosines of the predicate-name text embeddings (spec 3),
    computed once per text encoder; the identity when the embedder has no text side."""
    from seess.predicates import N_PREDICATES, PSG_PREDICATES

    key = embedder.text_key() if embedder.has_text else None
    if key is None:
        return np.eye(N_PREDICATES)
    if key not in _R_CACHE:
        t = embedder.embed_texts(list(PSG_PREDICATES)).astype(np.float64)
        t /= np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1e-12)
        _R_CACHE[key] = t @ t.T
    return _R_CACHE[key]


def _clip_batch(clip: ClipEmbedder, size: int) -> Callable[[list[np.ndarray]], np.ndarray]:
    """OpenCLIP image embeddings in batches of ``size``."""

    def embed(crops: list[np.ndarray]) -> np.ndarray:
        return clip.model().embed_images(crops, batch_size=size)

    return embed


def _as_image(x: Any, name: str) -> np.ndarray:
    return as_rgb(x, name=name)


class SeSS:
    """Semantic Similarity Score: ``SeSS(backend, preset, device).score(a, b)``.

    Parameters
    ----------
    backend: ``sess`` (SAM + OpenCLIP, needs weights) or ``sess-lite`` (offline).
    preset: ``paper`` (default), ``official`` (the demo's constants) or the path of a
        preset file (``seess tune`` writes one; see :func:`seess.presets.load_preset_file`).
    device: ``auto``, ``cpu``, ``cuda``...
    cache_dir: optional folder for a :class:`seess.cache.GraphCache`.
    params: overrides of the preset's hyper-parameters (``{"ite": 3}``).
    graph_settings: :class:`seess.graph.GraphSettings` (its ``crop``, ``triplets`` and
        ``resize`` follow the preset's parameters of the same names).
    lazy: do not load the models now (by default they load in the constructor,
        so missing weights fail at once).
    **backend_options: passed to :func:`build_backend` (``clip_model``,
        ``clip_weights``, ``sam_model``, ``sam_checkpoint``, ``weights_dir``,
        ``segmenter``, ``embedder``, ``relations``...).
    """

    def __init__(
        self,
        backend: str = "sess",
        preset: str = "paper",
        device: str = "auto",
        cache_dir: str | os.PathLike | None = None,
        *,
        params: dict[str, Any] | None = None,
        graph_settings: GraphSettings | None = None,
        lazy: bool = False,
        **backend_options: Any,
    ) -> None:
        from seess.presets import get_preset

        self.preset = preset
        self.params = get_preset(preset, **(params or {}))
        self.device = resolve_device(device)
        import inspect

        known = set(inspect.signature(build_backend).parameters) - {"backend", "device"}
        unknown = sorted(set(backend_options) - known)
        if unknown:
            raise TypeError(f"seess: unknown option(s) {unknown}; known: {sorted(known)}")
        self.backend = build_backend(backend, device=self.device, **backend_options)
        gs = graph_settings or GraphSettings()
        rules = {k: getattr(self.params, k) for k in ("crop", "triplets", "resize")}
        if any(getattr(gs, k) != v for k, v in rules.items()):
            gs = GraphSettings(**{**gs.to_dict(), **rules})
        self.graph_settings = gs
        self.cache = None
        if cache_dir is not None:
            from seess.cache import GraphCache, graph_code_version

            self.cache = GraphCache(
                cache_dir,
                {**self.backend.describe(), "graph": gs.to_dict(), "code": graph_code_version()},
            )
        self._R: np.ndarray | None = None
        self._self_memo: dict[str, np.ndarray] = {}
        if not lazy:
            self.load()

    @property
    def name(self) -> str:
        """Backend set name (``sess``, ``sess-lite``, ...)."""
        return self.backend.name

    def load(self) -> SeSS:
        """Load every model now (MissingWeightsError when weights are absent)."""
        seg = self.backend.segmenter
        if hasattr(seg, "load"):
            seg.load()
        self.relation_similarity()
        return self

    def relation_similarity(self) -> np.ndarray:
        """``(56, 56)`` relation similarity of this backend's text encoder."""
        if self._R is None:
            self._R = relation_similarity(self.backend.embedder)
        return self._R

    def _build(self, image: np.ndarray) -> SceneGraph:
        b = self.backend
        return build_view_graph(
            image, b.segmenters, b.embedder, b.relations, self.graph_settings, backend=b.name
        )

    def graph(self, image: Any) -> SceneGraph:
        """The scene graph of ``image`` (array of any supported layout, or a file path)."""
        img = _as_image(image, "image")
        if self.cache is not None:
            return self.cache.get_or_build(img, self._build)
        return self._build(img)

    def graphs(self, images: Sequence[Any]) -> list[SceneGraph]:
        """Scene graphs of many images (arrays or paths), the same as :meth:`graph` of each;
        the graphs not in the cache are built together (:func:`seess.batch_graphs.build_graphs`:
        one segmenter batch, one embedder batch of every node crop)."""
        from seess.batch_graphs import auto_batch_size, build_graphs
        from seess.graph import image_hash

        imgs = [_as_image(x, f"image {i}") for i, x in enumerate(images)]
        keys = [image_hash(im) for im in imgs]
        done: dict[str, SceneGraph] = {}
        if self.cache is not None:
            for k, im in zip(keys, imgs):
                g = self.cache.get(im)
                if g is not None:
                    done[k] = g
        todo = {k: im for k, im in zip(keys, imgs) if k not in done}
        b = self.backend
        embed_batch = None
        if isinstance(b.embedder, ClipEmbedder):
            embed_batch = _clip_batch(b.embedder, auto_batch_size(self.device))

        def one(image: np.ndarray, seg: Segmenter, emb: Embedder) -> SceneGraph:
            segs = (seg, *b.segmenters[1:])
            return build_view_graph(
                image, segs, emb, b.relations, self.graph_settings, backend=b.name
            )

        built = build_graphs(
            list(todo.values()), one, b.segmenter, b.embedder, self.graph_settings, embed_batch
        )

        def built_already(g: Any) -> Any:
            return lambda _im: g

        for (k, im), g in zip(todo.items(), built):
            done[k] = self.cache.get_or_build(im, built_already(g)) if self.cache else g
        return [done[k] for k in keys]

    def score_graphs(self, ga: SceneGraph, gb: SceneGraph):
        """:class:`seess.score.SeSSResult` of two graphs built by this backend.

        Graphs with views (``sess-lite``) get the view score (:mod:`seess.views`) as
        ``score``, and the matrices it came from as ``view_scores``; the other fields
        describe the first views' pair."""
        import dataclasses

        from seess.score import score_graphs
        from seess.views import has_views, view_score

        for g in (ga, gb):
            name = g.backend.get("name")
            if name is not None and name != self.name:
                raise ValueError(
                    f"graph built with backend '{name}' cannot be scored by a '{self.name}' SeSS "
                    "(embeddings are not comparable)"
                )
        first = score_graphs(ga, gb, self.relation_similarity(), self.params)
        if not has_views(ga, gb):
            return first
        cross = self._score_matrix(ga.all_views, gb.all_views)
        self_a, self_b = self._self_scores(ga), self._self_scores(gb)
        return dataclasses.replace(
            first, score=view_score(cross, self_a, self_b), view_scores=(cross, self_a, self_b)
        )

    def _score_matrix(self, xs: Sequence[SceneGraph], ys: Sequence[SceneGraph]) -> np.ndarray:
        """Single-graph scores of every graph of ``xs`` against every graph of ``ys``."""
        from seess.score import score_graphs

        R = self.relation_similarity()
        return np.array([[score_graphs(x, y, R, self.params).score for y in ys] for x in xs])

    def _self_scores(self, g: SceneGraph) -> np.ndarray:
        """Scores of every view of ``g`` against every other (kept per graph content)."""
        import hashlib

        h = hashlib.sha256()
        for v in g.all_views:
            h.update(np.ascontiguousarray(v.features).tobytes())
            h.update(np.ascontiguousarray(v.edges).tobytes())
        key = h.hexdigest()
        if key not in self._self_memo:
            if len(self._self_memo) >= 4096:
                self._self_memo.pop(next(iter(self._self_memo)))
            self._self_memo[key] = self._score_matrix(g.all_views, g.all_views)
        return self._self_memo[key]

    def score(self, image_a: Any, image_b: Any):
        """SeSS of two images (any sizes; arrays or paths) -> :class:`seess.score.SeSSResult`."""
        a = _as_image(image_a, "first image")
        b = _as_image(image_b, "second image")
        return self.score_graphs(self.graph(a), self.graph(b))

    def explain(
        self,
        image_a: Any,
        image_b: Any,
        path: str | os.PathLike | None = None,
        *,
        top: int = 8,
        min_similarity: float = 0.5,
    ):
        """Score a pair and, with ``path``, draw its explanation image there (PNG or PDF).

        One call for what the paper's Fig. 14 shows: returns the
        :class:`seess.score.SeSSResult` (``.to_dict()`` is the JSON explanation);
        the image draws the ``top`` matched pairs, each object's importance and the
        objects left unmatched (see :mod:`seess.explain`).

        >>> m = SeSS(backend="sess-lite", device="cpu")           # doctest: +SKIP
        >>> r = m.explain("a.png", "b.png", "why.png")            # doctest: +SKIP
        """
        a = _as_image(image_a, "first image")
        b = _as_image(image_b, "second image")
        ga, gb = self.graph(a), self.graph(b)
        result = self.score_graphs(ga, gb)
        if path is not None:
            from seess.explain import render_explanation

            render_explanation(a, b, ga, gb, result, path, top=top, min_similarity=min_similarity)
        return result

    def describe(self) -> dict[str, Any]:
        """Provenance: backend set, models, preset and parameters."""
        return {
            **self.backend.describe(),
            "preset": self.preset,
            "params": self.params.to_dict(),
            "graph_settings": self.graph_settings.to_dict(),
            "device": self.device,
        }
