"""A tiny, randomly initialised Stable unCLIP pipeline for tests and smoke checks (no downloads).

:func:`save_tiny_unclip` builds every component of ``StableUnCLIPImg2ImgPipeline``
from small configs (32-wide CLIP encoders, a two-block UNet, a one-level VAE, a
byte-level tokenizer with a 260-token vocabulary) under a fixed seed and writes
it with ``save_pretrained``, so ``experiments.C.model`` can point at the folder.
Its images are noise-like: it checks the plumbing, not the semantics.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["build_tiny_unclip", "save_tiny_unclip"]

_WIDTH = 32  # CLIP hidden size = projection size = UNet cross-attention size


def _tiny_tokenizer():
    import string

    from transformers import CLIPTokenizer

    # printable ASCII characters as tokens (word-final too), no merges; anything else is <unk>
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for ch in string.ascii_lowercase + string.digits + string.punctuation:
        vocab.setdefault(ch, len(vocab))
        vocab.setdefault(ch + "</w>", len(vocab))
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=16)


def build_tiny_unclip(seed: int = 0, sample_size: int = 16):
    """A tiny random ``StableUnCLIPImg2ImgPipeline`` (CPU, float32); native output ``2*sample_size`` px."""
    import torch
    from diffusers import (
        AutoencoderKL,
        DDIMScheduler,
        DDPMScheduler,
        StableUnCLIPImg2ImgPipeline,
        UNet2DConditionModel,
    )
    from diffusers.pipelines.stable_diffusion.stable_unclip_image_normalizer import (
        StableUnCLIPImageNormalizer,
    )
    from transformers import (
        CLIPImageProcessor,
        CLIPTextConfig,
        CLIPTextModel,
        CLIPVisionConfig,
        CLIPVisionModelWithProjection,
    )

    tokenizer = _tiny_tokenizer()
    torch.manual_seed(seed)
    clip: dict[str, Any] = {
        "hidden_size": _WIDTH,
        "projection_dim": _WIDTH,
        "intermediate_size": 37,
    }
    clip.update(num_hidden_layers=2, num_attention_heads=4)
    image_encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(image_size=32, patch_size=4, **clip)
    )
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tokenizer),
            max_position_embeddings=16,
            bos_token_id=0,
            eos_token_id=1,
            pad_token_id=1,
            **clip,
        )
    )
    unet: Any = UNet2DConditionModel(
        sample_size=sample_size,
        in_channels=4,
        out_channels=4,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        block_out_channels=(32, 32),
        attention_head_dim=(2, 4),
        layers_per_block=1,
        norm_num_groups=8,
        cross_attention_dim=_WIDTH,
        # the class embedding is the noised image embedding concatenated with its noise-level embedding
        class_embed_type="projection",
        projection_class_embeddings_input_dim=2 * _WIDTH,
        use_linear_projection=True,
        upcast_attention=True,
    )
    vae: Any = AutoencoderKL(
        block_out_channels=(16, 16),
        down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2,
        norm_num_groups=8,
        latent_channels=4,
        layers_per_block=1,
        sample_size=2 * sample_size,
    )
    pipe: Any = StableUnCLIPImg2ImgPipeline(
        feature_extractor=CLIPImageProcessor(crop_size=32, size=32),
        image_encoder=image_encoder.eval(),
        image_normalizer=StableUnCLIPImageNormalizer(embedding_dim=_WIDTH).eval(),
        image_noising_scheduler=DDPMScheduler(beta_schedule="squaredcos_cap_v2"),
        tokenizer=tokenizer,
        text_encoder=text_encoder.eval(),
        unet=unet.eval(),
        scheduler=DDIMScheduler(
            beta_schedule="scaled_linear",
            beta_start=0.00085,
            beta_end=0.012,
            prediction_type="v_prediction",
            set_alpha_to_one=False,
            steps_offset=1,
        ),
        vae=vae.eval(),
    )
    pipe.set_progress_bar_config(disable=True)
    return pipe


def save_tiny_unclip(folder: str | os.PathLike, seed: int = 0, sample_size: int = 16) -> Path:
    """Build :func:`build_tiny_unclip` and ``save_pretrained`` it to ``folder``; return the folder."""
    out = Path(folder)
    build_tiny_unclip(seed, sample_size).save_pretrained(str(out), safe_serialization=True)
    return out
