"""ClipScore: cosine similarity of the OpenCLIP image embeddings of X and Y.

The model is the shared OpenCLIP instance of :func:`seess.clip_model.load_open_clip`
(default ViT-H-14 / laion2b_s32b_b79k as in the SeSS authors' demo), so SeSS
and ClipScore in one job load it once. Images go through OpenCLIP's own
preprocessing (resize shorter side + centre crop to the model's input size,
CLIP mean/std).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from seess.clip_model import DEFAULT_CLIP, load_open_clip
from semcom_core.models import resolve_device
from semcom_core.weights import Requirement
from semcom_metrics._common import hf_requirement, package_versions
from semcom_metrics.base import Metric

__all__ = ["ClipScore"]


class ClipScore(Metric):
    """Cosine of L2-normalised CLIP image embeddings, in [-1, 1]; 1 for identical images.

    Options: ``model`` (open_clip architecture), ``weights`` (pretrained tag,
    checkpoint path, or ``None`` for random weights: tests only),
    ``cache_dir`` (open_clip / HF cache), ``batch_size``, ``device``, ``resize``.
    Missing pretrained weights raise :class:`~semcom_core.weights.MissingWeightsError`
    (from the loader) when the model is first used.
    """

    name = "clipscore"
    display_name = "ClipScore"
    higher_is_better = True
    value_range = (-1.0, 1.0)

    def __init__(
        self,
        *,
        device: str = "cpu",
        resize: bool = False,
        model: str = DEFAULT_CLIP[0],
        weights: str | None = DEFAULT_CLIP[1],
        cache_dir: str | None = None,
        batch_size: int = 32,
        seed: int = 0,
        **options: Any,
    ) -> None:
        super().__init__(device=resolve_device(device), resize=resize, **options)
        import open_clip

        from seess.clip_model import _register_configs

        _register_configs()
        if model not in open_clip.list_models():
            raise ValueError(f"{self.name}: unknown open_clip model '{model}'")
        is_path = weights is not None and (
            "/" in weights or weights.endswith((".pt", ".pth", ".bin", ".safetensors"))
        )
        if weights is not None and not is_path:
            tags = open_clip.list_pretrained_tags_by_model(model)
            if weights not in tags:
                raise ValueError(
                    f"{self.name}: '{weights}' is not a pretrained tag of {model}; "
                    f"known tags: {', '.join(tags) or 'none'}"
                )
        if int(batch_size) < 1:
            raise ValueError(f"{self.name}: batch_size must be >= 1, got {batch_size}")
        self.model_name, self.weights, self.cache_dir = model, weights, cache_dir
        self.batch_size, self.seed = int(batch_size), int(seed)

    @property
    def clip(self):
        return load_open_clip(
            self.model_name,
            self.weights,
            device=self.device,
            cache_dir=self.cache_dir,
            seed=self.seed,
        )

    def required_weights(self):
        """The OpenCLIP checkpoint in the HF cache (or the given file); none for random weights."""
        import open_clip

        if self.weights is None:
            return []
        key = "metric_options.clipscore.weights"
        if self.weights.endswith((".pt", ".pth", ".bin", ".safetensors")) or "/" in self.weights:
            p = Path(self.weights).expanduser()
            return [
                Requirement(
                    name=f"OpenCLIP checkpoint ({self.model_name})",
                    config_key=key,
                    location=str(p),
                    source="local file",
                    is_present=p.is_file,
                    fetch=lambda: p if p.is_file() else self.clip,
                )
            ]
        cfg = open_clip.get_pretrained_cfg(self.model_name, self.weights)
        repo = (cfg.get("hf_hub") or "").rstrip("/")
        if not repo:
            return []
        return [
            hf_requirement(
                repo,
                ("open_clip_model.safetensors", "open_clip_pytorch_model.bin"),
                name=f"OpenCLIP {self.model_name}/{self.weights}",
                config_key=key,
                fetch=lambda: self.clip,
                cache_dir=self.cache_dir,
            )
        ]

    def _score_pairs(self, pairs):
        clip = self.clip
        a = clip.embed_images([r for r, _ in pairs], batch_size=self.batch_size).astype(np.float64)
        b = clip.embed_images([t for _, t in pairs], batch_size=self.batch_size).astype(np.float64)
        a /= np.linalg.norm(a, axis=1, keepdims=True)
        b /= np.linalg.norm(b, axis=1, keepdims=True)
        return list(np.sum(a * b, axis=1))

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "library": "open_clip_torch",
            "versions": package_versions("open_clip_torch", "torch"),
            "model": self.model_name,
            "weights": self.weights or "random",
            "embedding": "encode_image, L2-normalised; score = cosine",
        }
