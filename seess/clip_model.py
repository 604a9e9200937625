"""OpenCLIP models, loaded once per process and shared by SeSS and ClipScore.

A model is named by an open_clip architecture (``ViT-H-14``) and either a
pretrained tag (``laion2b_s32b_b79k``), a local checkpoint file, or nothing
(random initialisation, for tests). ``seess-tiny`` is a small architecture
shipped with this package so tests run the real OpenCLIP classes quickly.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from semcom_core.models import cached_model
from semcom_core.weights import MissingWeightsError

__all__ = ["DEFAULT_CLIP", "TINY_CLIP", "OpenClip", "load_open_clip"]

DEFAULT_CLIP = ("ViT-H-14", "laion2b_s32b_b79k")  # the authors' demo
TINY_CLIP = "seess-tiny-clip"
_CONFIG_DIR = Path(__file__).with_name("model_configs")


@dataclass
class OpenClip:
    """A loaded OpenCLIP model with its preprocessing and tokenizer."""

    model: Any
    preprocess: Any
    tokenizer: Any
    name: str
    weights: str  # pretrained tag, checkpoint path, or "random"
    device: str

    def embed_images(self, images: Sequence[np.ndarray], batch_size: int = 32) -> np.ndarray:
        """L2-normalised embeddings ``(n, d)`` float32 of uint8 RGB images (any sizes)."""
        import torch
        from PIL import Image

        out = []
        with torch.no_grad():
            for i in range(0, len(images), batch_size):
                batch = torch.stack(
                    [self.preprocess(Image.fromarray(im)) for im in images[i : i + batch_size]]
                )
                feats = self.model.encode_image(batch.to(self.device)).float()
                out.append(torch.nn.functional.normalize(feats, dim=-1).cpu().numpy())
        d = (
            int(self.model.text_projection.shape[1])
            if hasattr(self.model, "text_projection")
            else 0
        )
        return np.concatenate(out).astype(np.float32) if out else np.zeros((0, d), np.float32)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised text embeddings ``(n, d)`` float32."""
        import torch

        with torch.no_grad():
            tokens = self.tokenizer(list(texts)).to(self.device)
            feats = self.model.encode_text(tokens).float()
            return torch.nn.functional.normalize(feats, dim=-1).cpu().numpy().astype(np.float32)


def _register_configs() -> None:
    import open_clip

    if TINY_CLIP not in open_clip.list_models():
        open_clip.add_model_config(_CONFIG_DIR)


def _build(
    model_name: str, weights: str | None, device: str, cache_dir: str | None, seed: int
) -> OpenClip:
    import open_clip
    import torch

    _register_configs()
    if model_name not in open_clip.list_models():
        raise ValueError(f"unknown open_clip model '{model_name}' (see open_clip.list_models())")
    if weights is None:
        torch.manual_seed(seed)  # random weights, reproducible
        pretrained = None
    elif os.path.sep in weights or weights.endswith((".pt", ".pth", ".bin", ".safetensors")):
        if not Path(weights).expanduser().is_file():
            raise MissingWeightsError(
                f"OpenCLIP checkpoint '{weights}' not found (config key `metric_options.seess.clip_weights`, or `metric_options.clipscore.weights`); "
                "give the path of an open_clip checkpoint file or a pretrained tag"
            )
        pretrained = str(Path(weights).expanduser())
    else:
        pretrained = weights
        if weights not in open_clip.list_pretrained_tags_by_model(model_name):
            raise ValueError(
                f"'{weights}' is not a pretrained tag of {model_name}; known tags: "
                f"{', '.join(open_clip.list_pretrained_tags_by_model(model_name)) or 'none'}"
            )
    try:
        model, _, preprocess = open_clip.create_model_and_transforms(
            model_name, pretrained=pretrained, device=device, cache_dir=cache_dir
        )
    except (RuntimeError, OSError, ValueError) as exc:
        if pretrained is None or os.path.exists(str(pretrained)):
            raise
        cfg = open_clip.get_pretrained_cfg(model_name, pretrained)
        src = cfg.get("hf_hub") or cfg.get("url") or "open_clip's release"
        raise MissingWeightsError(
            f"OpenCLIP weights {model_name}/{pretrained} could not be loaded ({type(exc).__name__}: {exc}).\n"
            f"  They come from {src} (Hugging Face hub). On a machine with internet access run\n"
            f"  `semcom fetch-weights` (or open_clip.create_model('{model_name}', pretrained='{pretrained}',"
            " cache_dir=...)) and point `metric_options.seess.clip_cache_dir` (ClipScore:"
            " `metric_options.clipscore.cache_dir`) at that cache, or set"
            " `metric_options.seess.clip_weights` (`metric_options.clipscore.weights`) to a local"
            " checkpoint file."
        ) from None
    model.eval()
    tokenizer = open_clip.get_tokenizer(model_name)
    return OpenClip(model, preprocess, tokenizer, model_name, weights or "random", device)


def load_open_clip(
    model_name: str = DEFAULT_CLIP[0],
    weights: str | None = DEFAULT_CLIP[1],
    *,
    device: str = "cpu",
    cache_dir: str | os.PathLike | None = None,
    seed: int = 0,
) -> OpenClip:
    """The shared OpenCLIP instance for ``(model_name, weights, device)``; built on first use.

    ``weights``: a pretrained tag, a checkpoint path, or ``None`` for random
    weights (seeded by ``seed``). Missing pretrained weights raise
    :class:`~semcom_core.weights.MissingWeightsError` with what to download.
    """
    cd = str(cache_dir) if cache_dir else None
    key = ("open_clip", model_name, weights, device, cd, seed if weights is None else None)
    return cached_model(key, lambda: _build(model_name, weights, device, cd, seed))
