"""Segmentation: an image in, boolean object masks out (spec section 1.1-1.2, 1.5).

Two segmenters share one interface, :class:`Segmenter`:

- :class:`SamSegmenter`: Segment Anything's automatic mask generator (ViT-H /
  ViT-L / ViT-B), loaded from a checkpoint file the real way (official URL,
  SHA-256 checked, ``map_location``, ``weights_only=True``, ``eval()``,
  ``no_grad``). This is what the SeSS authors use.
- :class:`FelzenszwalbSegmenter`: scikit-image's graph-based segmentation, no
  weights; for tests and machines without SAM.

:func:`postprocess_masks` applies the spec's rules to any segmenter's output:
sort by area (largest first), drop a mask whose IoU with a kept one exceeds
0.8, keep at most 512. :func:`semcom_core.imageio.resize_longer_side` brings an image to the
working resolution (longer side <= 800 px) before segmentation.
"""

from __future__ import annotations

import abc
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from semcom_core.imageio import resize_longer_side, to_rgb_uint8
from semcom_core.models import cached_model
from semcom_core.weights import MissingWeightsError, WeightSpec, resolve_checkpoint

__all__ = [
    "SAM_ARCHS",
    "SAM_WEIGHTS",
    "FelzenszwalbSegmenter",
    "ObjectSegmenter",
    "SamArch",
    "SamSegmenter",
    "Segmenter",
    "absorb_small_regions",
    "build_sam_model",
    "load_sam",
    "mask_iou_matrix",
    "mean_matched_iou",
    "normalise_colour",
    "postprocess_masks",
    "resize_width",
    "resize_working",
]

_SAM_URL = "https://dl.fbaipublicfiles.com/segment_anything/"

#: Official Segment Anything release checkpoints (file names end in their MD5 prefix).
SAM_WEIGHTS: dict[str, WeightSpec] = {
    "vit_h": WeightSpec(
        "sam_vit_h_4b8939.pth",
        _SAM_URL + "sam_vit_h_4b8939.pth",
        "a7bf3b02f3ebf1267aba913ff637d9a2d5c33d3173bb679e46d9f338c26f262e",
        "metric_options.seess.sam_checkpoint",
        "Segment Anything ViT-H checkpoint",
    ),
    "vit_l": WeightSpec(
        "sam_vit_l_0b3195.pth",
        _SAM_URL + "sam_vit_l_0b3195.pth",
        "3adcc4315b642a4d2101128f611684e8734c41232a17c648ed1693702a49a622",
        "metric_options.seess.sam_checkpoint",
        "Segment Anything ViT-L checkpoint",
    ),
    "vit_b": WeightSpec(
        "sam_vit_b_01ec64.pth",
        _SAM_URL + "sam_vit_b_01ec64.pth",
        "ec2df62732614e57411cdcf32a23ffdf28910380d03139ee0f4fcbe91eb8c912",
        "metric_options.seess.sam_checkpoint",
        "Segment Anything ViT-B checkpoint",
    ),
}


@dataclass(frozen=True)
class SamArch:
    """Hyper-parameters of one SAM architecture (segment-anything's ``_build_sam``)."""

    encoder_embed_dim: int
    encoder_depth: int
    encoder_num_heads: int
    encoder_global_attn_indexes: tuple[int, ...]
    prompt_embed_dim: int = 256
    image_size: int = 1024
    patch_size: int = 16
    window_size: int = 14
    decoder_mlp_dim: int = 2048
    decoder_heads: int = 8
    iou_head_hidden_dim: int = 256


#: The three released sizes plus ``seess-tiny-sam``, a small architecture for tests
#: (random weights saved to a checkpoint file by the test, loaded by the same code).
SAM_ARCHS: dict[str, SamArch] = {
    "vit_h": SamArch(1280, 32, 16, (7, 15, 23, 31)),
    "vit_l": SamArch(1024, 24, 16, (5, 11, 17, 23)),
    "vit_b": SamArch(768, 12, 12, (2, 5, 8, 11)),
    "seess-tiny-sam": SamArch(
        32,
        2,
        2,
        (1,),
        prompt_embed_dim=32,
        image_size=256,
        window_size=4,
        decoder_mlp_dim=64,
        decoder_heads=2,
        iou_head_hidden_dim=32,
    ),
}


