"""SeSS graph building: where the time goes, and what the graph cache saves (ratios, one run).

    .venv/bin/python benchmarks/bench_seess_graph.py [--backend sess-lite] [--side 256]

Prints, on the bundled photographs: mean graph-build time, mean scoring time
of a built pair, the ratio build / score (why graphs are cached), the speed-up
of a cache hit over a build, and the size of a cached graph file relative to
the raw boolean masks (RLE compression).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from seess.api import SeSS
from semcom_core.bundled import BUNDLED, load_bundled
from semcom_core.imageio import resize_longer_side


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", default="sess-lite")
    ap.add_argument("--side", type=int, default=256)
    ap.add_argument("--device", default="auto")
    a = ap.parse_args()
    images = [resize_longer_side(load_bundled(n), a.side) for n in BUNDLED]
    with tempfile.TemporaryDirectory() as d:
        m = SeSS(backend=a.backend, device=a.device, cache_dir=d)
        m.graph(images[0])  # warm-up (model load)
        t = time.perf_counter()
        graphs = [m.graph(im) for im in images[1:]]
        build = (time.perf_counter() - t) / len(graphs)
        t = time.perf_counter()
        _ = [m.graph(im) for im in images[1:]]
        hit = (time.perf_counter() - t) / len(graphs)
        t = time.perf_counter()
        pairs = [(g, h) for g in graphs for h in graphs]
        for g, h in pairs:
            m.score_graphs(g, h)
        score = (time.perf_counter() - t) / len(pairs)
        files = list(Path(d).rglob("*.npz"))
        disk = sum(f.stat().st_size for f in files)
        raw = sum(g.masks.size for g in graphs) + m.graph(images[0]).masks.size
    nodes = np.mean([g.n_nodes for g in graphs])
    print(f"backend {m.name}, {len(images)} photos at {a.side} px, mean {nodes:.1f} nodes")
    print(f"graph build      {build * 1e3:8.1f} ms/image")
    print(f"graph cache hit  {hit * 1e3:8.1f} ms/image   (build / hit = {build / hit:.1f}x)")
    print(f"score two graphs {score * 1e3:8.1f} ms/pair    (build / score = {build / score:.1f}x)")
    print(f"cached graph files / raw bool masks = {disk / raw:.3f}")


if __name__ == "__main__":
    main()
