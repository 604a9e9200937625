"""Segmentation: an image in, boolean object masks out (spec section 1.1-1.2, 1.5).

Segmenters share one interface, :class:`Segmenter`:

- :class:`SamSegmenter`: Segment Anything's automatic mask generator (ViT-H /
  ViT-L / ViT-B), loaded from a checkpoint file the real way
  (:mod:`seess.sam_model`). This is what the SeSS authors use.
- :mod:`seess.offline_segment`: segmenters without weights, the object-level
  regions of ``sess-lite`` and plain Felzenszwalb regions.

:func:`postprocess_masks` applies the spec's rules to any segmenter's output:
sort by area (largest first), drop a mask whose IoU with a kept one exceeds
0.8, keep at most 512. :func:`semcom_core.imageio.resize_longer_side` brings an image to the
working resolution (longer side <= 800 px) before segmentation.
"""

from __future__ import annotations

import abc
import os
from pathlib import Path
from typing import Any

import numpy as np

from seess.sam_model import SAM_WEIGHTS, check_arch, load_sam
from semcom_core.imageio import resize_longer_side, to_rgb_uint8
from semcom_core.weights import WeightSpec

__all__ = [
    "SamSegmenter",
    "Segmenter",
    "mask_iou_matrix",
    "mean_matched_iou",
    "postprocess_masks",
    "resize_width",
    "resize_working",
]


def resize_width(image: np.ndarray, max_width: int = 800) -> np.ndarray:
    """The demo's rule: an image wider than ``max_width`` becomes Pillow's
    ``thumbnail((max_width, max_width * H / W))`` (bicubic with Pillow's reducing
    gap, aspect kept); narrower images, however tall, are unchanged."""
    from PIL import Image

    h, w = image.shape[:2]
    if w <= max_width:
        return image
    im = Image.fromarray(image)
    im.thumbnail((max_width, max_width * h / w))
    return np.asarray(im)


def resize_working(image: np.ndarray, max_side: int = 800, rule: str = "longer_side") -> np.ndarray:
    """``image`` at the working resolution: ``rule`` ``longer_side`` (spec,
    :func:`semcom_core.imageio.resize_longer_side`) or ``width`` (demo, :func:`resize_width`)."""
    if rule == "longer_side":
        return resize_longer_side(image, max_side)
    if rule == "width":
        return resize_width(image, max_side)
    raise ValueError(f"resize rule must be 'longer_side' or 'width', got {rule!r}")


def mask_iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU ``(n, m)`` float64 between bool masks ``a`` ``(n, H, W)`` and ``b`` ``(m, H, W)``."""
    fa = a.reshape(a.shape[0], int(np.prod(a.shape[1:]))).astype(np.float32)
    fb = b.reshape(b.shape[0], int(np.prod(b.shape[1:]))).astype(np.float32)
    inter = (fa @ fb.T).astype(np.float64)
    union = fa.sum(1)[:, None] + fb.sum(1)[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


def mean_matched_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Mean over ``a``'s masks of the best IoU with a mask of ``b`` (two empty masks count as
    IoU 1; an empty set against an empty set is 1, against masks 0): how well ``b``
    reproduces ``a``, e.g. a fast mask generator against the reference one."""
    if len(a) == 0 or len(b) == 0:
        return float(len(a) == len(b))
    iou = mask_iou_matrix(a, b)
    both_empty = (a.reshape(len(a), -1).sum(1) == 0)[:, None] & (b.reshape(len(b), -1).sum(1) == 0)[
        None, :
    ]
    return float(np.where(both_empty, 1.0, iou).max(axis=1).mean())


def postprocess_masks(
    masks: np.ndarray, *, iou_threshold: float = 0.8, max_masks: int = 512
) -> np.ndarray:
    """Spec section 1.2: sort by area (largest first, stable), drop masks whose IoU with
    an already kept mask is ``> iou_threshold``, keep at most ``max_masks``; empty masks go.

    ``masks``: bool ``(n, H, W)``. Returns bool ``(k, H, W)``, ``k <= max_masks``.
    """
    masks = np.asarray(masks, dtype=bool)
    if masks.ndim != 3:
        raise ValueError(f"masks must be (n, H, W), got shape {masks.shape}")
    areas = masks.reshape(masks.shape[0], int(np.prod(masks.shape[1:]))).sum(1)
    order = [i for i in np.argsort(-areas, kind="stable") if areas[i] > 0]
    flat = masks.reshape(masks.shape[0], int(np.prod(masks.shape[1:])))
    kept: list[int] = []
    kept_flat = np.zeros((0, flat.shape[1]), np.float32)
    for i in order:
        if len(kept) >= max_masks:
            break
        if kept:
            f = flat[i].astype(np.float32)
            inter = kept_flat @ f
            union = areas[np.asarray(kept)] + areas[i] - inter
            if np.any(inter / np.maximum(union, 1) > iou_threshold):
                continue
        kept.append(int(i))
        kept_flat = np.vstack([kept_flat, flat[i].astype(np.float32)[None]])
    return masks[np.asarray(kept, dtype=np.int64)] if kept else masks[:0]


