"""CPU/GPU parity of the baseline metrics (random-weight networks; needs CUDA).

    python benchmarks/check_metrics_gpu.py

Prints, per metric, the largest |cpu - cuda| over a few pairs and fails when
it exceeds the tolerance.
"""

from __future__ import annotations

import sys

import numpy as np

TOL = {
    "psnr": 1e-9,
    "ssim": 1e-4,
    "ms_ssim": 1e-4,
    "lpips": 1e-4,
    "lpips_score": 1e-4,
    "vitscore": 1e-4,
    "clipscore": 1e-4,
}
OPTS = {
    "lpips": {"random_backbone": True},
    "lpips_score": {"random_backbone": True, "net": "vgg"},
    "vitscore": {"model": "vit_base_patch16_224", "weights": "random"},
    "clipscore": {"model": "seess-tiny-clip", "weights": None},
}


def main() -> int:
    import torch

    from semcom_metrics.registry import build_metric

    assert torch.cuda.is_available(), "no CUDA device"
    rng = np.random.default_rng(0)
    refs = [rng.integers(0, 256, (200 + 8 * i, 240, 3), dtype=np.uint8) for i in range(3)]
    refs.append(np.full((180, 190, 3), 77, np.uint8))
    tests = [np.clip(r + rng.normal(0, 15, r.shape), 0, 255).astype(np.uint8) for r in refs]
    tests[1] = refs[1].copy()
    bad = 0
    for name, tol in TOL.items():
        cpu = np.array(
            build_metric(name, device="cpu", **OPTS.get(name, {})).score_batch(refs, tests)
        )
        gpu = np.array(
            build_metric(name, device="cuda", **OPTS.get(name, {})).score_batch(refs, tests)
        )
        fin = np.isfinite(cpu)
        same_inf = np.array_equal(np.isinf(cpu), np.isinf(gpu)) and not np.isnan(gpu).any()
        diff = float(np.max(np.abs(cpu[fin] - gpu[fin])))
        ok = same_inf and diff <= tol
        bad += not ok
        print(
            f"{name:12s} max|cpu-cuda| = {diff:.2e} (tol {tol:g}) {'ok' if ok else 'FAIL'}  "
            f"cuda values {np.round(gpu, 5).tolist()}"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
