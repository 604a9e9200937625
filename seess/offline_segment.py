"""Offline segmenters (no weights): Felzenszwalb regions, and the object-level regions of
``sess-lite`` (colour-normalised SLIC superpixels merged on a region adjacency graph).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seess.segment import Segmenter

__all__ = ["FelzenszwalbSegmenter", "ObjectSegmenter", "absorb_small_regions", "normalise_colour"]


class FelzenszwalbSegmenter(Segmenter):
    """Offline segmenter: Felzenszwalb-Huttenlocher graph segmentation (scikit-image).

    Each region of the label map becomes a mask; regions smaller than
    ``min_area`` (a fraction of the image) are dropped. With several ``scales``
    the label maps of each scale are pooled, giving coarse and fine objects like
    SAM's multi-granular output (near-duplicates go in :func:`postprocess_masks`).
    ``scale`` values refer to a 256-px image and are adapted to the image size.
    ``sigma`` (Gaussian pre-smoothing) defaults to 0: smoothing turns every
    sharp edge into a band of thin spurious segments.
    """

    name = "felzenszwalb"

    def __init__(
        self,
        scales: tuple[float, ...] = (500.0, 3000.0),
        sigma: float = 0.0,
        min_area: float = 0.005,
    ) -> None:
        if not scales or any(s <= 0 for s in scales):
            raise ValueError(f"felzenszwalb: scales must be positive, got {scales}")
        if not 0 <= min_area < 1:
            raise ValueError(f"felzenszwalb: min_area must be a fraction in [0, 1), got {min_area}")
        self.scales = tuple(float(s) for s in scales)
        self.sigma = float(sigma)
        self.min_area = float(min_area)

    def _segment(self, image: np.ndarray) -> np.ndarray:
        from skimage.segmentation import felzenszwalb

        h, w = image.shape[:2]
        if h * w < 4:
            return np.zeros((0, h, w), bool)
        size = (h * w) ** 0.5 / 256.0
        min_px = max(1, round(self.min_area * h * w))
        out = []
        for scale in self.scales:
            labels = felzenszwalb(
                image, scale=scale * size, sigma=self.sigma, min_size=max(2, min_px // 2)
            )
            counts = np.bincount(labels.ravel())
            for lab in np.flatnonzero(counts >= min_px):
                out.append(labels == lab)
        return np.stack(out) if out else np.zeros((0, h, w), bool)

    def describe(self) -> dict[str, Any]:
        return {
            "segmenter": "felzenszwalb",
            "scales": list(self.scales),
            "sigma": self.sigma,
            "min_area": self.min_area,
        }


def normalise_colour(image: np.ndarray) -> np.ndarray:
    """Per-channel standardised colour ``(H, W, 3)`` float64 (zero mean, unit deviation).

    Invariant to any per-channel affine colour change ``a_c * x + b_c`` with ``a_c > 0``
    (a global cast, a blend with a flat colour, a brightness or contrast change) up to
    rounding; a constant channel becomes 0.
    """
    x = np.asarray(image, dtype=np.float64)
    flat = x.reshape(-1, x.shape[-1])
    mean = flat.mean(0)
    std = flat.std(0)
    return (x - mean) / np.where(std > 1e-6, std, 1.0)


class ObjectSegmenter(Segmenter):
    """Offline object-level segmenter: SLIC superpixels merged into objects (``sess-lite``).

    Steps, on the colour-normalised image (:func:`normalise_colour`, so a global colour
    cast does not change the regions) shrunk to ``work_side`` px (longer side) and
    smoothed (Gaussian ``sigma`` px):

    1. SLIC over-segmentation (scikit-image ``slic``, about ``n_segments`` superpixels,
       ``compactness`` in standard deviations of the image's colour). SLIC is k-means
       started on a regular grid, so a small change of the image moves its boundaries a
       little instead of re-deciding them: under JPEG at 2 bpp its superpixels agree
       with the original's to an adapted Rand index of 0.99-1.00 on the bundled
       photographs, where Felzenszwalb's greedy merging gives 0.59-0.81
       (``benchmarks/segment_stability.py``);
    2. region-adjacency-graph merging (scikit-image ``rag_boundary`` +
       ``merge_hierarchical``, :func:`_merge_regions`) of identical neighbours:
       ``min(boundary / merge_threshold, colour / colour_threshold) < 1`` (a flat area
       becomes one region; the thresholds are tiny because any larger one is a
       decision a mild change can flip);
    3. regions covering less than ``min_area`` of the image, or thin bands, join their
       adjacent region of closest mean colour (:func:`absorb_small_regions`; SAM's
       generator likewise filters small masks), so every pixel belongs to one object;
    4. the weakest adjacent pairs (same weight) keep merging down to ``max_regions``.
       A fixed count, reached by the ranking of the pairs rather than by a threshold,
       keeps a mild change (JPEG, a colour cast) from flipping one large merge, and
       equal counts keep SeSS's matching from leaving nodes unmatched;
    5. neighbours left nearly identical in both respects (boundary under
       ``same_boundary`` *and* colour under ``same_colour``) merge: the pieces of a flat
       area that the blur made differ slightly (a simple scene has fewer objects than
       ``max_regions``; in a photograph the rank merging has already taken such pairs).

    ``grid_offset`` ``(dy, dx)`` (working pixels, default none) runs the steps on the
    working image cropped by ``dy`` rows at the top and ``dx`` columns at the left, the
    cropped pixels taking the labels of their nearest neighbour: the same image with
    SLIC's grid placed elsewhere (what ``benchmarks/ordering_suite.py --offsets`` averages
    over: scores spread 0.07-0.16 over the offsets on photographs).

    Masks are returned at the image's resolution (nearest-neighbour upsampling).
    """

    name = "objects"

    def __init__(
        self,
        work_side: int = 128,
        sigma: float = 2.0,
        n_segments: int = 150,
        compactness: float = 1.0,
        merge_threshold: float = 3e-3,
        colour_threshold: float = 1e-3,
        min_area: float = 0.015,
        thin_px: int = 2,
        max_regions: int = 8,
        same_boundary: float = 0.05,
        same_colour: float = 0.1,
        grid_offset: tuple[int, int] = (0, 0),
    ) -> None:
        if work_side < 16:
            raise ValueError(f"objects: work_side must be >= 16, got {work_side}")
        if sigma < 0 or n_segments < 1 or compactness <= 0:
            raise ValueError("objects: need sigma >= 0, n_segments >= 1 and compactness > 0")
        thresholds = (merge_threshold, colour_threshold, same_boundary, same_colour)
        if min(thresholds) < 0 or max_regions < 1:
            raise ValueError("objects: need thresholds >= 0 and max_regions >= 1")
        if not 0 <= min_area < 1:
            raise ValueError(f"objects: min_area must be a fraction in [0, 1), got {min_area}")
        if len(grid_offset) != 2 or min(grid_offset) < 0:
            raise ValueError(
                f"objects: grid_offset must be two pixel counts >= 0, got {grid_offset}"
            )
        self.grid_offset = (int(grid_offset[0]), int(grid_offset[1]))
        self.work_side = int(work_side)
        self.sigma = float(sigma)
        self.n_segments = int(n_segments)
        self.compactness = float(compactness)
        self.merge_threshold = float(merge_threshold)
        self.colour_threshold = float(colour_threshold)
        self.min_area = float(min_area)
        self.thin_px = int(thin_px)
        self.max_regions = int(max_regions)
        self.same_boundary = float(same_boundary)
        self.same_colour = float(same_colour)

    def prepare(self, image: np.ndarray) -> np.ndarray:
        """The image the steps work on: shrunk to ``work_side`` px (longer side, box
        filter), colour-normalised and smoothed; float64 ``(h, w, 3)``."""
        from PIL import Image
        from scipy import ndimage

        h, w = image.shape[:2]
        s = min(1.0, self.work_side / max(h, w))
        sh, sw = max(1, round(h * s)), max(1, round(w * s))
        small = image
        if (sh, sw) != (h, w):
            small = np.asarray(Image.fromarray(image).resize((sw, sh), Image.Resampling.BOX))
        x = normalise_colour(small)
        if self.sigma > 0:
            x = ndimage.gaussian_filter(x, (self.sigma, self.sigma, 0))
        return x

    def labels(self, image: np.ndarray) -> np.ndarray:
        """Region labels ``(h, w)`` int64 at the working size (0, 1, ... ; after merging)."""
        full = self.prepare(image)
        h, w = full.shape[:2]
        dy, dx = min(self.grid_offset[0], h - 1), min(self.grid_offset[1], w - 1)
        edges = np.ascontiguousarray(_edge_strength(full)[dy:, dx:])
        x = np.ascontiguousarray(full[dy:, dx:])
        sh, sw = x.shape[:2]
        lab = self.oversegment(x)
        if lab.max() > 0:
            lab = _merge_regions(lab, x, edges, self.merge_threshold, self.colour_threshold)
        lab = absorb_small_regions(
            lab, x, max(1, round(self.min_area * sh * sw)), thin_px=self.thin_px
        )
        if lab.max() + 1 > self.max_regions:
            lab = _merge_regions(
                lab, x, edges, self.merge_threshold, self.colour_threshold, self.max_regions
            )
        if lab.max() > 0:
            lab = _merge_regions(lab, x, edges, self.same_boundary, self.same_colour, both=True)
        lab = np.pad(lab, ((dy, 0), (dx, 0)), mode="edge")
        _, lab = np.unique(lab, return_inverse=True)
        return lab.reshape(h, w).astype(np.int64)

    def oversegment(self, x: np.ndarray) -> np.ndarray:
        """Step 1: SLIC superpixel labels ``(h, w)`` of the prepared image ``x`` ``(h, w, 3)``."""
        from skimage.segmentation import slic

        return slic(
            x,
            n_segments=min(self.n_segments, x.shape[0] * x.shape[1]),
            compactness=self.compactness,
            start_label=0,
            channel_axis=-1,
            convert2lab=False,
        )

    def _segment(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        if h * w < 4:
            return np.zeros((0, h, w), bool)
        lab = self.labels(image)
        sh, sw = lab.shape
        rows = np.minimum((np.arange(h) + 0.5) * sh / h, sh - 1).astype(np.int64)
        cols = np.minimum((np.arange(w) + 0.5) * sw / w, sw - 1).astype(np.int64)
        full = lab[rows[:, None], cols[None, :]]
        counts = np.bincount(full.ravel())
        keep = np.flatnonzero(counts >= max(1.0, self.min_area * h * w))
        if keep.size == 0:
            return np.zeros((0, h, w), bool)
        return full[None] == keep[:, None, None]

    def describe(self) -> dict[str, Any]:
        return {
            "segmenter": self.name,
            "work_side": self.work_side,
            "sigma": self.sigma,
            "n_segments": self.n_segments,
            "compactness": self.compactness,
            "merge_threshold": self.merge_threshold,
            "colour_threshold": self.colour_threshold,
            "min_area": self.min_area,
            "thin_px": self.thin_px,
            "max_regions": self.max_regions,
            "same_boundary": self.same_boundary,
            "same_colour": self.same_colour,
            "grid_offset": list(self.grid_offset),
        }


def _edge_strength(x: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude of ``x`` ``(h, w, c)``, summed in quadrature over channels."""
    from skimage import filters

    return np.sqrt(sum(filters.sobel(x[..., c]) ** 2 for c in range(x.shape[2])))


