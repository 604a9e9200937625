"""The ordering suite (issue 13): how many "less changed > more changed" orderings each
metric respects, per family, and Fig. 13's robustness table.

    .venv/bin/python benchmarks/ordering_suite.py [--seeds 12] [--images chelsea,china,...]
        [--side 320] [--preset paper] [--views 0,2]

Families: the synthetic scenes' ``identical``, ``translation``, ``replaced``,
``exchanged`` and ``different`` (``--seeds`` scenes of 192 px), Experiment D's five
transforms (``D:*``, strengths ``semcom_pipeline.ordering.D_GRIDS``) and JPEG at
decreasing bpp (``jpeg``) on the bundled photographs at ``--side`` px. Prints the
respected / total table for sess-lite, PSNR, SSIM and MS-SSIM, then each metric's
value at Fig. 13's strengths (PSNR in dB; robustness compares PSNR / 50 dB).

``--views 0,2,4`` gives sess-lite one view per SLIC grid offset (dy, dx) in the list
squared (nine views; default: its own four, ``seess.api.LITE_VIEWS``; ``--views 0``: a
single partition, sess-lite before views). See ``seess.views`` and docs/seess.md.
"""

from __future__ import annotations

import argparse
import itertools
import time

import pandas as pd

from seess.api import SeSS
from semcom_metrics.registry import build_metric
from semcom_pipeline.ordering import (
    d_orderings,
    fig13_table,
    jpeg_orderings,
    ordering_table,
    scene_orderings,
    seess_scorer,
)
from semcom_pipeline.sample import load_original, select_images


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=12, help="number of synthetic scenes")
    ap.add_argument("--images", default=None, help="bundled images (default: the default run's)")
    ap.add_argument("--side", type=int, default=320, help="photographs' longer side (px)")
    ap.add_argument("--preset", default="paper")
    ap.add_argument(
        "--views", default=None, help="SLIC grid offsets per axis (working px), e.g. 0,2,4"
    )
    a = ap.parse_args()
    names = (
        a.images.split(",")
        if a.images
        else sorted(select_images({"source": "bundled", "count": 5}, 0))
    )
    images = {n: load_original(f"bundled:{n}", a.side) for n in names}
    views = None
    if a.views is not None:
        axis = sorted({int(v) for v in a.views.split(",")})
        views = list(itertools.product(axis, axis))
    model = SeSS(backend="sess-lite", preset=a.preset, device="cpu", views=views)
    print(f"sess-lite views (SLIC grid offsets): {model.backend.describe().get('views', [[0, 0]])}")
    lite = seess_scorer(model)

    metrics = {"sess-lite": lite}
    for m in ("psnr", "ssim", "ms_ssim"):
        metrics[m] = build_metric(m, device="cpu").score

    t0 = time.perf_counter()
    orderings, scores = scene_orderings(metrics, range(a.seeds))
    for part in (d_orderings(metrics, images), jpeg_orderings(metrics, images)):
        orderings += part[0]
        for m in metrics:
            scores[m].update(part[1][m])
    table = ordering_table(orderings, scores)
    wide = table.pivot(index="family", columns="metric", values="respected")
    wide = wide[list(metrics)].join(table.groupby("family")["total"].first())
    order = [f for f in dict.fromkeys(o.family for o in orderings)]
    pd.set_option("display.width", 120)
    print("Orderings respected (of total), per family:")
    print(wide.loc[order].to_string())

    f13 = fig13_table(metrics, images)
    print("\nFig. 13 strengths: value per image (PSNR in dB)")
    print(
        f13.pivot_table(index=["transform", "image"], columns="metric", values="value")[
            list(metrics)
        ]
        .round(3)
        .to_string()
    )
    rob = f13.pivot_table(index=["transform", "image"], columns="metric", values="robustness")
    best = rob[list(metrics)].idxmax(axis=1)
    print("\nMost robust metric per transform and image:")
    print(best.unstack("image").to_string())
    print(f"\n{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
