"""Stable unCLIP image variations (diffusers' ``StableUnCLIPImg2ImgPipeline``) on arrays.

The pipeline embeds the input image with its CLIP image encoder, adds noise of
level ``noise_level`` to that embedding (the pipeline's ``image_noising_scheduler``,
the paper's knob) and decodes a new image conditioned on it. Level 0 keeps the
embedding intact; 800 keeps little of it.

The model is built once per process (:func:`load_unclip`, cached) from a local
folder or the local Hugging Face hub cache, never downloaded at run time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from semcom_core.imageio import to_rgb_uint8
from semcom_core.models import cached_model, resolve_device
from semcom_core.weights import MissingWeightsError
from semcom_generation.settings import SCHEDULERS, GenerationSettings, check_noise_levels
from semcom_generation.weights import model_folder, pipeline_complete, unclip_requirement

__all__ = ["build_unclip", "generation_size", "load_unclip", "regenerate", "torch_dtype"]


def torch_dtype(dtype: str, device: str) -> Any:
    """The torch dtype for a config name (``auto``: float16 on CUDA, float32 elsewhere)."""
    import torch

    if dtype == "auto":
        return torch.float16 if device.startswith("cuda") else torch.float32
    return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[dtype]


def build_unclip(
    model: str, *, device: str = "auto", dtype: str = "auto", scheduler: str = "default"
):
    """A ``StableUnCLIPImg2ImgPipeline`` from the local folder / hub cache of ``model``, on ``device``.

    Raises :class:`~semcom_core.weights.MissingWeightsError` (naming what to download,
    where it goes and the config key) when the model is not on this machine, and
    ``ValueError`` for an unknown ``scheduler``.
    """
    if scheduler not in SCHEDULERS:
        raise ValueError(
            f"experiments.C.scheduler: unknown scheduler '{scheduler}' "
            f"(expected one of {', '.join(SCHEDULERS)})"
        )
    folder = model_folder(model)
    if folder is None or not pipeline_complete(folder):
        req = unclip_requirement(model)
        raise MissingWeightsError(
            f"{req.name}: not found at {req.location} (from {req.source}; config key "
            f"`{req.config_key}`). Run `semcom fetch-weights --config <your config>` on a machine "
            "with internet access."
        )
    import diffusers

    dev = resolve_device(device)
    pipe = diffusers.StableUnCLIPImg2ImgPipeline.from_pretrained(
        str(folder), dtype=torch_dtype(dtype, dev), local_files_only=True
    )
    cls_name = SCHEDULERS[scheduler]
    if cls_name is not None:
        pipe.scheduler = getattr(diffusers, cls_name).from_config(pipe.scheduler.config)
    pipe = pipe.to(dev)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def load_unclip(settings: GenerationSettings):
    """The pipeline of ``settings``, built once per process and shared."""
    dev = resolve_device(settings.device)
    key = ("unclip", settings.model, dev, settings.dtype, settings.scheduler)
    return cached_model(
        key,
        lambda: build_unclip(
            settings.model, device=dev, dtype=settings.dtype, scheduler=settings.scheduler
        ),
    )


def generation_size(shape: tuple[int, ...], longer_side: int, multiple: int = 8) -> tuple[int, int]:
    """``(height, width)`` keeping the aspect of ``shape``, longer side ``longer_side``,
    both multiples of ``multiple`` (at least ``multiple``)."""
    h, w = int(shape[0]), int(shape[1])
    scale = longer_side / max(h, w)
    return tuple(max(multiple, round(s * scale / multiple) * multiple) for s in (h, w))  # type: ignore[return-value]


def regenerate(
    pipe,
    image: np.ndarray,
    noise_level: int,
    seed: int,
    *,
    num_inference_steps: int = 20,
    guidance_scale: float = 10.0,
    prompt: str = "",
    resolution: int | None = None,
) -> np.ndarray:
    """A variation of ``image`` at ``noise_level``, seeded by ``seed``.

    Parameters
    ----------
    pipe : StableUnCLIPImg2ImgPipeline
        From :func:`load_unclip` / :func:`build_unclip`.
    image : np.ndarray, (H, W, 3) uint8
        The original.
    noise_level : int
        Noise added to the CLIP image embedding, ``0 .. num_train_timesteps - 1``
        of the pipeline's ``image_noising_scheduler``.
    seed : int
        Seeds a CPU ``torch.Generator`` (the same noise on every device).
    resolution : int or None
        Longer side of the generated image (``None``: the model's native size).

    Returns
    -------
    np.ndarray, (H, W, 3) uint8
        The generated image resized (bicubic) back to the original's size.
    """
    import torch
    from PIL import Image

    image = to_rgb_uint8(image)
    check_noise_levels([noise_level], int(pipe.image_noising_scheduler.config.num_train_timesteps))
    native = int(pipe.unet.config.sample_size) * int(pipe.vae_scale_factor)
    gh, gw = generation_size(image.shape, resolution or native)
    generator = torch.Generator(device="cpu").manual_seed(int(seed))
    out = pipe(
        image=Image.fromarray(image),
        prompt=prompt,
        noise_level=int(noise_level),
        num_inference_steps=int(num_inference_steps),
        guidance_scale=float(guidance_scale),
        height=gh,
        width=gw,
        generator=generator,
        output_type="np",
    ).images[0]
    arr = np.clip(np.rint(np.asarray(out, dtype=np.float32) * 255.0), 0, 255).astype(np.uint8)
    h, w = image.shape[:2]
    if arr.shape[:2] != (h, w):
        arr = np.asarray(Image.fromarray(arr).resize((w, h), Image.Resampling.BICUBIC))
    return arr