def _merge_regions(
    labels: np.ndarray,
    x: np.ndarray,
    edges: np.ndarray,
    edge_threshold: float,
    colour_threshold: float,
    max_regions: int | None = None,
    both: bool = False,
) -> np.ndarray:
    """Region-adjacency-graph merging (scikit-image ``rag_boundary`` +
    ``merge_hierarchical``) of ``labels`` on the image ``x`` ``(h, w, 3)``: adjacent
    regions merge, weakest first, while ``min(boundary / edge_threshold, colour /
    colour_threshold) < 1`` (``max`` with ``both``: both must be small), where
    ``boundary`` is the mean of ``edges`` (:func:`_edge_strength` of ``x``) along their
    shared boundary (a gradient or a texture has weak inner boundaries) and ``colour``
    the distance of their mean colours (recomputed after each merge). With
    ``max_regions``, the weakest pairs keep merging until at most that many remain."""
    from skimage import graph

    rag = graph.rag_boundary(labels, edges)
    flat = labels.ravel()
    k = int(flat.max()) + 1
    count = np.bincount(flat, minlength=k).astype(np.float64)
    total = np.stack([np.bincount(flat, x[..., c].ravel(), k) for c in range(x.shape[2])], 1)
    for n in rag.nodes:
        rag.nodes[n]["total"] = total[n].copy()
        rag.nodes[n]["count"] = count[n]
    for a, b, d in rag.edges(data=True):
        d["boundary"] = d["weight"]
        d["weight"] = _merge_weight(
            rag, a, b, d["boundary"], edge_threshold, colour_threshold, both
        )

    def weight(g, src: int, dst: int, n: int) -> dict[str, float]:
        default = {"boundary": 0.0, "count": 0}
        a, b = g[src].get(n, default), g[dst].get(n, default)
        cnt = a["count"] + b["count"]
        bnd = (a["count"] * a["boundary"] + b["count"] * b["boundary"]) / max(cnt, 1)
        w = _merge_weight(g, dst, n, bnd, edge_threshold, colour_threshold, both)
        return {"count": cnt, "boundary": bnd, "weight": w}

    def merge(g, src: int, dst: int) -> None:
        g.nodes[dst]["total"] = g.nodes[dst]["total"] + g.nodes[src]["total"]
        g.nodes[dst]["count"] = g.nodes[dst]["count"] + g.nodes[src]["count"]

    out = graph.merge_hierarchical(
        labels,
        rag,
        thresh=1.0,
        rag_copy=False,
        in_place_merge=True,
        merge_func=merge,
        weight_func=weight,
    )
    if max_regions is None or rag.number_of_nodes() <= max_regions:
        return out
    while rag.number_of_nodes() > max_regions and rag.number_of_edges() > 0:
        a, b, _ = min(rag.edges(data=True), key=lambda e: (e[2]["weight"], e[0], e[1]))
        merge(rag, a, b)
        rag.merge_nodes(a, b, weight, in_place=True)
    label_map = np.arange(labels.max() + 1)
    for ix, (_, d) in enumerate(rag.nodes(data=True)):
        for lab in d["labels"]:
            label_map[lab] = ix
    return label_map[labels]


