"""ViTScore (Zhu et al., "How to Evaluate Semantic Communications for Images with ViTScore Metric?").

BERTScore for images: ``x_i`` are the patch-token features of image X from a
pretrained ViT, ``y_j`` those of Y, both L2-normalised (so ``x_i . y_j`` is a
cosine, which gives the paper's boundedness and ``ViTScore(X, X) = 1``):

    R = mean_i max_j x_i . y_j      P = mean_j max_i x_i . y_j
    ViTScore = 2 R P / (R + P)

Features: ``model.forward_features`` (tokens after the final norm), minus the
class / register tokens (``model.num_prefix_tokens``). Input: the whole image
resized to the model's input size (bicubic, no centre crop: the metric must
see every pixel), scaled to [0, 1] and normalised with the model's mean/std.

Default model: ``vit_base_patch16_224.augreg2_in21k_ft_in1k`` (timm, ViT-B/16,
ImageNet-21k pretrained, fine-tuned on ImageNet-1k). The authors' demo used a
randomly initialised ViT; we use a pretrained one (``weights="random"`` exists
for tests only and is written into ``describe()``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from semcom_core.models import cached_model, resolve_device
from semcom_core.weights import MissingWeightsError, Requirement
from semcom_metrics._common import hf_requirement, package_versions
from semcom_metrics.base import Metric, resize_to

__all__ = ["DEFAULT_VIT", "ViTScore", "greedy_match_f", "load_vit"]

DEFAULT_VIT = "vit_base_patch16_224.augreg2_in21k_ft_in1k"
CONFIG_KEY = "metric_options.vitscore.weights"


def greedy_match_f(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """``(R, P, F)`` of BERTScore-style greedy matching between two token sets.

    Parameters
    ----------
    x: ``(n, d)`` features of X; y: ``(m, d)`` features of Y (already
    normalised if cosine similarity is wanted; used as given).

    Returns
    -------
    ``R = mean_i max_j x_i.y_j``, ``P = mean_j max_i x_i.y_j`` and
    ``F = 2RP / (R + P)``. F is defined as 0 when R or P is not positive
    (the harmonic mean is meaningless there; it does not happen for
    normalised features of natural images).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1] or not len(x) or not len(y):
        raise ValueError(
            f"expected (n, d) and (m, d) feature matrices, got {x.shape} and {y.shape}"
        )
    sim = x @ y.T
    r = float(sim.max(axis=1).mean())
    p = float(sim.max(axis=0).mean())
    f = 2.0 * r * p / (r + p) if r > 0 and p > 0 else 0.0
    return r, p, f


def _is_path(weights: str) -> bool:
    return os.path.sep in weights or weights.endswith((".pt", ".pth", ".bin", ".safetensors"))


def _read_state_dict(path: Path) -> dict:
    import torch

    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    state = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("state_dict", "model", "state_dict_ema"):
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            return state[key]
    return state


def _build_vit(model_name: str, weights: str, seed: int):
    import timm
    import torch

    if weights == "pretrained":
        try:
            model = timm.create_model(model_name, pretrained=True)
        except (OSError, RuntimeError, ValueError) as exc:
            cfg = timm.models.get_pretrained_cfg(model_name)
            src = getattr(cfg, "hf_hub_id", None) or getattr(cfg, "url", None) or "timm's hub"
            raise MissingWeightsError(
                f"ViTScore weights for timm model '{model_name}' could not be loaded "
                f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}).\n"
                f"  They come from the Hugging Face hub ({src}). On a machine with internet access\n"
                f"  run timm.create_model('{model_name}', pretrained=True) to fill the HF cache\n"
                f"  (HF_HOME) and copy it here, or save the state dict to a file and set "
                f"`{CONFIG_KEY}` to its path."
            ) from None
    else:
        torch.manual_seed(seed)
        model = timm.create_model(model_name, pretrained=False)
        if weights != "random":
            p = Path(weights).expanduser()
            if not p.is_file():
                raise MissingWeightsError(
                    f"ViTScore checkpoint '{p}' not found (config key `{CONFIG_KEY}`); give a "
                    f"state-dict file of timm '{model_name}' or weights: pretrained"
                )
            try:
                model.load_state_dict(_read_state_dict(p), strict=True)
            except (RuntimeError, KeyError) as exc:
                raise MissingWeightsError(
                    f"{p}: not a state dict of timm '{model_name}' ({str(exc).splitlines()[0]})"
                ) from None
    if not hasattr(model, "forward_features") or not hasattr(model, "num_prefix_tokens"):
        raise ValueError(f"vitscore: timm model '{model_name}' is not a ViT with patch tokens")
    return model.eval().requires_grad_(False)


