"""Embedders: image crops (and predicate texts) to L2-normalised vectors (spec section 3).

- :class:`ClipEmbedder`: OpenCLIP through :func:`seess.clip_model.load_open_clip`
  (default ViT-H-14 / laion2b_s32b_b79k, the authors' choice; any open_clip
  name with a pretrained tag or local checkpoint; ``seess-tiny-clip`` with
  random weights in tests). Has a text side, so relation similarity is the
  cosine of predicate text embeddings.
- :class:`DescriptorEmbedder`: deterministic hand-made descriptors (soft
  colour histogram, gradient-orientation histogram, coarse colour layout),
  no weights. It has no text side: SeSS then uses the identity matrix as
  relation similarity (same predicate = 1, different = 0).

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

__all__ = ["ClipEmbedder", "DescriptorEmbedder", "Embedder", "mask_boxes", "node_crops"]


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


def _soft_bins(values: np.ndarray, k: int) -> np.ndarray:
    """Triangular (linear-interpolation) membership ``(P, k)`` of values in [0, 1] to k bin centres."""
    pos = np.clip(values, 0.0, 1.0) * (k - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, k - 1)
    frac = pos - lo
    out = np.zeros((values.size, k))
    idx = np.arange(values.size)
    np.add.at(out, (idx, lo), 1.0 - frac)
    np.add.at(out, (idx, hi), frac)
    return out


class DescriptorEmbedder(Embedder):
    """Deterministic, weight-free descriptors of a crop (``d = bins**3 + orientations + 3 * grid**2``).

    Three parts, each L2-normalised, weighted, concatenated and L2-normalised:

    - colour: joint RGB histogram with ``bins`` soft (linearly interpolated) bins
      per channel, square-rooted (Hellinger), weight 1;
    - texture: histogram of gradient orientations (weighted by magnitude, soft
      bins) plus the mean gradient magnitude, weight ``texture_weight``;
    - layout: the crop's mean colour on a ``grid x grid`` raster, weight ``layout_weight``.

    All parts are non-negative, so cosines lie in [0, 1]. Crops are first
    resized to ``size`` px on the longer side (bilinear), so cost is bounded.
    """

    name = "descriptor"
    has_text = False

    def __init__(
        self,
        bins: int = 4,
        orientations: int = 8,
        grid: int = 4,
        size: int = 48,
        texture_weight: float = 0.5,
        layout_weight: float = 0.5,
    ) -> None:
        if min(bins, orientations, grid) < 2 or size < 4:
            raise ValueError("descriptor: bins, orientations and grid must be >= 2 and size >= 4")
        self.bins, self.orientations, self.grid, self.size = bins, orientations, grid, size
        self.texture_weight, self.layout_weight = float(texture_weight), float(layout_weight)

    @property
    def dim(self) -> int:
        return self.bins**3 + self.orientations + 1 + 3 * self.grid**2

    def _one(self, image: np.ndarray) -> np.ndarray:
        from PIL import Image

        h, w = image.shape[:2]
        s = self.size / max(h, w)
        nh, nw = max(1, round(h * s)), max(1, round(w * s))
        img = np.asarray(Image.fromarray(image).resize((nw, nh), Image.Resampling.BILINEAR))
        x = img.astype(np.float64) / 255.0
        px = x.reshape(-1, 3)
        b = self.bins
        mr, mg, mb = (_soft_bins(px[:, c], b) for c in range(3))
        hist = np.einsum("pi,pj,pk->ijk", mr, mg, mb).ravel()
        colour = np.sqrt(hist / max(hist.sum(), 1e-12))
        grey = x.mean(axis=2)
        gy, gx = np.gradient(grey) if min(grey.shape) > 1 else (np.zeros_like(grey),) * 2
        mag = np.hypot(gx, gy).ravel()
        ang = (np.arctan2(gy, gx).ravel() % np.pi) / np.pi  # orientation in [0, 1)
        ohist = (_soft_bins(ang, self.orientations) * mag[:, None]).sum(0)
        texture = np.concatenate([ohist / max(mag.sum(), 1e-12), [min(1.0, 4.0 * mag.mean())]])
        g = self.grid
        rows = np.array_split(np.arange(nh), g) if nh >= g else [np.arange(nh)] * g
        cols = np.array_split(np.arange(nw), g) if nw >= g else [np.arange(nw)] * g
        layout = np.array([x[np.ix_(r, c)].mean(axis=(0, 1)) for r in rows for c in cols]).ravel()
        parts = []
        for vec, wgt in (
            (colour, 1.0),
            (texture, self.texture_weight),
            (layout, self.layout_weight),
        ):
            nrm = np.linalg.norm(vec)
            parts.append(wgt * vec / nrm if nrm > 0 else vec)
        v = np.concatenate(parts)
        return (v / max(np.linalg.norm(v), 1e-12)).astype(np.float32)

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        if not len(images):
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._one(np.asarray(im, np.uint8)) for im in images])

    def describe(self) -> dict[str, Any]:
        return {
            "embedder": "descriptor",
            "bins": self.bins,
            "orientations": self.orientations,
            "grid": self.grid,
            "size": self.size,
        }