def build_sam_model(arch: str | SamArch):
    """A randomly initialised ``segment_anything.modeling.Sam`` of the given architecture, in eval mode."""
    import torch
    from segment_anything.modeling import (
        ImageEncoderViT,
        MaskDecoder,
        PromptEncoder,
        Sam,
        TwoWayTransformer,
    )

    a = SAM_ARCHS[_check_arch(arch)] if isinstance(arch, str) else arch
    emb = a.image_size // a.patch_size
    sam = Sam(
        image_encoder=ImageEncoderViT(
            depth=a.encoder_depth,
            embed_dim=a.encoder_embed_dim,
            img_size=a.image_size,
            mlp_ratio=4,
            norm_layer=partial(torch.nn.LayerNorm, eps=1e-6),
            num_heads=a.encoder_num_heads,
            patch_size=a.patch_size,
            qkv_bias=True,
            use_rel_pos=True,
            global_attn_indexes=list(a.encoder_global_attn_indexes),
            window_size=a.window_size,
            out_chans=a.prompt_embed_dim,
        ),
        prompt_encoder=PromptEncoder(
            embed_dim=a.prompt_embed_dim,
            image_embedding_size=(emb, emb),
            input_image_size=(a.image_size, a.image_size),
            mask_in_chans=16,
        ),
        mask_decoder=MaskDecoder(
            num_multimask_outputs=3,
            transformer=TwoWayTransformer(
                depth=2,
                embedding_dim=a.prompt_embed_dim,
                mlp_dim=a.decoder_mlp_dim,
                num_heads=a.decoder_heads,
            ),
            transformer_dim=a.prompt_embed_dim,
            iou_head_depth=3,
            iou_head_hidden_dim=a.iou_head_hidden_dim,
        ),
        pixel_mean=[123.675, 116.28, 103.53],
        pixel_std=[58.395, 57.12, 57.375],
    )
    return sam.eval()


def _check_arch(model_type: str) -> str:
    if model_type not in SAM_ARCHS:
        raise ValueError(
            f"unknown SAM model type '{model_type}'; expected one of {sorted(SAM_ARCHS)}"
        )
    return model_type


def _load_sam_file(model_type: str, path: Path, device: str):
    import torch

    model = build_sam_model(model_type)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - pickle, zip and truncation errors of every kind
        raise MissingWeightsError(
            f"{path}: not a readable SAM checkpoint ({type(exc).__name__}: {exc})"
        ) from None
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        first = str(exc).splitlines()[0]
        raise ValueError(
            f"{path}: checkpoint does not fit SAM architecture '{model_type}' ({first}); "
            "set `sam_model` to the size the checkpoint was trained with"
        ) from None
    return model.to(device).eval()


def load_sam(
    model_type: str = "vit_h",
    checkpoint: str | os.PathLike | None = None,
    *,
    device: str = "cpu",
    weights_dir: str | os.PathLike | None = None,
    allow_download: bool = False,
    verify: bool = True,
):
    """The shared SAM model for ``(model_type, checkpoint, device)``; built on first use.

    ``checkpoint``: a local file; ``None`` looks for the official file name in
    ``weights_dir`` (default ``$SEESS_WEIGHTS`` or ``resources/weights``) and, when
    ``allow_download``, fetches it from the official URL with its SHA-256 checked.
    Missing weights raise :class:`~semcom_core.weights.MissingWeightsError` naming the
    file, the URL and the config key. ``seess-tiny-sam`` needs an explicit checkpoint.
    """
    _check_arch(model_type)
    if model_type in SAM_WEIGHTS:
        spec = SAM_WEIGHTS[model_type]
        path = resolve_checkpoint(
            spec,
            checkpoint,
            cache_dir=weights_dir,
            allow_download=allow_download,
            # release files (by name) are checked; a fine-tuned file of the same size is not
            verify=verify and (checkpoint is None or Path(checkpoint).name == spec.filename),
        )
    else:
        if checkpoint is None or not Path(checkpoint).expanduser().is_file():
            raise MissingWeightsError(
                f"SAM architecture '{model_type}' has no release checkpoint: give its file "
                f"(`metric_options.seess.sam_checkpoint`), got {checkpoint!r}"
            )
        path = Path(checkpoint).expanduser()
    key = ("sam", model_type, str(Path(path).resolve()), device)
    return cached_model(key, lambda: _load_sam_file(model_type, Path(path), device))


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
        self.model_type = _check_arch(model_type)
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


