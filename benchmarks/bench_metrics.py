"""Baseline-metric speed: batched vs one pair at a time, float32 vs float64 SSIM, CPU vs GPU.

Prints ratios measured in one run (machines differ; ratios travel better than
seconds). Uses random-weight networks (same architectures as the real ones:
LPIPS AlexNet, ViT-B/16, tiny CLIP), so no download is needed.

    python benchmarks/bench_metrics.py [--device cuda] [--pairs 16] [--side 256]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def _images(n: int, side: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side]
    refs, tests = [], []
    for i in range(n):
        base = np.stack([(xx * (i + 1)) % 256, (yy * 3) % 256, ((xx + yy) * 2) % 256], -1)
        ref = np.clip(base + rng.normal(0, 10, base.shape), 0, 255).astype(np.uint8)
        refs.append(ref)
        tests.append(np.clip(ref + rng.normal(0, 20, ref.shape), 0, 255).astype(np.uint8))
    return refs, tests


def _time(fn, sync, repeat=2):
    fn()  # warm-up (model load, kernels)
    sync()
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--pairs", type=int, default=8)
    ap.add_argument("--side", type=int, default=256)
    args = ap.parse_args()

    import torch

    from semcom_metrics.registry import build_metric

    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)
    refs, tests = _images(args.pairs, args.side)
    configs = {
        "psnr": {},
        "ssim": {},
        "ms_ssim": {},
        "lpips": {"random_backbone": True},
        "vitscore": {"model": "vit_base_patch16_224", "weights": "random"},
        "clipscore": {"model": "seess-tiny-clip", "weights": None},
    }
    print(f"device={args.device} pairs={args.pairs} side={args.side}")
    for name, opts in configs.items():
        m = build_metric(name, device=args.device, **opts)
        batched = _time(lambda m=m: m.score_batch(refs, tests), sync)
        single = _time(lambda m=m: [m.score(r, t) for r, t in zip(refs, tests)], sync)
        print(
            f"{name:10s} batched {batched / args.pairs * 1e3:8.2f} ms/pair   "
            f"one-by-one / batched = {single / batched:5.2f}"
        )
    f32 = _time(lambda: build_metric("ssim", device=args.device).score_batch(refs, tests), sync)
    f64 = _time(
        lambda: build_metric("ssim", device=args.device, precision="float64").score_batch(
            refs, tests
        ),
        sync,
    )
    print(f"ssim float64 / float32 time = {f64 / f32:.2f}")


if __name__ == "__main__":
    main()
