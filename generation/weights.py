"""Where the unCLIP model lives and whether it is complete, without touching the network.

``experiments.C.model`` is either a local folder (a ``save_pretrained`` /
``git clone`` of the pipeline) or a Hugging Face hub id, looked up in the local
hub cache only (``$HF_HOME`` / ``$HF_HUB_CACHE``). :func:`unclip_requirement`
is what ``semcom fetch-weights`` lists and what the workflow checks before its
first job; its ``fetch`` is diffusers' own download into the hub cache.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from semcom_core.weights import Requirement

__all__ = [
    "MODEL_SIZES",
    "is_hub_id",
    "model_folder",
    "noising_timesteps",
    "pipeline_complete",
    "unclip_requirement",
]

#: approximate download size of known hub models (safetensors, all components, fp32 files)
MODEL_SIZES = {
    "stabilityai/stable-diffusion-2-1-unclip": "about 7.7 GB (fp32: UNet 3.5, ViT-H image "
    "encoder 2.5, OpenCLIP-H text encoder 1.4, VAE 0.3)",
    "stabilityai/stable-diffusion-2-1-unclip-small": "about 6.3 GB (fp32, ViT-L image encoder)",
}

# pipeline components that hold weights (the others are schedulers, tokenizer, processor)
_WEIGHTED = ("unet", "vae", "text_encoder", "image_encoder", "image_normalizer")
_WEIGHT_SUFFIXES = (".safetensors", ".bin")


def is_hub_id(model: str) -> bool:
    """``owner/name`` that is not an existing local path."""
    if Path(model).expanduser().exists() or model.startswith((".", "/", "~")):
        return False
    parts = model.split("/")
    return len(parts) == 2 and all(parts)


def pipeline_complete(folder: str | os.PathLike) -> bool:
    """``model_index.json`` and a weight file for every weighted component in ``folder``."""
    root = Path(folder)
    index = root / "model_index.json"
    if not index.is_file():
        return False
    try:
        components = json.loads(index.read_text())
    except (OSError, ValueError):
        return False
    for name in _WEIGHTED:
        if name not in components:
            continue
        sub = root / name
        if not sub.is_dir() or not any(p.name.endswith(_WEIGHT_SUFFIXES) for p in sub.iterdir()):
            return False
    return True


def model_folder(model: str) -> Path | None:
    """The local folder holding ``model`` (a folder or the hub-cache snapshot), or ``None``."""
    if not is_hub_id(model):
        p = Path(model).expanduser()
        return p if p.is_dir() else None
    from huggingface_hub import try_to_load_from_cache

    hit = try_to_load_from_cache(model, "model_index.json")
    return Path(hit).parent if isinstance(hit, str) else None


def noising_timesteps(folder: str | os.PathLike) -> int | None:
    """``num_train_timesteps`` of the pipeline's ``image_noising_scheduler`` (None if unknown)."""
    cfg = Path(folder) / "image_noising_scheduler" / "scheduler_config.json"
    try:
        return int(json.loads(cfg.read_text()).get("num_train_timesteps", 1000))
    except (OSError, ValueError):
        return None


def _fetch(model: str) -> Path:
    from diffusers import DiffusionPipeline

    return Path(DiffusionPipeline.download(model))


def unclip_requirement(model: str, config_key: str = "experiments.C.model") -> Requirement:
    """The :class:`~semcom_core.weights.Requirement` of the unCLIP pipeline ``model``."""
    if is_hub_id(model):
        from huggingface_hub import constants

        location = str(Path(constants.HF_HUB_CACHE) / ("models--" + model.replace("/", "--")))
        size = MODEL_SIZES.get(model, "size: see the model card")
        return Requirement(
            name=f"Stable unCLIP pipeline {model} ({size}; Hugging Face hub cache)",
            config_key=config_key,
            location=location,
            source=f"https://huggingface.co/{model}",
            is_present=lambda: (f := model_folder(model)) is not None and pipeline_complete(f),
            fetch=lambda: _fetch(model),
        )
    folder = Path(model).expanduser()

    def fetch_local() -> Path:
        if pipeline_complete(folder):
            return folder
        raise FileNotFoundError(
            f"{folder} is not a complete diffusers pipeline folder; download one, e.g. "
            f"`hf download {next(iter(MODEL_SIZES))} --local-dir {folder}` "
            f"({MODEL_SIZES[next(iter(MODEL_SIZES))]}), or set `{config_key}` to a hub id"
        )

    return Requirement(
        name="Stable unCLIP pipeline (local diffusers folder: model_index.json + component "
        "weights; stabilityai/stable-diffusion-2-1-unclip is about 7.7 GB)",
        config_key=config_key,
        location=str(folder),
        source=f"local folder (e.g. a download of https://huggingface.co/{next(iter(MODEL_SIZES))})",
        is_present=lambda: pipeline_complete(folder),
        fetch=fetch_local,
    )
