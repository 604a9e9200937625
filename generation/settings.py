"""Generation settings of Experiment C and the checks that need no model.

:class:`GenerationSettings` is built from ``config["experiments"]["C"]`` (already
validated by the workflow schema); :data:`SCHEDULERS` maps the config's scheduler
names to diffusers classes (imported only when a pipeline is built).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "DEFAULT_MODEL",
    "DTYPES",
    "PAPER_NOISE_LEVELS",
    "SCHEDULERS",
    "GenerationSettings",
    "check_noise_levels",
]

DEFAULT_MODEL = "stabilityai/stable-diffusion-2-1-unclip"
PAPER_NOISE_LEVELS = (0, 200, 400, 600, 800)

#: config name -> diffusers scheduler class name; ``default`` keeps the model's own scheduler
SCHEDULERS: dict[str, str | None] = {
    "default": None,
    "ddim": "DDIMScheduler",
    "ddpm": "DDPMScheduler",
    "pndm": "PNDMScheduler",
    "euler": "EulerDiscreteScheduler",
    "euler_ancestral": "EulerAncestralDiscreteScheduler",
    "dpm_solver": "DPMSolverMultistepScheduler",
    "lms": "LMSDiscreteScheduler",
}

#: config name -> torch dtype name; ``auto`` is float16 on CUDA, float32 on the CPU
DTYPES = ("auto", "float32", "float16", "bfloat16")


@dataclass(frozen=True)
class GenerationSettings:
    """How each image is regenerated (one value per config key of ``experiments.C``).

    ``resolution`` is the longer side of the generated image in pixels (``None``:
    the model's native size, ``unet.sample_size x vae_scale_factor``); the result
    is resized back to the original's size before scoring.
    """

    model: str = DEFAULT_MODEL
    noise_levels: tuple[int, ...] = PAPER_NOISE_LEVELS
    variations: int = 1
    num_inference_steps: int = 20
    guidance_scale: float = 10.0
    seed: int = 0
    dtype: str = "auto"
    device: str = "auto"
    scheduler: str = "default"
    prompt: str = ""
    resolution: int | None = None

    def __post_init__(self) -> None:
        if self.scheduler not in SCHEDULERS:
            raise ValueError(
                f"experiments.C.scheduler: unknown scheduler '{self.scheduler}' "
                f"(expected one of {', '.join(SCHEDULERS)})"
            )
        if self.dtype not in DTYPES:
            raise ValueError(
                f"experiments.C.dtype: unknown dtype '{self.dtype}' (expected {', '.join(DTYPES)})"
            )
        for key in ("variations", "num_inference_steps"):
            if getattr(self, key) < 1:
                raise ValueError(f"experiments.C.{key}: must be at least 1")
        check_noise_levels(self.noise_levels, 1000)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> GenerationSettings:
        """Settings from a validated config (``experiments.C``; ``device: null`` -> top level)."""
        c = dict(config["experiments"]["C"])
        return cls(
            model=c.get("model") or DEFAULT_MODEL,
            noise_levels=tuple(int(n) for n in c.get("noise_levels", PAPER_NOISE_LEVELS)),
            variations=int(c.get("variations", 1)),
            num_inference_steps=int(c.get("num_inference_steps", 20)),
            guidance_scale=float(c.get("guidance_scale", 10.0)),
            seed=int(c["seed"] if c.get("seed") is not None else config.get("seed", 0)),
            dtype=c.get("dtype", "auto"),
            device=c.get("device") or config.get("device", "auto"),
            scheduler=c.get("scheduler", "default"),
            prompt=c.get("prompt", ""),
            resolution=c.get("resolution"),
        )

    def describe(self) -> dict[str, Any]:
        """Provenance of a generated image (every setting, the noise levels as a list)."""
        out = asdict(self)
        out["noise_levels"] = list(self.noise_levels)
        return out

    def label(self) -> str:
        """Compact one-line text of the settings for the tidy table's ``codec`` column."""
        name = self.model.rstrip("/").rsplit("/", 1)[-1]
        return (
            f"{name} scheduler={self.scheduler} steps={self.num_inference_steps} "
            f"guidance={self.guidance_scale:g} dtype={self.dtype} seed={self.seed}"
        )


def check_noise_levels(levels: Sequence[int], num_train_timesteps: int) -> None:
    """Raise ``ValueError`` naming ``experiments.C.noise_levels[i]`` if a level is out of range.

    The pipeline adds noise with its ``image_noising_scheduler``, whose valid levels
    are ``0 .. num_train_timesteps - 1`` (999 for Stable unCLIP 2.1).
    """
    for i, level in enumerate(levels):
        if isinstance(level, bool) or int(level) != level:
            raise ValueError(f"experiments.C.noise_levels[{i}]: {level!r} is not an integer")
        if not 0 <= int(level) < num_train_timesteps:
            raise ValueError(
                f"experiments.C.noise_levels[{i}]: {level} is outside 0..{num_train_timesteps - 1}, "
                "the range of the model's image_noising_scheduler"
            )
