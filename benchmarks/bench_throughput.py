"""Paper-scale throughput: SAM's fast mask path, batched graph embedding and the default
run end to end (ratios, one run).

    .venv/bin/python benchmarks/bench_throughput.py [--device cpu|cuda] [--arch vit_b]
        [--images 3] [--side 256] [--points 16] [--workflow-config config.yaml | --no-workflow]

Randomly initialised models of full size (compute does not depend on the weights'
values; the number of masks does, so the thresholds are fixed to keep every
prompt's masks and the NMS decides the count, the same for both paths):

1. segmentation: SAM's reference ``SamAutomaticMaskGenerator`` one image at a time vs
   :func:`seess.fast_masks.batched_mask_generator` on the same images (the image encoder
   batched across images; on CUDA also bfloat16 autocast), with the masks compared
   (count and mean matched IoU);
2. embedding: OpenCLIP node crops of each image embedded per image vs all crops of
   all images in one batch (:meth:`seess.api.SeSS.graphs`);
3. the workflow: ``snakemake --cores 2`` on the default config in two fresh folders, before
   (``score`` and ``transmit`` declared 2 threads, as up to issue 19: one such job at a time
   on a 2-core box, its OpenMP threads spin-waiting whenever the other core is busy) and
   after (1 thread each, the rules' declaration now: two jobs side by side), with the two
   ``scores.csv`` compared (SSIM / MS-SSIM are float32: their last digits follow torch's
   thread count).

On the CPU the default architecture is ViT-B (ViT-H takes minutes per image there);
``--device cuda --arch vit_h`` is the paper's setting.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from seess.sam_model import build_sam_model
from seess.segment import mean_matched_iou
from semcom_core.bundled import BUNDLED, load_bundled
from semcom_core.imageio import resize_longer_side


def _masks(records) -> np.ndarray:
    if not records:
        return np.zeros((0, 1, 1), bool)
    return np.stack([r["segmentation"] for r in records])


def bench_segmentation(a: argparse.Namespace, images: list[np.ndarray]) -> None:
    from segment_anything import SamAutomaticMaskGenerator

    from seess.fast_masks import batched_mask_generator

    torch.manual_seed(0)
    sam = build_sam_model(a.arch).to(a.device)
    opts = {"points_per_side": a.points, "pred_iou_thresh": 0.0, "stability_score_thresh": 0.0}
    ref = SamAutomaticMaskGenerator(sam, **opts)
    variants = {"fast": {}}
    if a.device.startswith("cuda"):
        variants["fast+bf16"] = {"dtype": "bfloat16"}
    ref.generate(images[0])  # warm-up
    _sync(a.device)
    t = time.perf_counter()
    expected = [_masks(ref.generate(im)) for im in images]
    _sync(a.device)
    t_ref = (time.perf_counter() - t) / len(images)
    print(f"SAM {a.arch} on {a.device}, {len(images)} images at {a.side} px, {a.points}^2 points")
    print(f"  reference generator      {t_ref:8.3f} s/image")
    for name, extra in variants.items():
        gen = batched_mask_generator(sam, encoder_batch=len(images), **extra, **opts)
        gen.generate_batch(images[:1])  # warm-up
        _sync(a.device)
        t = time.perf_counter()
        got = [_masks(r) for r in gen.generate_batch(images)]
        _sync(a.device)
        t_fast = (time.perf_counter() - t) / len(images)
        same = all(len(e) == len(g) for e, g in zip(expected, got))
        iou = np.mean([mean_matched_iou(e, g) for e, g in zip(expected, got)])
        print(
            f"  {name:24s} {t_fast:8.3f} s/image   speed-up {t_ref / t_fast:5.2f}x   "
            f"same mask counts: {same}, mean matched IoU {iou:.4f}"
        )


def bench_embedding(a: argparse.Namespace, images: list[np.ndarray]) -> None:
    from seess.api import SeSS

    m = SeSS(backend="sess-lite", device=a.device)  # segments and relations: cheap, offline
    m.graph(images[0])
    # node crops of every image, as the graph builder cuts them
    crops_per_image = []
    from seess.embed import mask_boxes, node_crops

    for im in images:
        g = m.graph(im)
        crops_per_image.append(node_crops(im, g.masks, mask_boxes(g.masks), m.graph_settings.crop))
    import open_clip

    model = open_clip.create_model(a.clip, pretrained=None).to(a.device).eval()
    size = model.visual.image_size
    side = size[0] if isinstance(size, tuple | list) else size

    def embed(batch: list[np.ndarray]) -> None:
        x = torch.stack(
            [torch.from_numpy(_resize(c, side)).permute(2, 0, 1).float() / 255 for c in batch]
        ).to(a.device)
        with torch.no_grad():
            model.encode_image(x)

    embed(crops_per_image[0][:2])  # warm-up
    n = sum(len(c) for c in crops_per_image)
    _sync(a.device)
    t = time.perf_counter()
    for crops in crops_per_image:
        for i in range(0, len(crops), 32):
            embed(crops[i : i + 32])
    _sync(a.device)
    t_one = time.perf_counter() - t
    from seess.batch_graphs import auto_batch_size

    bs = auto_batch_size(a.device)
    flat = [c for crops in crops_per_image for c in crops]
    t = time.perf_counter()
    for i in range(0, len(flat), bs):
        embed(flat[i : i + bs])
    _sync(a.device)
    t_all = time.perf_counter() - t
    print(f"OpenCLIP {a.clip} on {a.device}: {n} node crops of {len(images)} images")
    print(f"  per image (batches of 32) {t_one / n * 1e3:8.2f} ms/crop")
    print(
        f"  one shard batch ({bs:4d})   {t_all / n * 1e3:8.2f} ms/crop   "
        f"speed-up {t_one / t_all:5.2f}x"
    )


def _timed_run(config: str, folder: Path, *extra: str) -> float:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    cmd = [sys.executable, "-m", "snakemake", "-s", str(root / "Snakefile")]
    cmd += ["--directory", str(folder), "--configfile", str(Path(config).resolve())]
    t = time.perf_counter()
    proc = subprocess.run(
        [*cmd, "--cores", "2", *extra], capture_output=True, text=True, check=False
    )
    took = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return took


def bench_workflow(a: argparse.Namespace) -> None:
    import tempfile

    import pandas as pd

    keys = ["experiment", "system", "condition", "image", "metric"]
    with tempfile.TemporaryDirectory() as tmp:
        before = _timed_run(
            a.workflow_config, Path(tmp, "before"), "--set-threads", "score=2", "transmit=2"
        )
        after = _timed_run(a.workflow_config, Path(tmp, "after"))
        scores = [
            pd.read_csv(next(Path(tmp, f).rglob("scores.csv"))).sort_values(keys)
            for f in ("before", "after")
        ]
    diff = scores[0]["value"].to_numpy() - scores[1]["value"].to_numpy()
    finite = np.isfinite(diff)
    print(f"workflow {a.workflow_config} (snakemake --cores 2, fresh folder, cold graph cache)")
    print(f"  before: score / transmit 2 threads {before:8.1f} s")
    print(
        f"  after:  1 thread each             {after:8.1f} s   speed-up {before / after:5.2f}x "
        f"({1 - after / before:.0%} less time)"
    )
    print(f"  rows {len(scores[1])}, largest |difference| {np.abs(diff[finite]).max():.2e}")


def _resize(crop: np.ndarray, side: int) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(crop).resize((side, side)))


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--arch", default=None, help="SAM size (default vit_b on CPU, vit_h on CUDA)")
    ap.add_argument("--clip", default=None, help="OpenCLIP model (default ViT-B-32 / ViT-H-14)")
    ap.add_argument("--images", type=int, default=3)
    ap.add_argument("--side", type=int, default=256)
    ap.add_argument("--points", type=int, default=16)
    ap.add_argument("--workflow-config", default="config.yaml", help="config timed end to end")
    ap.add_argument("--no-workflow", action="store_true", help="skip the end-to-end runs")
    a = ap.parse_args()
    cuda = a.device.startswith("cuda")
    a.arch = a.arch or ("vit_h" if cuda else "vit_b")
    a.clip = a.clip or ("ViT-H-14" if cuda else "ViT-B-32")
    images = [resize_longer_side(load_bundled(n), a.side) for n in sorted(BUNDLED)[: a.images]]
    bench_segmentation(a, images)
    bench_embedding(a, images)
    if not a.no_workflow:
        bench_workflow(a)


if __name__ == "__main__":
    main()
