"""GPU check of the SeSS ``sess`` path: tiny SAM + tiny OpenCLIP on CUDA vs CPU (parity, timing).

    .venv/bin/python benchmarks/check_seess_gpu.py

Exits 0 with "OK" when the CUDA scores match the CPU scores (the tiny models
are randomly initialised, so only parity is meaningful, not the values).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from seess.api import SeSS
from seess.sam_model import build_sam_model


def scene(shift: int, colour) -> np.ndarray:
    img = np.zeros((96, 96, 3), np.uint8)
    img[:] = (40, 120, 200)
    img[64:] = (60, 160, 60)
    img[20 + shift : 40 + shift, 20:40] = colour
    img[50:70, 60 + shift : 80 + shift] = (240, 220, 40)
    return img


def main() -> int:
    if not torch.cuda.is_available():
        print("no CUDA device")
        return 1
    with tempfile.TemporaryDirectory() as d:
        torch.manual_seed(0)
        ckpt = Path(d) / "tiny_sam.pth"
        torch.save(build_sam_model("seess-tiny-sam").state_dict(), ckpt)
        opts = {
            "sam_model": "seess-tiny-sam",
            "sam_checkpoint": str(ckpt),
            "clip_model": "seess-tiny-clip",
            "clip_weights": None,
            "sam_options": {
                "points_per_side": 8,
                "pred_iou_thresh": 0.0,
                "stability_score_thresh": 0.0,
            },
        }
        imgs = [scene(0, (220, 30, 30)), scene(3, (220, 30, 30)), scene(0, (150, 40, 200))]
        out = {}
        for dev in ("cpu", "cuda"):
            m = SeSS(backend="sess", device=dev, **opts)
            t = time.perf_counter()
            out[dev] = [m.score(imgs[0], x).score for x in imgs]
            print(
                f"{dev}: scores {np.round(out[dev], 5).tolist()}  {time.perf_counter() - t:.2f} s; "
                f"nodes {m.graph(imgs[0]).n_nodes}"
            )
        lite = [
            SeSS(backend="sess-lite", device=dev).score(imgs[0], imgs[2]).score
            for dev in ("cpu", "cuda")
        ]
        print("sess-lite cpu/cuda", lite)
    diff = np.max(np.abs(np.array(out["cpu"]) - np.array(out["cuda"])))
    ok = diff < 2e-3 and lite[0] == lite[1]
    print(f"max |cpu - cuda| = {diff:.2e}", "OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
