"""Scene graphs of many images at once: one segmenter batch and one embedder batch.

:func:`build_graphs` gives exactly what :func:`seess.graph.build_graph` gives for each
image, with the two model-heavy steps batched across all the images (a scoring
shard's originals and received images):

- segmentation through :meth:`seess.segment.Segmenter.segment_batch` (SAM's fast path
  runs its image encoder on batches of images);
- every node crop and every whole image of every graph through one
  ``embedder.embed_images`` call (OpenCLIP batches of :func:`auto_batch_size`).

An embedder that reads the masks itself (``sess-lite``'s object descriptors) embeds
per image, as in the single-image builder; only segmentation is batched then.
It runs the single-image graph builder unchanged, with two stand-ins: a segmenter
that hands out the masks segmented ahead of time (keyed by the image's content
hash; an image it does not know goes to the real segmenter), and an embedder that
records what it is asked to embed and answers with row numbers, which are replaced
by the real embeddings once everything is recorded. Relation prediction stays per
image (it needs each image's own node pairs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from seess.embed import Embedder
from seess.graph import GraphSettings, image_hash
from seess.scene import SceneGraph
from seess.segment import Segmenter, resize_working

__all__ = ["auto_batch_size", "build_graphs"]

#: images per embedder call on the CPU, where larger batches gain nothing
CPU_BATCH = 32
#: bytes of GPU memory one ViT-H-14 crop at 224 px takes in inference (activations),
#: with a 2x margin; the batch fills half of the free memory at most
_BYTES_PER_CROP = 96 * 2**20


def auto_batch_size(device: str, cap: int = 1024) -> int:
    """Embedder batch size: :data:`CPU_BATCH` on the CPU; on CUDA, what half of the free
    memory holds (``torch.cuda.mem_get_info``), between 32 and ``cap``."""
    if not str(device).startswith("cuda"):
        return CPU_BATCH
    import torch

    free, _ = torch.cuda.mem_get_info(torch.device(device))
    return int(min(cap, max(32, free // 2 // _BYTES_PER_CROP)))


class _Prefetched(Segmenter):
    """Masks segmented ahead of time, looked up by image content."""

    def __init__(self, inner: Segmenter, masks: dict[str, np.ndarray]) -> None:
        self.inner = inner
        self.name = inner.name
        self._masks = masks

    def _segment(self, image: np.ndarray) -> np.ndarray:
        found = self._masks.get(image_hash(image))
        return found if found is not None else self.inner.segment(image)

    def describe(self) -> dict[str, Any]:
        return self.inner.describe()


class _Deferred(Embedder):
    """Records the images it is asked to embed; answers with their row numbers."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.has_text = inner.has_text
        self.items: list[np.ndarray] = []

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        start = len(self.items)
        self.items.extend(images)
        return np.arange(start, len(self.items), dtype=np.float64)[:, None]

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_texts(texts)

    def text_key(self) -> str | None:
        return self.inner.text_key()

    def describe(self) -> dict[str, Any]:
        return self.inner.describe()


def _crops_only(embedder: Embedder) -> bool:
    """Whether ``embedder`` embeds node crops and whole images through ``embed_images`` alone
    (the base class's ``embed_nodes`` / ``embed_image``), so its calls can be deferred."""
    cls = type(embedder)
    return cls.embed_nodes is Embedder.embed_nodes and cls.embed_image is Embedder.embed_image


def build_graphs(
    images: Sequence[np.ndarray],
    build_one: Callable[[np.ndarray, Segmenter, Embedder], SceneGraph],
    segmenter: Segmenter,
    embedder: Embedder,
    settings: GraphSettings,
    embed_batch: Callable[[list[np.ndarray]], np.ndarray] | None = None,
) -> list[SceneGraph]:
    """Scene graphs of ``images`` (uint8 RGB), batched.

    ``build_one(image, segmenter, embedder)`` is the single-image builder
    (:func:`seess.graph.build_graph` with the backend's relation model and settings
    bound); ``embed_batch`` embeds a list of crops (default ``embedder.embed_images``).
    """
    if not images:
        return []
    work = [resize_working(im, settings.max_side, settings.resize) for im in images]
    masks = segmenter.segment_batch(work)
    prefetched = _Prefetched(segmenter, {image_hash(w): m for w, m in zip(work, masks)})
    if not _crops_only(embedder):  # it reads the masks itself: embed per image, as it does
        return [build_one(im, prefetched, embedder) for im in images]
    deferred = _Deferred(embedder)
    drafts = [build_one(im, prefetched, deferred) for im in images]
    embed = embed_batch or embedder.embed_images
    vectors = np.asarray(embed(deferred.items), dtype=np.float32)
    out = []
    for g in drafts:
        rows = g.features[:, 0].astype(np.int64)
        whole = int(g.image_embedding[0])
        out.append(
            dataclasses.replace(
                g, features=vectors[rows], image_embedding=vectors[whole]
            ).validate()
        )
    return out