class Segmenter(abc.ABC):
    """Image -> object masks. Subclasses set ``name`` and implement :meth:`_segment`."""

    name: str = "segmenter"

    def segment(self, image: np.ndarray) -> np.ndarray:
        """Raw masks of ``image`` (uint8 RGB ``(H, W, 3)``, any convertible array).

        Returns bool ``(n, H, W)`` (``n`` may be 0); :func:`postprocess_masks` is
        applied by the graph builder, not here.
        """
        img = to_rgb_uint8(image)
        masks = np.asarray(self._segment(img), dtype=bool)
        self._check(img, masks)
        return masks

    def _check(self, img: np.ndarray, masks: np.ndarray) -> None:
        if masks.ndim != 3 or masks.shape[1:] != img.shape[:2]:
            raise RuntimeError(
                f"{self.name}: produced masks of shape {masks.shape} for image {img.shape}"
            )

    def segment_batch(self, images: list[np.ndarray]) -> list[np.ndarray]:
        """:meth:`segment` of each image; segmenters that batch (SAM's fast path) override
        :meth:`_segment_many`."""
        imgs = [to_rgb_uint8(im) for im in images]
        out = [np.asarray(m, dtype=bool) for m in self._segment_many(imgs)]
        for img, masks in zip(imgs, out):
            self._check(img, masks)
        return out

    def _segment_many(self, images: list[np.ndarray]) -> list[np.ndarray]:
        return [self._segment(im) for im in images]

    @abc.abstractmethod
    def _segment(self, image: np.ndarray) -> np.ndarray: ...

    def describe(self) -> dict[str, Any]:
        """Provenance: segmenter name and settings."""
        return {"segmenter": self.name}


class SamSegmenter(Segmenter):
    """Segment Anything's automatic mask generator (library defaults unless overridden).

    Parameters
    ----------
    model_type: ``vit_h`` (the authors' choice), ``vit_l``, ``vit_b`` or ``seess-tiny-sam``.
    checkpoint: local checkpoint file; ``None`` uses ``weights_dir`` / download (see :func:`load_sam`).
    generator_options: keywords of ``SamAutomaticMaskGenerator`` (``points_per_side``,
        ``pred_iou_thresh``, ``stability_score_thresh``...).
    fast: use :func:`seess.fast_masks.batched_mask_generator` (images batched through
        the image encoder by :meth:`segment_batch`, all prompts of a crop in one decoder
        call; off by default). ``fast_options``: its ``encoder_batch``, ``dtype``
        (``bfloat16`` / ``float16`` autocast on CUDA) and ``compile``.
    The model loads lazily, on the first :meth:`segment` (or :meth:`load`).
    """

    name = "sam"

    def __init__(
        self,
        model_type: str = "vit_h",
        checkpoint: str | os.PathLike | None = None,
        *,
        device: str = "cpu",
        weights_dir: str | os.PathLike | None = None,
        allow_download: bool = False,
        fast: bool = False,
        fast_options: dict[str, Any] | None = None,
        **generator_options: Any,
    ) -> None:
        self.model_type = check_arch(model_type)
        self.fast = bool(fast)
        self.fast_options = dict(fast_options or {})
        if self.fast_options and not self.fast:
            raise ValueError("sam: fast_options given without fast=True")
        self.checkpoint = checkpoint
        self.device = device
        self.weights_dir = weights_dir
        self.allow_download = allow_download
        self.generator_options = dict(generator_options)
        self._generator = None

    def load(self):
        """Load the model (raises MissingWeightsError when absent) and build the generator."""
        if self._generator is None:
            from segment_anything import SamAutomaticMaskGenerator

            sam = load_sam(
                self.model_type,
                self.checkpoint,
                device=self.device,
                weights_dir=self.weights_dir,
                allow_download=self.allow_download,
            )
            try:
                if self.fast:
                    from seess.fast_masks import batched_mask_generator

                    self._generator = batched_mask_generator(
                        sam, **self.fast_options, **self.generator_options
                    )
                else:
                    self._generator = SamAutomaticMaskGenerator(sam, **self.generator_options)
            except TypeError as exc:
                raise ValueError(f"sam: bad mask generator option ({exc})") from None
        return self._generator

    def _segment(self, image: np.ndarray) -> np.ndarray:
        import torch

        gen = self.load()
        with torch.no_grad():
            records = gen.generate(image)
        return _stack_records(records, image.shape[:2])

    def _segment_many(self, images: list[np.ndarray]) -> list[np.ndarray]:
        if not self.fast:
            return super()._segment_many(images)
        import torch

        gen = self.load()
        with torch.no_grad():
            batches = gen.generate_batch(images)
        return [_stack_records(r, im.shape[:2]) for r, im in zip(batches, images)]

    def describe(self) -> dict[str, Any]:
        ckpt = (
            self.checkpoint
            or SAM_WEIGHTS.get(self.model_type, WeightSpec("?", "", None, "")).filename
        )
        return {
            "segmenter": f"sam-{self.model_type}",
            "sam_checkpoint": Path(str(ckpt)).name,
            "sam_options": dict(sorted(self.generator_options.items())),
            **({"sam_fast": dict(sorted(self.fast_options.items()))} if self.fast else {}),
        }


def _stack_records(records: list[dict[str, Any]], shape: tuple[int, ...]) -> np.ndarray:
    """The generator's mask records as bool ``(n, H, W)``."""
    if not records:
        return np.zeros((0, *shape[:2]), bool)
    return np.stack([np.asarray(r["segmentation"], bool) for r in records])
