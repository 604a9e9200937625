"""The explanation image: which object matched which, and how well (as the paper's Fig. 14).

Readable without the code (a legend under the images says all of this):

- Both images side by side at their graph resolution (the second scaled to the
  first's height).
- Only the ``top`` matched pairs with the largest contribution to the score
  are drawn: the outlines of both objects in one colour per pair, a line
  between their centroids labelled with the pair's similarity ``L[u, v]``
  (0..1) and a line width proportional to the pair's weight in the score.
- Every object's importance (its share of the graph score, the two images'
  importances each summing to 100 %) is the size of the dot at its centroid.
- Objects left unmatched (no partner, or a partner less similar than
  ``min_similarity``: removed from or added to the scene) are outlined in red
  and labelled "unmatched".
- Other objects (matched, but outside the top) are thin grey outlines.
- The title gives SeSS, the graph score, the image score and the backend (with views,
  SeSS over all views and the first views' own score, whose graphs are drawn), and, for the
  ``official`` preset's in-place update, that the score depends on the order of the two
  images.

Written as PNG, or PDF when the path ends in ``.pdf``. From Python,
:meth:`seess.api.SeSS.explain` does it in one call.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seess.scene import SceneGraph
from semcom_core.fsutil import atomic_path
from semcom_core.imageio import resize_longer_side, to_rgb_uint8

__all__ = ["matched_pairs", "render_explanation", "unmatched_nodes"]


def matched_pairs(result) -> list[tuple[int, int, float, float]]:
    """``(node1, node2, similarity, weight)`` of each matched pair, largest contribution first."""
    return [
        (int(a["node1"]), int(a["node2"]), float(a["similarity"]), float(a.get("weight", 0.0)))
        for a in result.assignment
    ]


# Pair colours: no red (reserved for unmatched objects), no pure blue or green (sky, grass).
_PALETTE = [
    (1.0, 0.5, 0.05, 1.0),
    (0.58, 0.4, 0.74, 1.0),
    (0.89, 0.47, 0.76, 1.0),
    (0.09, 0.75, 0.81, 1.0),
    (0.74, 0.74, 0.13, 1.0),
    (0.55, 0.34, 0.29, 1.0),
    (1.0, 0.0, 1.0, 1.0),
    (1.0, 0.9, 0.0, 1.0),
]
_RED = (0.85, 0.0, 0.0, 1.0)
_GREY = (0.55, 0.55, 0.55, 1.0)


def unmatched_nodes(result, n1: int, n2: int, min_similarity: float) -> tuple[set[int], set[int]]:
    """Nodes of each graph with no partner, or whose best partner has similarity below
    ``min_similarity`` (objects removed from, or added to, the scene)."""
    best1: dict[int, float] = {}
    best2: dict[int, float] = {}
    for u, v, sim, _ in matched_pairs(result):
        best1[u] = max(best1.get(u, -1.0), sim)
        best2[v] = max(best2.get(v, -1.0), sim)
    return (
        {u for u in range(n1) if best1.get(u, -1.0) < min_similarity},
        {v for v in range(n2) if best2.get(v, -1.0) < min_similarity},
    )


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


@dataclass
class _Panels:
    """Both images side by side at the reference's height: the canvas (float RGB in [0, 1]),
    the test image's masks at that scale, and where each image sits."""

    over: np.ndarray
    masks_b: np.ndarray
    ha: int
    wa: int
    hb: int
    wb: int
    x_b: int


def _panels(img_a: np.ndarray, img_b: np.ndarray, ga: SceneGraph, gb: SceneGraph) -> _Panels:
    from PIL import Image

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
    return _Panels(canvas.astype(np.float64) / 255.0, mb, ha, wa, hb, wb, wa + gap)


def _outline(view: np.ndarray, masks: np.ndarray, colours: dict, lost: set[int]) -> None:
    """Thin grey outlines first, then the drawn pairs, then the unmatched in red on top."""
    from skimage.segmentation import find_boundaries

    order = sorted(range(len(masks)), key=lambda i: (i in lost, i in colours))
    for i in order:
        thick = i in lost or i in colours
        edge = find_boundaries(masks[i], mode="thick" if thick else "inner")
        view[edge] = (_RED if i in lost else colours.get(i, _GREY))[:3]


def _draw_pairs(ax, ga: SceneGraph, gb: SceneGraph, shown, colour_a: dict, pn: _Panels) -> None:
    """One line per drawn pair, its width the pair's weight, its similarity written on it."""
    from matplotlib import patheffects

    wmax = max((w for *_, w in shown), default=1.0) or 1.0
    for u, v, sim, w in shown:
        y1, x1 = ga.centroids[u] * (pn.ha, pn.wa)
        y2, x2 = gb.centroids[v] * (pn.hb, pn.wb)
        x2 += pn.x_b
        col = colour_a[u]
        ax.plot(
            [x1, x2],
            [y1, y2],
            color=col,
            lw=0.8 + 3.2 * w / wmax,
            alpha=0.95,
            path_effects=[patheffects.withStroke(linewidth=2.2 + 3.2 * w / wmax, foreground="w")],
        )
        ax.text(
            (x1 + x2) / 2,
            (y1 + y2) / 2,
            f"{sim:.2f}",
            fontsize=7,
            ha="center",
            va="center",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": col, "alpha": 0.9},
        )