def load_vit(
    model_name: str = DEFAULT_VIT,
    weights: str = "pretrained",
    *,
    device: str = "cpu",
    seed: int = 0,
):
    """The timm ViT for ``(model_name, weights, device)``, built once per process, in eval mode.

    ``weights``: ``"pretrained"`` (timm's pretrained tag, from the HF cache),
    a state-dict file, or ``"random"`` (seeded by ``seed``; tests only).
    """
    key = ("timm_vit", model_name, weights, device, seed if weights == "random" else None)
    return cached_model(key, lambda: _build_vit(model_name, weights, seed).to(device))


class ViTScore(Metric):
    """ViTScore in [-1, 1] (1 for identical images), higher is better; see the module docstring.

    Options: ``model`` (timm name, default :data:`DEFAULT_VIT`), ``weights``
    (``"pretrained"`` | path | ``"random"``), ``batch_size``, ``device``, ``resize``.
    """

    name = "vitscore"
    display_name = "ViTScore"
    higher_is_better = True
    value_range = (-1.0, 1.0)

    def __init__(
        self,
        *,
        device: str = "cpu",
        resize: bool = False,
        model: str = DEFAULT_VIT,
        weights: str | None = "pretrained",
        batch_size: int = 16,
        seed: int = 0,
        **options: Any,
    ) -> None:
        super().__init__(device=resolve_device(device), resize=resize, **options)
        import timm

        weights = "random" if weights is None else str(weights)
        if weights not in ("pretrained", "random") and not _is_path(weights):
            raise ValueError(
                f"{self.name}: weights must be 'pretrained', 'random' or a checkpoint "
                f"path, got {weights!r}"
            )
        if not timm.is_model(model):
            raise ValueError(f"{self.name}: unknown timm model '{model}' (see timm.list_models())")
        if weights == "pretrained" and not timm.is_model_pretrained(model):
            raise ValueError(
                f"{self.name}: timm model '{model}' has no pretrained weights; "
                "name a pretrained tag such as " + DEFAULT_VIT
            )
        if int(batch_size) < 1:
            raise ValueError(f"{self.name}: batch_size must be >= 1, got {batch_size}")
        self.model_name, self.weights = model, weights
        self.batch_size, self.seed = int(batch_size), int(seed)

    @property
    def model(self):
        return load_vit(self.model_name, self.weights, device=self.device, seed=self.seed)

    def required_weights(self):
        """The pretrained ViT in the HF cache, or the checkpoint file; none for random weights."""
        if self.weights == "random":
            return []
        if self.weights == "pretrained":
            import timm

            repo = timm.models.get_pretrained_cfg(self.model_name).hf_hub_id
            if repo:
                return [
                    hf_requirement(
                        repo,
                        ("model.safetensors", "pytorch_model.bin"),
                        name=f"ViTScore backbone {self.model_name}",
                        config_key=CONFIG_KEY,
                        fetch=lambda: timm.create_model(self.model_name, pretrained=True),
                    )
                ]
            return []
        p = Path(self.weights).expanduser()

        def fetch():
            if not p.is_file():
                raise MissingWeightsError(
                    f"ViTScore checkpoint '{p}' not found (config key "
                    f"`{CONFIG_KEY}`); it is a local file, not downloadable"
                )
            return p

        return [
            Requirement(
                name=f"ViTScore checkpoint ({self.model_name})",
                config_key=CONFIG_KEY,
                location=str(p),
                source="local file",
                is_present=p.is_file,
                fetch=fetch,
            )
        ]

    def tokens(self, images) -> list[np.ndarray]:
        """L2-normalised patch-token features, one ``(n_patches, d)`` float64 array per image."""
        import torch

        model = self.model
        cfg = model.pretrained_cfg
        _, h, w = cfg.get("input_size", (3, 224, 224))
        mean = torch.tensor(cfg.get("mean", (0.5, 0.5, 0.5))).view(1, 3, 1, 1)
        std = torch.tensor(cfg.get("std", (0.5, 0.5, 0.5))).view(1, 3, 1, 1)
        out: list[np.ndarray] = []
        with torch.no_grad():
            for s in range(0, len(images), self.batch_size):
                batch = np.stack([resize_to(im, (h, w)) for im in images[s : s + self.batch_size]])
                x = torch.from_numpy(batch).permute(0, 3, 1, 2).float() / 255.0
                x = ((x - mean) / std).to(self.device)
                feats = model.forward_features(x)[:, model.num_prefix_tokens :, :].double()
                feats = torch.nn.functional.normalize(feats, dim=-1)  # float64: cos(x, x) = 1
                out.extend(f.cpu().numpy() for f in feats)
        return out

    def _score_pairs(self, pairs):
        refs = self.tokens([r for r, _ in pairs])
        tests = self.tokens([t for _, t in pairs])
        return [greedy_match_f(x, y)[2] for x, y in zip(refs, tests)]

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "library": "timm",
            "versions": package_versions("timm", "torch"),
            "model": self.model_name,
            "weights": self.weights,
            "tokens": "patch tokens of forward_features (prefix tokens dropped), L2-normalised",
            "input": "whole image resized (bicubic) to the model input size, model mean/std",
        }
