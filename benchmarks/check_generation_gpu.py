"""GPU check of Experiment C's generation stage (run on a CUDA machine; prints OK or exits 1).

Uses the tiny random Stable unCLIP pipeline (no downloads), saved and loaded like a real one:

- ``generate_shard`` on CUDA writes every image of the shard at the original's size, and a
  second run with the same seeds gives the same pixels (at most 1 grey level apart: cuDNN
  may pick different kernels);
- CUDA float32 against the CPU: the same CPU ``torch.Generator`` draws the same latents, so
  the images agree closely (mean |cpu - cuda| under 2 grey levels);
- ``dtype: auto`` is float16 on CUDA and gives finite, non-constant images;
- with ``MODEL=<hub id or folder>`` in the environment (weights present), the real model
  regenerates one image at noise levels 0 and 800 and prints the seconds per image.

Without CUDA it prints SKIP and exits 0 (``--device cpu`` runs the same checks on the CPU).

    .venv/bin/python benchmarks/check_generation_gpu.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np


def _shard(settings, originals, out):
    from semcom_pipeline.experiment_c import generate_shard

    t = time.perf_counter()
    for level in settings.noise_levels:
        generate_shard(level, originals, out, settings)
    return time.perf_counter() - t


def _images(folder: Path) -> dict[str, np.ndarray]:
    from semcom_core.imageio import load_rgb

    return {str(p.relative_to(folder)): load_rgb(p) for p in sorted(folder.rglob("*.png"))}


def main(argv: list[str]) -> int:
    device = "cpu" if "--device" in argv and argv[argv.index("--device") + 1] == "cpu" else "cuda"
    from semcom_pipeline.gpu import claim_gpu

    if device == "cuda":
        claim_gpu("cuda")
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        print("SKIP: no CUDA device")
        return 0
    from semcom_core.bundled import load_bundled
    from semcom_core.imageio import resize_longer_side, save_png
    from semcom_core.models import clear_model_cache
    from semcom_generation.settings import GenerationSettings
    from semcom_generation.tiny import save_tiny_unclip

    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        model = save_tiny_unclip(d / "tiny-unclip")
        originals = {
            n: str(save_png(d / f"{n}.png", resize_longer_side(load_bundled(n), 96)))
            for n in ("astronaut", "coffee")
        }
        tiny = partial(
            GenerationSettings,
            model=str(model),
            noise_levels=(0, 800),
            num_inference_steps=2,
            variations=2,
        )
        runs = {
            "dev-1": tiny(device=device, dtype="float32"),
            "dev-2": tiny(device=device, dtype="float32"),
            "cpu": tiny(device="cpu", dtype="float32"),
            "auto": tiny(device=device, dtype="auto"),
        }
        imgs = {}
        for name, settings in runs.items():
            clear_model_cache()
            secs = _shard(settings, originals, d / name)
            imgs[name] = _images(d / name)
            print(f"{name:6s} {settings.device:4s} {settings.dtype:7s} {secs:.2f} s")
        from semcom_core.imageio import load_rgb

        shapes = {n: load_rgb(p).shape for n, p in originals.items()}
        for found in imgs.values():
            ok &= len(found) == len(originals) * 2 * 2  # images x noise levels x variations
            ok &= all(img.shape == shapes[Path(k).stem] for k, img in found.items())
        for key in imgs["dev-1"]:
            a, b = imgs["dev-1"][key].astype(int), imgs["dev-2"][key].astype(int)
            c, h = imgs["cpu"][key].astype(int), imgs["auto"][key]
            rerun = int(np.abs(a - b).max())
            vs_cpu = float(np.abs(a - c).mean())
            print(
                f"{key:28s} rerun max diff {rerun}  mean |cpu-{device}| {vs_cpu:.3f}  "
                f"auto-dtype std {h.std():.1f}"
            )
            ok &= rerun <= 1 and vs_cpu < 2.0 and h.std() > 1.0
        real = os.environ.get("MODEL")
        if real:
            from semcom_generation.unclip import load_unclip, regenerate

            settings = GenerationSettings(model=real, device=device)
            pipe = load_unclip(settings)
            ref = resize_longer_side(load_bundled("astronaut"), 512)
            for level in (0, 800):
                t = time.perf_counter()
                out = regenerate(pipe, ref, level, 0)
                print(f"{real} noise={level}: {time.perf_counter() - t:.1f} s, std {out.std():.1f}")
                save_png(Path(os.environ.get("OUT", ".")) / f"unclip_noise{level}.png", out)
                ok &= out.shape == ref.shape and out.std() > 1.0
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("TQDM_DISABLE", "1")
    sys.exit(main(sys.argv[1:]))