def _dots(ax, g: SceneGraph, imp: np.ndarray, imp_max: float, colours, lost, at) -> None:
    """Each node as a dot at its centroid, its area its importance; unmatched ones labelled.
    ``at``: (x offset, height, width) of the node's image on the canvas."""
    x0, h, w = at
    for i in range(g.n_nodes):
        y, x = g.centroids[i] * (h, w)
        col = _RED if i in lost else colours.get(i, _GREY)
        ax.scatter(
            [x + x0],
            [y],
            s=6 + 120 * float(imp[i]) / imp_max,
            color=col,
            edgecolors="white",
            linewidths=0.6,
            zorder=3,
        )
        if i in lost:
            ax.annotate(
                "unmatched",
                (x + x0, y),
                xytext=(0, 7),
                textcoords="offset points",
                fontsize=6.5,
                color=_RED,
                ha="center",
                weight="bold",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            )


def _title(result, ga: SceneGraph, gb: SceneGraph) -> str:
    name = ga.backend.get("name", "?")
    views = getattr(result, "view_scores", None)
    if views is None:
        head = f"SeSS {result.score:.3f} = graph {result.graph_score:.3f} and image "
    else:
        ka, kb = views[0].shape
        head = f"SeSS {result.score:.3f} (all {ka} x {kb} views); shown: the first views, "
        head += f"{views[0][0, 0]:.3f} = graph {result.graph_score:.3f} and image "
    head += f"{result.image_score:.3f}  [{name}; {ga.n_nodes} vs {gb.n_nodes} objects]"
    lines = [head]
    if getattr(getattr(result, "params", None), "update", None) == "in_place":
        lines.append("in-place update (official preset): the score depends on argument order")
    return "\n".join(lines)


def _legend(imp_max: float, n_shown: int, n_pairs: int, min_similarity: float) -> list:
    from matplotlib.lines import Line2D

    def line(**kw):
        return Line2D([], [], **kw)

    return [
        line(color="0.2", lw=0.8, label="thin line: small weight in the score"),
        line(color="0.2", lw=4.0, label="thick line: large weight in the score"),
        line(
            color="white",
            marker="s",
            mfc="white",
            mec="0.2",
            ms=7,
            label="number on a line: similarity L of the pair (0-1)",
        ),
        line(
            ls="",
            marker="o",
            color="0.3",
            ms=3,
            label="dot area: object importance (share of the graph score)",
        ),
        line(
            ls="",
            marker="o",
            color="0.3",
            ms=9,
            label=f"largest dot: {100 * imp_max:.0f} % of its image's importance",
        ),
        line(
            color=_PALETTE[0],
            lw=2,
            label=f"colour: one matched pair (top {n_shown} of {n_pairs} by contribution)",
        ),
        line(
            color=_RED[:3],
            lw=2,
            label=f"red, 'unmatched': removed / added object (best similarity < {min_similarity:g})",
        ),
        line(color=_GREY[:3], lw=1, label="grey: other objects (matched, outside the top)"),
    ]


def render_explanation(
    img_a: np.ndarray,
    img_b: np.ndarray,
    ga: SceneGraph,
    gb: SceneGraph,
    result,
    path: str | os.PathLike,
    *,
    top: int = 8,
    min_similarity: float = 0.5,
    dpi: int = 150,
) -> Path:
    """Draw the explanation of ``result`` (a :class:`seess.score.SeSSResult` of ``ga`` vs ``gb``).

    ``img_a`` / ``img_b``: the images the graphs were built from (any size; shown
    at graph resolution). ``top``: how many matched pairs to draw (largest
    contribution first). ``min_similarity``: pairs below it count as unmatched.
    ``path``: ``.png`` (default) or ``.pdf``. Returns the path.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if top < 0:
        raise ValueError(f"top must be >= 0, got {top}")
    pn = _panels(img_a, img_b, ga, gb)
    pairs = matched_pairs(result)
    lost_a, lost_b = unmatched_nodes(result, ga.n_nodes, gb.n_nodes, min_similarity)
    shown = [p for p in pairs if p[2] >= min_similarity][:top]
    colour_a = {u: _PALETTE[k % len(_PALETTE)] for k, (u, _, _, _) in enumerate(shown)}
    colour_b = {v: colour_a[u] for u, v, _, _ in shown}
    _outline(pn.over[:, : pn.wa], ga.masks, colour_a, lost_a)
    _outline(pn.over[:, pn.x_b : pn.x_b + pn.wb], pn.masks_b, colour_b, lost_b)

    width = pn.over.shape[1]
    width_in = max(5.0, width / 90)
    fig, ax = plt.subplots(figsize=(width_in, width_in * pn.ha / width + 1.3))
    ax.imshow(pn.over, interpolation="nearest")
    _draw_pairs(ax, ga, gb, shown, colour_a, pn)
    imp_max = max(
        float(np.max(result.importance1, initial=0)), float(np.max(result.importance2, initial=0))
    )
    imp_max = imp_max or 1.0
    _dots(ax, ga, result.importance1, imp_max, colour_a, lost_a, (0, pn.ha, pn.wa))
    _dots(ax, gb, result.importance2, imp_max, colour_b, lost_b, (pn.x_b, pn.hb, pn.wb))
    ax.set_title(_title(result, ga, gb), fontsize=8)
    ax.text(0, -0.02, "reference", transform=ax.transAxes, fontsize=7, va="top")
    ax.text(pn.x_b / width, -0.02, "test", transform=ax.transAxes, fontsize=7, va="top")
    ax.set_axis_off()
    handles = _legend(imp_max, len(shown), len(pairs), min_similarity)
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=6.5, frameon=False)
    fig.tight_layout(rect=(0, 0.17, 1, 1))
    p = Path(path)
    fmt = "pdf" if p.suffix.lower() == ".pdf" else "png"
    try:
        with atomic_path(p) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return p
