"""Segment Anything models: the official checkpoints and their loading (spec section 1.1).

:func:`load_sam` loads a checkpoint file the real way (official URL, SHA-256 checked,
``map_location``, ``weights_only=True``, ``eval()``), once per process;
:func:`build_sam_model` builds an architecture with random weights (the tiny test model,
or full size for timing).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from semcom_core.models import cached_model
from semcom_core.weights import MissingWeightsError, WeightSpec, resolve_checkpoint

__all__ = ["SAM_ARCHS", "SAM_WEIGHTS", "SamArch", "build_sam_model", "check_arch", "load_sam"]

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

    a = SAM_ARCHS[check_arch(arch)] if isinstance(arch, str) else arch
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


def check_arch(model_type: str) -> str:
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
    check_arch(model_type)
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