def _merge_weight(
    g, a: int, b: int, boundary: float, t_edge: float, t_colour: float, both: bool = False
) -> float:
    ma = g.nodes[a]["total"] / max(g.nodes[a]["count"], 1.0)
    mb = g.nodes[b]["total"] / max(g.nodes[b]["count"], 1.0)
    colour = float(np.linalg.norm(ma - mb))
    pick = max if both else min
    return pick(boundary / max(t_edge, 1e-12), colour / max(t_colour, 1e-12))


def absorb_small_regions(
    labels: np.ndarray, features: np.ndarray, min_pixels: int, thin_px: int = 0
) -> np.ndarray:
    """Merge every region of ``labels`` ``(h, w)`` smaller than ``min_pixels`` (or, with
    ``thin_px > 0``, thin: less than a quarter of it survives an erosion by ``thin_px``
    pixels, such as the band a blurred object edge leaves) into the 4-adjacent region
    whose mean ``features`` ``(h, w, c)`` is closest, smallest region first (means and
    sizes updated after each merge). Returns labels ``0..k-1``."""
    from scipy import ndimage

    _, lab = np.unique(labels, return_inverse=True)
    lab = lab.reshape(labels.shape)
    k = int(lab.max()) + 1
    size = np.bincount(lab.ravel(), minlength=k).astype(np.float64)
    thin = np.zeros(k, bool)
    if thin_px > 0:
        # a region's core: its pixels whose L1 ball of radius thin_px (the 4-neighbour
        # cross eroded thin_px times) lies in the region or outside the image; one pair of
        # rank filters finds the cores of all regions
        r = np.arange(-thin_px, thin_px + 1)
        ball = np.abs(r)[:, None] + np.abs(r)[None, :] <= thin_px
        lo = ndimage.minimum_filter(lab, footprint=ball, mode="constant", cval=k)
        hi = ndimage.maximum_filter(lab, footprint=ball, mode="constant", cval=-1)
        core = np.bincount(lab[lo == hi], minlength=k)
        thin = core < 0.25 * size
    f = features.reshape(-1, features.shape[-1])
    total = np.stack([np.bincount(lab.ravel(), f[:, c], k) for c in range(f.shape[1])], 1)
    parent = np.arange(k)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = np.concatenate(
        [
            np.stack([lab[:, :-1].ravel(), lab[:, 1:].ravel()], 1),
            np.stack([lab[:-1].ravel(), lab[1:].ravel()], 1),
        ]
    )
    pairs = np.unique(np.sort(pairs[pairs[:, 0] != pairs[:, 1]], axis=1), axis=0)
    neighbours: dict[int, set[int]] = {i: set() for i in range(k)}
    for a, b in pairs:
        neighbours[int(a)].add(int(b))
        neighbours[int(b)].add(int(a))
    while True:
        alive = [i for i in range(k) if parent[i] == i and neighbours[i]]
        small = [i for i in alive if size[i] < min_pixels or thin[i]]
        if not small:
            break
        i = min(small, key=lambda j: (size[j], j))
        mean_i = total[i] / size[i]
        j = min(neighbours[i], key=lambda n: (float(np.sum((total[n] / size[n] - mean_i) ** 2)), n))
        parent[i] = j
        thin[i] = False
        size[j] += size[i]
        total[j] += total[i]
        for n in neighbours.pop(i):
            neighbours[n].discard(i)
            if n != j:
                neighbours[n].add(j)
                neighbours[j].add(n)
        neighbours[i] = set()
    roots = np.array([root(i) for i in range(k)])
    _, out = np.unique(roots[lab], return_inverse=True)
    return out.reshape(labels.shape)
