"""A faster automatic-mask path for SAM: the same algorithm, batched.

:func:`batched_mask_generator` builds segment-anything's ``SamAutomaticMaskGenerator``
with three changes that do not change the algorithm (a subclass of a few methods):

1. **Images batched through the image encoder.** :meth:`generate_batch` runs the
   ViT image encoder once on a stack of images (``encoder_batch`` at a time; each
   image is resized and padded to the model's square input by SAM's own
   transform, so shapes match) and reuses each embedding for its full-image crop.
2. **All prompts of a crop in one decoder call** (``points_per_batch`` defaults to
   the whole point grid instead of 64).
3. **Optional reduced precision on CUDA** (``dtype="bfloat16"`` or ``"float16"``:
   autocast around the encoder and decoder) and optional ``torch.compile`` of the
   image encoder (``compile=True``). Both are off by default; masks then equal the
   reference generator's up to float32 summation order (a batched matmul may add in
   another order), which the tests bound by mask count and IoU.

Everything after the decoder (IoU and stability filtering, box NMS, crop merging,
small-region removal, RLE) is the library's own code, inherited unchanged.

Segment-anything-fast (PyTorch Labs) rewrites SAM's attention kernels and
quantises the model; SAM 2's generator serves SAM 2 models only. Neither keeps
the ViT-H checkpoints' outputs, so the batching is kept here, on top of the
reference class, as a subclass of a few methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

import numpy as np

__all__ = ["DTYPES", "batched_mask_generator"]

DTYPES = ("float32", "bfloat16", "float16")


def _base():
    from segment_anything import SamAutomaticMaskGenerator

    return SamAutomaticMaskGenerator


def batched_mask_generator(
    model: Any,
    *,
    encoder_batch: int = 4,
    dtype: str = "float32",
    compile: bool = False,
    **options: Any,
):
    """A :class:`BatchedMaskGenerator` (a ``SamAutomaticMaskGenerator`` subclass).

    Parameters
    ----------
    model: a ``segment_anything.modeling.Sam``.
    encoder_batch: images per image-encoder call in ``generate_batch``.
    dtype: ``float32`` (default), or ``bfloat16`` / ``float16`` autocast (CUDA only).
    compile: ``torch.compile`` the image encoder (CUDA only; pays off over many images).
    **options: ``SamAutomaticMaskGenerator`` keywords; ``points_per_batch`` defaults
        to the whole grid.
    """
    return _make_class()(
        model, encoder_batch=encoder_batch, dtype=dtype, compile=compile, **options
    )


_CLASS: list[type] = []


def _make_class() -> type:
    """The subclass, built on first use (segment-anything is imported lazily)."""
    if _CLASS:
        return _CLASS[0]
    import torch

    base = _base()

    class BatchedMaskGenerator(base):  # type: ignore[misc, valid-type]
        def __init__(
            self,
            model: Any,
            *,
            encoder_batch: int = 4,
            dtype: str = "float32",
            compile: bool = False,
            **options: Any,
        ) -> None:
            if dtype not in DTYPES:
                raise ValueError(f"fast masks: dtype '{dtype}' not in {DTYPES}")
            if encoder_batch < 1:
                raise ValueError(f"fast masks: encoder_batch must be >= 1, got {encoder_batch}")
            side = options.get("points_per_side", 32) or 1
            options.setdefault("points_per_batch", side * side)
            super().__init__(model, **options)
            self.encoder_batch = int(encoder_batch)
            self.dtype = dtype
            on_cuda = next(model.parameters()).device.type == "cuda"
            if dtype != "float32" and not on_cuda:
                raise ValueError("fast masks: bfloat16 / float16 need the model on CUDA")
            self._encoder = model.image_encoder
            if compile and on_cuda:
                self._encoder = torch.compile(model.image_encoder)
            self._features: dict[int, tuple[torch.Tensor, tuple[int, int]]] = {}

        def _autocast(self):
            if self.dtype == "float32":
                return nullcontext()
            return torch.autocast("cuda", dtype=getattr(torch, self.dtype))

        @torch.no_grad()
        def _encode(self, images: Sequence[np.ndarray]) -> list[torch.Tensor]:
            """Image embeddings ``(1, C, h, w)`` of full images, ``encoder_batch`` at a time."""
            pred = self.predictor
            model = pred.model
            out: list[torch.Tensor] = []
            for start in range(0, len(images), self.encoder_batch):
                chunk = images[start : start + self.encoder_batch]
                batch = []
                for im in chunk:
                    x = pred.transform.apply_image(im)
                    t = torch.as_tensor(x, device=pred.device).permute(2, 0, 1).contiguous()
                    batch.append(model.preprocess(t[None]))
                with self._autocast():
                    feats = self._encoder(torch.cat(batch, 0))
                out.extend(f[None].float() for f in feats)
            return out

        def generate_batch(self, images: Sequence[np.ndarray]) -> list[list[dict[str, Any]]]:
            """``generate`` on each image, the image encoder run on batches of images."""
            feats = self._encode(images)
            results = []
            for im, f in zip(images, feats):
                self._features = {id(im): (f, im.shape[:2])}
                try:
                    results.append(self.generate(im))
                finally:
                    self._features = {}
            return results

        def _set_image(self, cropped_im: np.ndarray, full: bool, image_id: int) -> None:
            pred = self.predictor
            cached = self._features.get(image_id) if full else None
            if cached is None:
                with self._autocast():
                    pred.set_image(cropped_im)
                if pred.features.dtype != torch.float32:
                    pred.features = pred.features.float()
                return
            feats, size = cached
            pred.reset_image()
            pred.original_size = tuple(size)
            side = pred.model.image_encoder.img_size
            pred.input_size = tuple(pred.transform.get_preprocess_shape(*size, side))
            pred.features = feats
            pred.is_image_set = True

        def _process_crop(self, image, crop_box, crop_layer_idx, orig_size):
            full = list(crop_box) == [0, 0, orig_size[1], orig_size[0]]
            x0, y0, x1, y1 = crop_box
            self._set_image(image[y0:y1, x0:x1, :], full, id(image))
            # the base method calls set_image itself: make that call a no-op this once
            self.predictor.set_image = lambda *_a, **_k: None
            try:
                with self._autocast():
                    return super()._process_crop(image, crop_box, crop_layer_idx, orig_size)
            finally:
                del self.predictor.set_image

    _CLASS.append(BatchedMaskGenerator)
    return BatchedMaskGenerator
