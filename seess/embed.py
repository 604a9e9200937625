"""Embedders: image crops (and predicate texts) to L2-normalised vectors (spec section 3).

- :class:`ClipEmbedder`: OpenCLIP through :func:`seess.clip_model.load_open_clip`
  (default ViT-H-14 / laion2b_s32b_b79k, the authors' choice; any open_clip
  name with a pretrained tag or local checkpoint; ``seess-tiny-clip`` with
  random weights in tests). Has a text side, so relation similarity is the
  cosine of predicate text embeddings.
- :mod:`seess.offline_embed`: deterministic hand-made descriptors, no weights
  (``sess-lite``'s object descriptor among them). They have no text side: SeSS
  then uses the identity matrix as relation similarity.

:func:`node_crops` cuts each node's crop from the image: its bounding box
(``bbox``, the demo) or the bounding box with pixels outside the mask set to
black (``masked``, the paper's "image under the mask").
"""

from __future__ import annotations

import abc
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "ClipEmbedder",
    "Embedder",
    "mask_boxes",
    "node_crops",
]


def mask_boxes(masks: np.ndarray) -> np.ndarray:
    """Bounding boxes ``(n, 4)`` int64 ``(row0, col0, row1, col1)`` (end exclusive) of bool masks
    ``(n, H, W)``; an empty mask gets the whole image."""
    n, h, w = masks.shape
    boxes = np.zeros((n, 4), np.int64)
    rows_any = np.asarray(masks.any(axis=2))
    cols_any = np.asarray(masks.any(axis=1))
    for i in range(n):
        r = np.flatnonzero(rows_any[i])
        c = np.flatnonzero(cols_any[i])
        boxes[i] = (r[0], c[0], r[-1] + 1, c[-1] + 1) if r.size else (0, 0, h, w)
    return boxes


def node_crops(
    image: np.ndarray, masks: np.ndarray, boxes: np.ndarray, mode: str = "bbox"
) -> list[np.ndarray]:
    """One uint8 ``(h, w, 3)`` crop per node.

    ``mode``: ``bbox`` (the box of the mask) or ``masked`` (the box, with
    pixels outside the mask set to 0).
    """
    if mode not in ("bbox", "masked"):
        raise ValueError(f"crop mode must be 'bbox' or 'masked', got '{mode}'")
    crops = []
    for m, (r0, c0, r1, c1) in zip(masks, boxes):
        crop = image[r0:r1, c0:c1].copy()
        if mode == "masked":
            crop[~m[r0:r1, c0:c1]] = 0
        crops.append(np.ascontiguousarray(crop))
    return crops


class Embedder(abc.ABC):
    """Images (and maybe texts) -> L2-normalised float32 vectors."""

    name: str = "embedder"
    has_text: bool = False

    @abc.abstractmethod
    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """``(n, d)`` float32, unit rows, for uint8 RGB images of any sizes."""

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """``(n, d)`` float32 unit rows; only when :attr:`has_text`."""
        raise NotImplementedError(f"{self.name} has no text encoder")

    def embed_nodes(
        self, image: np.ndarray, masks: np.ndarray, boxes: np.ndarray, crop: str = "bbox"
    ) -> np.ndarray:
        """``(n, d)`` float32 node features of uint8 ``image`` ``(H, W, 3)`` and bool ``masks``
        ``(n, H, W)`` with their ``boxes``. By default the embeddings of the node crops
        (:func:`node_crops`); an embedder that also looks at the masks overrides it."""
        return self.embed_images(node_crops(image, masks, boxes, crop))

    def embed_image(self, image: np.ndarray) -> np.ndarray:
        """``(d,)`` float32 embedding of the whole image (default: :meth:`embed_images`)."""
        return self.embed_images([image])[0]

    def text_key(self) -> str | None:
        """Identity of the text encoder (relation similarity is cached per key); None if none."""
        return None

    def describe(self) -> dict[str, Any]:
        return {"embedder": self.name}


class ClipEmbedder(Embedder):
    """OpenCLIP image and text embeddings; the model loads on first use and is shared
    process-wide with every other user of the same ``(model, weights, device)``."""

    has_text = True

    def __init__(
        self,
        model_name: str = "ViT-H-14",
        weights: str | None = "laion2b_s32b_b79k",
        *,
        device: str = "cpu",
        cache_dir: str | os.PathLike | None = None,
        batch_size: int = 32,
        seed: int = 0,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.model_name = model_name
        self.weights = weights
        self.device = device
        self.cache_dir = cache_dir
        self.batch_size = batch_size
        self.seed = seed
        self.name = f"openclip:{model_name}/{weights or 'random'}"

    def model(self):
        """The loaded :class:`seess.clip_model.OpenClip` (raises MissingWeightsError when absent)."""
        from seess.clip_model import load_open_clip

        return load_open_clip(
            self.model_name,
            self.weights,
            device=self.device,
            cache_dir=self.cache_dir,
            seed=self.seed,
        )

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        return self.model().embed_images(list(images), batch_size=self.batch_size)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        return self.model().embed_texts(list(texts))

    def text_key(self) -> str:
        seed = f"#seed{self.seed}" if self.weights is None else ""
        return f"{self.name}{seed}"

    def describe(self) -> dict[str, Any]:
        return {
            "embedder": "openclip",
            "clip_model": self.model_name,
            "clip_weights": self.weights or "random",
        }
