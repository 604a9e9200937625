"""The explanation image: which object matched which, and how well (as the paper's Fig. 14).

Both images side by side at their graph resolution (the second scaled to the
first's height), each node's mask outline in a colour shared with the node it
is matched to, and a line between matched nodes' centroids labelled with the
pair's final similarity ``L[u, v]`` (line width grows with the pair's weight in
the score). The title gives SeSS, the graph score, the image score and the
backend, and, for the ``official`` preset's in-place update, that the score
depends on the order of the two images. Written as PNG, or PDF when the path ends in ``.pdf``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from seess.fsutil import atomic_path
from seess.imageio import to_rgb_uint8
from seess.scene import SceneGraph
from seess.segment import resize_longer_side

__all__ = ["matched_pairs", "render_explanation"]


def matched_pairs(result) -> list[tuple[int, int, float, float]]:
    """``(node1, node2, similarity, weight)`` of each matched pair, largest contribution first."""
    return [
        (int(a["node1"]), int(a["node2"]), float(a["similarity"]), float(a.get("weight", 0.0)))
        for a in result.assignment
    ]


def _fit(image: np.ndarray, g: SceneGraph) -> np.ndarray:
    from PIL import Image

    img = to_rgb_uint8(image)
    h, w = g.image_shape
    if img.shape[:2] != (h, w):
        img = resize_longer_side(img, max(h, w))
        if img.shape[:2] != (h, w):
            img = np.asarray(Image.fromarray(img).resize((w, h), Image.Resampling.BILINEAR))
    return img


def _scale_masks(masks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    from PIL import Image

    h, w = shape
    if masks.shape[1:] == (h, w):
        return masks
    return np.stack(
        [
            np.asarray(
                Image.fromarray(m.astype(np.uint8) * 255).resize((w, h), Image.Resampling.NEAREST)
            )
            > 127
            for m in masks
        ]
    )


def render_explanation(
    img_a: np.ndarray,
    img_b: np.ndarray,
    ga: SceneGraph,
    gb: SceneGraph,
    result,
    path: str | os.PathLike,
    *,
    max_labels: int = 20,
    dpi: int = 150,
) -> Path:
    """Draw the explanation of ``result`` (a :class:`seess.score.SeSSResult` of ``ga`` vs ``gb``).

    ``img_a`` / ``img_b``: the images the graphs were built from (any size; shown
    at graph resolution). ``path``: ``.png`` (default) or ``.pdf``. Returns the path.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from PIL import Image
    from skimage.segmentation import find_boundaries

    a, b = _fit(img_a, ga), _fit(img_b, gb)
    ha, wa = a.shape[:2]
    s = ha / b.shape[0]
    hb, wb = ha, max(1, round(b.shape[1] * s))
    mb = _scale_masks(gb.masks, (hb, wb))
    b = np.asarray(Image.fromarray(b).resize((wb, hb), Image.Resampling.BILINEAR))
    gap = max(8, wa // 20)
    canvas = np.full((ha, wa + gap + wb, 3), 255, np.uint8)
    canvas[:, :wa] = a
    canvas[:, wa + gap :] = b

    pairs = matched_pairs(result)
    cmap = plt.get_cmap("tab20")
    colour_a = {u: cmap(k % 20) for k, (u, _, _, _) in enumerate(pairs)}
    colour_b = {v: colour_a[u] for u, v, _, _ in pairs}
    grey = (0.6, 0.6, 0.6, 1.0)
    over = canvas.astype(np.float64) / 255.0
    for i, m in enumerate(ga.masks):
        edge = find_boundaries(m, mode="inner")
        over[:, :wa][edge] = colour_a.get(i, grey)[:3]
    for j, m in enumerate(mb):
        edge = find_boundaries(m, mode="inner")
        over[:, wa + gap :][edge] = colour_b.get(j, grey)[:3]

    width_in = max(4.0, canvas.shape[1] / 100)
    fig, ax = plt.subplots(figsize=(width_in, width_in * ha / canvas.shape[1] + 0.6))
    ax.imshow(over, interpolation="nearest")
    wmax = max((w for *_, w in pairs), default=1.0) or 1.0
    for k, (u, v, sim, w) in enumerate(pairs):
        y1, x1 = ga.centroids[u] * (ha, wa)
        y2, x2 = gb.centroids[v] * (hb, wb)
        x2 += wa + gap
        col = colour_a[u]
        ax.plot([x1, x2], [y1, y2], color=col, lw=0.8 + 2.5 * w / wmax, alpha=0.9)
        ax.plot([x1, x2], [y1, y2], "o", color=col, ms=3)
        if k < max_labels:
            ax.text(
                (x1 + x2) / 2,
                (y1 + y2) / 2,
                f"{sim:.2f}",
                fontsize=7,
                ha="center",
                va="center",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": col, "alpha": 0.85},
            )
    name = ga.backend.get("name", "?")
    head = f"SeSS {result.score:.3f}  (graph {result.graph_score:.3f}, "
    head += f"image {result.image_score:.3f})  [{name}, {ga.n_nodes} vs {gb.n_nodes} nodes]"
    lines = [head]
    if getattr(getattr(result, "params", None), "update", None) == "in_place":
        lines.append("in-place update (official preset): the score depends on argument order")
    ax.set_title(
        "\n".join(lines),
        fontsize=8,
    )
    ax.set_axis_off()
    fig.tight_layout()
    p = Path(path)
    fmt = "pdf" if p.suffix.lower() == ".pdf" else "png"
    try:
        with atomic_path(p) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return p