class FelzenszwalbSegmenter(Segmenter):
    """Offline segmenter: Felzenszwalb-Huttenlocher graph segmentation (scikit-image).

    Each region of the label map becomes a mask; regions smaller than
    ``min_area`` (a fraction of the image) are dropped. With several ``scales``
    the label maps of each scale are pooled, giving coarse and fine objects like
    SAM's multi-granular output (near-duplicates go in :func:`postprocess_masks`).
    ``scale`` values refer to a 256-px image and are adapted to the image size.
    ``sigma`` (Gaussian pre-smoothing) defaults to 0: smoothing turns every
    sharp edge into a band of thin spurious segments.
    """

    name = "felzenszwalb"

    def __init__(
        self,
        scales: tuple[float, ...] = (500.0, 3000.0),
        sigma: float = 0.0,
        min_area: float = 0.005,
    ) -> None:
        if not scales or any(s <= 0 for s in scales):
            raise ValueError(f"felzenszwalb: scales must be positive, got {scales}")
        if not 0 <= min_area < 1:
            raise ValueError(f"felzenszwalb: min_area must be a fraction in [0, 1), got {min_area}")
        self.scales = tuple(float(s) for s in scales)
        self.sigma = float(sigma)
        self.min_area = float(min_area)

    def _segment(self, image: np.ndarray) -> np.ndarray:
        from skimage.segmentation import felzenszwalb

        h, w = image.shape[:2]
        if h * w < 4:
            return np.zeros((0, h, w), bool)
        size = (h * w) ** 0.5 / 256.0
        min_px = max(1, round(self.min_area * h * w))
        out = []
        for scale in self.scales:
            labels = felzenszwalb(
                image, scale=scale * size, sigma=self.sigma, min_size=max(2, min_px // 2)
            )
            counts = np.bincount(labels.ravel())
            for lab in np.flatnonzero(counts >= min_px):
                out.append(labels == lab)
        return np.stack(out) if out else np.zeros((0, h, w), bool)

    def describe(self) -> dict[str, Any]:
        return {
            "segmenter": "felzenszwalb",
            "scales": list(self.scales),
            "sigma": self.sigma,
            "min_area": self.min_area,
        }


def normalise_colour(image: np.ndarray) -> np.ndarray:
    """Per-channel standardised colour ``(H, W, 3)`` float64 (zero mean, unit deviation).

    Invariant to any per-channel affine colour change ``a_c * x + b_c`` with ``a_c > 0``
    (a global cast, a blend with a flat colour, a brightness or contrast change) up to
    rounding; a constant channel becomes 0.
    """
    x = np.asarray(image, dtype=np.float64)
    flat = x.reshape(-1, x.shape[-1])
    mean = flat.mean(0)
    std = flat.std(0)
    return (x - mean) / np.where(std > 1e-6, std, 1.0)


class ObjectSegmenter(Segmenter):
    """Offline object-level segmenter: merged Felzenszwalb regions (``sess-lite``).

    Steps, on the colour-normalised image (:func:`normalise_colour`, so a global colour
    cast does not change the regions) shrunk to ``work_side`` px (longer side) and
    smoothed (Gaussian ``sigma`` px):

    1. Felzenszwalb-Huttenlocher over-segmentation (``scale``; components under a
       quarter of ``min_area`` join a neighbour in its own post-pass);
    2. region-adjacency-graph merging (scikit-image ``rag_mean_color`` +
       ``merge_hierarchical``): adjacent regions whose mean colours lie closer than
       ``merge_threshold`` (in standard deviations of the image) are merged, closest
       first, recomputing the means;
    3. regions covering less than ``min_area`` of the image join their adjacent
       region of closest mean colour (:func:`absorb_small_regions`; SAM's generator
       likewise filters small masks), so every pixel belongs to one object.

    Masks are returned at the image's resolution (nearest-neighbour upsampling).
    """

    name = "objects"

    def __init__(
        self,
        work_side: int = 128,
        sigma: float = 2.0,
        scale: float = 60.0,
        merge_threshold: float = 0.4,
        min_area: float = 0.015,
        thin_px: int = 2,
        colour_threshold: float = 0.35,
        max_regions: int = 8,
    ) -> None:
        if work_side < 16:
            raise ValueError(f"objects: work_side must be >= 16, got {work_side}")
        if sigma < 0 or scale <= 0 or merge_threshold < 0:
            raise ValueError("objects: need sigma >= 0, scale > 0 and merge_threshold >= 0")
        if not 0 <= min_area < 1:
            raise ValueError(f"objects: min_area must be a fraction in [0, 1), got {min_area}")
        self.work_side = int(work_side)
        self.sigma = float(sigma)
        self.scale = float(scale)
        self.merge_threshold = float(merge_threshold)
        self.min_area = float(min_area)
        self.thin_px = int(thin_px)
        self.colour_threshold = float(colour_threshold)
        self.max_regions = int(max_regions)

    def labels(self, image: np.ndarray) -> np.ndarray:
        """Region labels ``(h, w)`` int64 at the working size (0, 1, ... ; after merging)."""
        from PIL import Image
        from scipy import ndimage
        from skimage.segmentation import felzenszwalb

        h, w = image.shape[:2]
        s = min(1.0, self.work_side / max(h, w))
        sh, sw = max(1, round(h * s)), max(1, round(w * s))
        small = image
        if (sh, sw) != (h, w):
            small = np.asarray(Image.fromarray(image).resize((sw, sh), Image.Resampling.BOX))
        x = normalise_colour(small)
        if self.sigma > 0:
            x = ndimage.gaussian_filter(x, (self.sigma, self.sigma, 0))
        min_size = max(2, round(0.25 * self.min_area * sh * sw))
        lab = felzenszwalb(x, scale=self.scale, sigma=0.0, min_size=min_size)
        if lab.max() > 0:
            lab = _merge_regions(lab, x, self.merge_threshold, self.colour_threshold)
        lab = absorb_small_regions(
            lab, x, max(1, round(self.min_area * sh * sw)), thin_px=self.thin_px
        )
        if self.max_regions and lab.max() + 1 > self.max_regions:
            lab = _merge_regions(
                lab, x, self.merge_threshold, self.colour_threshold, self.max_regions
            )
        _, lab = np.unique(lab, return_inverse=True)
        return lab.reshape(sh, sw).astype(np.int64)

    def _segment(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        if h * w < 4:
            return np.zeros((0, h, w), bool)
        lab = self.labels(image)
        sh, sw = lab.shape
        rows = np.minimum((np.arange(h) + 0.5) * sh / h, sh - 1).astype(np.int64)
        cols = np.minimum((np.arange(w) + 0.5) * sw / w, sw - 1).astype(np.int64)
        full = lab[rows[:, None], cols[None, :]]
        counts = np.bincount(full.ravel())
        keep = np.flatnonzero(counts >= max(1.0, self.min_area * h * w))
        if keep.size == 0:
            return np.zeros((0, h, w), bool)
        return full[None] == keep[:, None, None]

    def describe(self) -> dict[str, Any]:
        return {
            "segmenter": self.name,
            "work_side": self.work_side,
            "sigma": self.sigma,
            "scale": self.scale,
            "merge_threshold": self.merge_threshold,
            "min_area": self.min_area,
            "thin_px": self.thin_px,
            "colour_threshold": self.colour_threshold,
            "max_regions": self.max_regions,
        }


def _merge_regions(
    labels: np.ndarray,
    x: np.ndarray,
    edge_threshold: float,
    colour_threshold: float,
    max_regions: int | None = None,
) -> np.ndarray:
    """Region-adjacency-graph merging (scikit-image ``rag_boundary`` +
    ``merge_hierarchical``) of ``labels`` on the image ``x`` ``(h, w, 3)``: adjacent
    regions merge, weakest first, while ``min(boundary / edge_threshold, colour /
    colour_threshold) < 1``, where ``boundary`` is the mean Sobel strength of ``x`` along
    their shared boundary (a gradient or a texture has weak inner boundaries) and
    ``colour`` the distance of their mean colours (recomputed after each merge). With
    ``max_regions``, the weakest pairs keep merging until at most that many remain."""
    from skimage import filters, graph

    edges = np.sqrt(sum(filters.sobel(x[..., c]) ** 2 for c in range(x.shape[2])))
    rag = graph.rag_boundary(labels, edges)
    flat = labels.ravel()
    k = int(flat.max()) + 1
    count = np.bincount(flat, minlength=k).astype(np.float64)
    total = np.stack([np.bincount(flat, x[..., c].ravel(), k) for c in range(x.shape[2])], 1)
    for n in rag.nodes:
        rag.nodes[n]["total"] = total[n].copy()
        rag.nodes[n]["count"] = count[n]
    for a, b, d in rag.edges(data=True):
        d["boundary"] = d["weight"]
        d["weight"] = _merge_weight(rag, a, b, d["boundary"], edge_threshold, colour_threshold)

    def weight(g, src: int, dst: int, n: int) -> dict[str, float]:
        default = {"boundary": 0.0, "count": 0}
        a, b = g[src].get(n, default), g[dst].get(n, default)
        cnt = a["count"] + b["count"]
        bnd = (a["count"] * a["boundary"] + b["count"] * b["boundary"]) / max(cnt, 1)
        w = _merge_weight(g, dst, n, bnd, edge_threshold, colour_threshold)
        return {"count": cnt, "boundary": bnd, "weight": w}

    def merge(g, src: int, dst: int) -> None:
        g.nodes[dst]["total"] = g.nodes[dst]["total"] + g.nodes[src]["total"]
        g.nodes[dst]["count"] = g.nodes[dst]["count"] + g.nodes[src]["count"]

    out = graph.merge_hierarchical(
        labels,
        rag,
        thresh=1.0,
        rag_copy=False,
        in_place_merge=True,
        merge_func=merge,
        weight_func=weight,
    )
    if max_regions is None or rag.number_of_nodes() <= max_regions:
        return out
    while rag.number_of_nodes() > max_regions and rag.number_of_edges() > 0:
        a, b, _ = min(rag.edges(data=True), key=lambda e: (e[2]["weight"], e[0], e[1]))
        merge(rag, a, b)
        rag.merge_nodes(a, b, weight, in_place=True)
    label_map = np.arange(labels.max() + 1)
    for ix, (_, d) in enumerate(rag.nodes(data=True)):
        for lab in d["labels"]:
            label_map[lab] = ix
    return label_map[labels]


def _merge_weight(g, a: int, b: int, boundary: float, t_edge: float, t_colour: float) -> float:
    ma = g.nodes[a]["total"] / max(g.nodes[a]["count"], 1.0)
    mb = g.nodes[b]["total"] / max(g.nodes[b]["count"], 1.0)
    colour = float(np.linalg.norm(ma - mb))
    return min(boundary / max(t_edge, 1e-12), colour / max(t_colour, 1e-12))


def absorb_small_regions(
    labels: np.ndarray, features: np.ndarray, min_pixels: int, thin_px: int = 0
) -> np.ndarray:
    """Merge every region of ``labels`` ``(h, w)`` smaller than ``min_pixels`` (or, with
    ``thin_px > 0``, thin: less than a quarter of it survives an erosion by ``thin_px``
    pixels, such as the band a blurred object edge leaves) into the 4-adjacent region
    whose mean ``features`` ``(h, w, c)`` is closest, smallest region first (means and
    sizes updated after each merge). Returns labels ``0..k-1``."""
    from scipy import ndimage

    _, lab = np.unique(labels, return_inverse=True)
    lab = lab.reshape(labels.shape)
    k = int(lab.max()) + 1
    thin = np.zeros(k, bool)
    if thin_px > 0:
        struct = ndimage.generate_binary_structure(2, 1)
        for i in range(k):
            m = lab == i
            core = ndimage.binary_erosion(m, struct, iterations=thin_px, border_value=1)
            thin[i] = core.sum() < 0.25 * m.sum()
    f = features.reshape(-1, features.shape[-1])
    size = np.bincount(lab.ravel(), minlength=k).astype(np.float64)
    total = np.stack([np.bincount(lab.ravel(), f[:, c], k) for c in range(f.shape[1])], 1)
    parent = np.arange(k)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = np.concatenate(
        [
            np.stack([lab[:, :-1].ravel(), lab[:, 1:].ravel()], 1),
            np.stack([lab[:-1].ravel(), lab[1:].ravel()], 1),
        ]
    )
    pairs = np.unique(np.sort(pairs[pairs[:, 0] != pairs[:, 1]], axis=1), axis=0)
    neighbours: dict[int, set[int]] = {i: set() for i in range(k)}
    for a, b in pairs:
        neighbours[int(a)].add(int(b))
        neighbours[int(b)].add(int(a))
    while True:
        alive = [i for i in range(k) if parent[i] == i and neighbours[i]]
        small = [i for i in alive if size[i] < min_pixels or thin[i]]
        if not small:
            break
        i = min(small, key=lambda j: (size[j], j))
        mean_i = total[i] / size[i]
        j = min(neighbours[i], key=lambda n: (float(np.sum((total[n] / size[n] - mean_i) ** 2)), n))
        parent[i] = j
        thin[i] = False
        size[j] += size[i]
        total[j] += total[i]
        for n in neighbours.pop(i):
            neighbours[n].discard(i)
            if n != j:
                neighbours[n].add(j)
                neighbours[j].add(n)
        neighbours[i] = set()
    roots = np.array([root(i) for i in range(k)])
    _, out = np.unique(roots[lab], return_inverse=True)
    return out.reshape(labels.shape)
