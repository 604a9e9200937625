"""Offline embedders (no weights): hand-made descriptors of a node's pixels.

- :class:`DescriptorEmbedder`: soft colour histogram, gradient-orientation histogram,
  coarse colour layout of a crop.
- :class:`ObjectDescriptorEmbedder`: ``sess-lite``'s object descriptor (cast-robust colour,
  Hu-moment shape, LBP texture, place, size, a little absolute colour).

Neither has a text side: SeSS then uses the identity matrix as relation similarity (same
predicate = 1, different = 0).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from seess.embed import Embedder

__all__ = ["DescriptorEmbedder", "ObjectDescriptorEmbedder"]


def _bin_pairs(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Triangular (linear-interpolation) binning of values in [0, 1] to ``k`` bin centres:
    the lower and upper bin of each value and the upper one's weight (``lo, hi, frac``)."""
    pos = np.clip(values, 0.0, 1.0) * (k - 1)
    lo = np.floor(pos).astype(np.int64)
    return lo, np.minimum(lo + 1, k - 1), pos - lo


def _soft_bins(values: np.ndarray, k: int) -> np.ndarray:
    """Triangular (linear-interpolation) membership ``(P, k)`` of values in [0, 1] to k bin centres."""
    lo, hi, frac = _bin_pairs(values, k)
    out = np.zeros((values.size, k))
    idx = np.arange(values.size)
    np.add.at(out, (idx, lo), 1.0 - frac)
    np.add.at(out, (idx, hi), frac)
    return out


def _histogram(codes: tuple[np.ndarray, np.ndarray], pixels: np.ndarray, k: int) -> np.ndarray:
    """Sum over ``pixels`` (a flat boolean mask or indices) of sparse soft-histogram codes
    ``(indices, weights)`` ``(8, P)`` (``ObjectDescriptorEmbedder._hist_codes``): ``(k,)``."""
    idx, wt = codes
    return np.bincount(idx[:, pixels].ravel(), wt[:, pixels].ravel(), minlength=k)


class DescriptorEmbedder(Embedder):
    """Deterministic, weight-free descriptors of a crop (``d = bins**3 + orientations + 3 * grid**2``).

    Three parts, each L2-normalised, weighted, concatenated and L2-normalised:

    - colour: joint RGB histogram with ``bins`` soft (linearly interpolated) bins
      per channel, square-rooted (Hellinger), weight 1;
    - texture: histogram of gradient orientations (weighted by magnitude, soft
      bins) plus the mean gradient magnitude, weight ``texture_weight``;
    - layout: the crop's mean colour on a ``grid x grid`` raster, weight ``layout_weight``.

    All parts are non-negative, so cosines lie in [0, 1]. Crops are first
    resized to ``size`` px on the longer side (bilinear), so cost is bounded.
    """

    name = "descriptor"
    has_text = False

    def __init__(
        self,
        bins: int = 4,
        orientations: int = 8,
        grid: int = 4,
        size: int = 48,
        texture_weight: float = 0.5,
        layout_weight: float = 0.5,
    ) -> None:
        if min(bins, orientations, grid) < 2 or size < 4:
            raise ValueError("descriptor: bins, orientations and grid must be >= 2 and size >= 4")
        self.bins, self.orientations, self.grid, self.size = bins, orientations, grid, size
        self.texture_weight, self.layout_weight = float(texture_weight), float(layout_weight)

    @property
    def dim(self) -> int:
        return self.bins**3 + self.orientations + 1 + 3 * self.grid**2

    def _one(self, image: np.ndarray) -> np.ndarray:
        from PIL import Image

        h, w = image.shape[:2]
        s = self.size / max(h, w)
        nh, nw = max(1, round(h * s)), max(1, round(w * s))
        img = np.asarray(Image.fromarray(image).resize((nw, nh), Image.Resampling.BILINEAR))
        x = img.astype(np.float64) / 255.0
        px = x.reshape(-1, 3)
        b = self.bins
        mr, mg, mb = (_soft_bins(px[:, c], b) for c in range(3))
        hist = np.einsum("pi,pj,pk->ijk", mr, mg, mb).ravel()
        colour = np.sqrt(hist / max(hist.sum(), 1e-12))
        grey = x.mean(axis=2)
        gy, gx = np.gradient(grey) if min(grey.shape) > 1 else (np.zeros_like(grey),) * 2
        mag = np.hypot(gx, gy).ravel()
        ang = (np.arctan2(gy, gx).ravel() % np.pi) / np.pi  # orientation in [0, 1)
        ohist = (_soft_bins(ang, self.orientations) * mag[:, None]).sum(0)
        texture = np.concatenate([ohist / max(mag.sum(), 1e-12), [min(1.0, 4.0 * mag.mean())]])
        g = self.grid
        rows = np.array_split(np.arange(nh), g) if nh >= g else [np.arange(nh)] * g
        cols = np.array_split(np.arange(nw), g) if nw >= g else [np.arange(nw)] * g
        layout = np.array([x[np.ix_(r, c)].mean(axis=(0, 1)) for r in rows for c in cols]).ravel()
        parts = []
        for vec, wgt in (
            (colour, 1.0),
            (texture, self.texture_weight),
            (layout, self.layout_weight),
        ):
            nrm = np.linalg.norm(vec)
            parts.append(wgt * vec / nrm if nrm > 0 else vec)
        v = np.concatenate(parts)
        return (v / max(np.linalg.norm(v), 1e-12)).astype(np.float32)

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        if not len(images):
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._one(np.asarray(im, np.uint8)) for im in images])

    def describe(self) -> dict[str, Any]:
        return {
            "embedder": "descriptor",
            "bins": self.bins,
            "orientations": self.orientations,
            "grid": self.grid,
            "size": self.size,
        }


def _rbf(values: float | np.ndarray, centres: np.ndarray, width: float) -> np.ndarray:
    """Gaussian soft-bin code ``(..., len(centres))`` of scalars: the cosine of two codes is
    close to ``exp(-(a - b)**2 / (4 * width**2))`` inside the centres' range."""
    v = np.asarray(values, dtype=np.float64)[..., None]
    return np.exp(-0.5 * ((v - centres) / width) ** 2)


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n > 0, n, 1.0)


class ObjectDescriptorEmbedder(Embedder):
    """Weight-free object descriptors of masked regions (``sess-lite``): colour, shape,
    texture, place and size, robust to a global colour cast.

    Each node's feature concatenates L2-normalised parts, each scaled by the square root
    of its weight, so the cosine of two features is the weighted mean of the parts'
    cosines (all parts are non-negative: cosines lie in [0, 1]):

    - ``colour``: soft joint histogram (``bins`` per channel, Hellinger) of the
      *normalised* colour (:func:`seess.offline_segment.normalise_colour`, per-channel
      standardised over the whole image) inside the mask: a global cast, a blend with a
      flat colour or a contrast change leaves it unchanged;
    - ``shape``: the mask's log-scaled Hu moments 1-3 (``cv2.HuMoments``; invariant to
      translation, scale, rotation and reflection), its solidity and its eccentricity,
      each as a Gaussian soft-bin code, computed on the mask resampled to a 64 x 64
      raster of the image (image-relative coordinates: the same scene at another size
      or aspect ratio keeps its codes);
    - ``texture``: rotation-invariant uniform local binary patterns (P = 8, R = 1) of the
      normalised grey image inside the mask, plus the mean gradient magnitude;
    - ``place``: the mask's centroid as a soft code on a 5 x 5 grid (so objects that
      exchange places differ);
    - ``size``: the log of the mask's area fraction, soft-coded;
    - ``tint``: soft histogram of the *absolute* colour (a little weight: a colour
      filter lowers the score a little, monotonically with its strength).

    The whole-image embedding (:meth:`embed_image`) is a ``grid x grid`` raster of
    normalised-colour histograms, the image's texture code and its absolute colour.
    """

    name = "object-descriptor"
    has_text = False

    #: default part weights (they are normalised to sum 1)
    WEIGHTS: ClassVar[dict[str, float]] = {
        "colour": 0.32,
        "shape": 0.20,
        "texture": 0.10,
        "place": 0.25,
        "size": 0.05,
        "tint": 0.08,
    }

    def __init__(
        self, bins: int = 4, grid: int = 4, weights: dict[str, float] | None = None
    ) -> None:
        if bins < 2 or grid < 1:
            raise ValueError("object-descriptor: need bins >= 2 and grid >= 1")
        w = {**self.WEIGHTS, **(weights or {})}
        unknown = sorted(set(w) - set(self.WEIGHTS))
        if unknown:
            raise ValueError(f"object-descriptor: unknown part weight(s) {unknown}")
        if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
            raise ValueError("object-descriptor: part weights must be >= 0, not all 0")
        total = sum(w.values())
        self.weights = {k: v / total for k, v in w.items()}
        self.bins, self.grid = int(bins), int(grid)
        self._last: tuple[bytes, dict[str, Any]] | None = None

    # -- per-image maps ----------------------------------------------------------------
    def _maps(self, image: np.ndarray) -> dict[str, Any]:
        """The per-pixel maps of ``image``; those of the last image are kept, so a graph's
        node and image embeddings (two calls on one image), and the graphs of an image's
        views, compute them once (the image code too, under ``image_code``)."""
        import hashlib

        key = hashlib.blake2b(repr(image.shape).encode() + image.tobytes()).digest()
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        maps = self._compute_maps(image)
        self._last = (key, maps)
        return maps

    def _compute_maps(self, image: np.ndarray) -> dict[str, Any]:
        from skimage.feature import local_binary_pattern

        from seess.offline_segment import normalise_colour

        z = normalise_colour(image)
        unit = np.clip(z / 4.0 + 0.5, 0.0, 1.0)  # +-2 standard deviations -> [0, 1]
        grey = z.mean(axis=2)
        gy, gx = np.gradient(grey) if min(grey.shape) > 1 else (np.zeros_like(grey),) * 2
        q = np.clip(np.rint(grey * 32.0 + 128.0), 0, 255).astype(np.uint8)
        lbp = local_binary_pattern(q, 8, 1, method="uniform").astype(np.int64)  # 0..9
        lbp[[0, -1], :] = 10  # border pixels (incomplete neighbourhoods) are not counted
        lbp[:, [0, -1]] = 10
        return {
            "colour": self._hist_codes(unit),
            "tint": self._hist_codes(np.asarray(image, np.float64) / 255.0),
            "lbp": lbp,
            "grad": np.hypot(gx, gy),
        }

    def _hist_codes(self, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-pixel soft joint-histogram membership of [0, 1] colours, sparse: each pixel
        falls in at most 8 of the ``bins**3`` bins (two per channel); returns the bin
        indices and weights ``(8, H * W)`` (:func:`_histogram` sums them over pixels)."""
        b = self.bins
        px = unit.reshape(-1, 3)
        lo, hi, frac = _bin_pairs(px, b)
        idx, wt = [], []
        for corner in itertools.product((0, 1), repeat=3):
            i = np.zeros(px.shape[0], np.int64)
            w = np.ones(px.shape[0])
            for c, up in enumerate(corner):
                i = i * b + (hi[:, c] if up else lo[:, c])
                w = w * (frac[:, c] if up else 1.0 - frac[:, c])
            idx.append(i)
            wt.append(w)
        return np.stack(idx), np.stack(wt)

    # -- parts -------------------------------------------------------------------------
    @staticmethod
    def _shape(mask: np.ndarray) -> np.ndarray:
        import cv2

        # on a 64 x 64 raster of the image: shape in image-relative coordinates, so the
        # same scene at another size or aspect ratio gives the same code
        sq = cv2.resize(np.asarray(mask, np.float32), (64, 64), interpolation=cv2.INTER_AREA)
        m = np.ascontiguousarray(sq >= 0.5, dtype=np.uint8)
        mo = cv2.moments(sq)
        hu = cv2.HuMoments(mo).ravel()[:3]
        loghu = np.clip(-np.sign(hu) * np.log10(np.abs(hu) + 1e-30), 0.0, 12.0)
        area = max(mo["m00"], 1.0)
        mu20, mu02, mu11 = mo["mu20"] / area, mo["mu02"] / area, mo["mu11"] / area
        common = np.sqrt(max((mu20 - mu02) ** 2 + 4 * mu11**2, 0.0))
        l1, l2 = (mu20 + mu02 + common) / 2, (mu20 + mu02 - common) / 2
        ecc = np.sqrt(max(0.0, 1.0 - l2 / l1)) if l1 > 0 else 0.0
        contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        hull = sum(cv2.contourArea(cv2.convexHull(c)) for c in contours)
        solidity = min(1.0, area / hull) if hull > 0 else 1.0
        return np.concatenate(
            [
                _rbf(loghu[0], np.linspace(0.5, 1.5, 11), 0.08),
                _rbf(loghu[1], np.linspace(1.0, 8.0, 15), 0.5),
                _rbf(loghu[2], np.linspace(1.0, 10.0, 19), 0.6),
                _rbf(solidity, np.linspace(0.3, 1.0, 15), 0.05),
                _rbf(ecc, np.linspace(0.0, 1.0, 11), 0.1),
            ]
        )

    def _parts(self, maps: dict[str, Any], mask: np.ndarray) -> dict[str, np.ndarray]:
        h, w = mask.shape
        flat = mask.ravel()
        n = max(int(flat.sum()), 1)
        colour = np.sqrt(_histogram(maps["colour"], flat, self.bins**3) / n)
        tint = np.sqrt(_histogram(maps["tint"], flat, self.bins**3) / n)
        lbp = np.bincount(maps["lbp"][mask], minlength=11)[:10].astype(np.float64)
        lbp = lbp / max(lbp.sum(), 1.0)
        grad = float(maps["grad"][mask].mean()) if flat.any() else 0.0
        texture = np.concatenate([np.sqrt(lbp), 0.5 * _rbf(grad, np.linspace(0, 1.5, 16), 0.1)])
        rows, cols = np.nonzero(mask)
        cy = (rows.mean() + 0.5) / h if rows.size else 0.5
        cx = (cols.mean() + 0.5) / w if cols.size else 0.5
        g = np.linspace(0.0, 1.0, 5)
        place = np.outer(_rbf(cy, g, 0.15), _rbf(cx, g, 0.15)).ravel()
        size = _rbf(np.log10(n / (h * w)), np.linspace(-3.0, 0.0, 13), 0.2)
        return {
            "colour": colour,
            "shape": self._shape(mask),
            "texture": texture,
            "place": place,
            "size": size,
            "tint": tint,
        }

    def _combine(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        v = np.concatenate([np.sqrt(self.weights[k]) * _unit(parts[k]) for k in self.WEIGHTS])
        return _unit(v).astype(np.float32)

    # -- interface ---------------------------------------------------------------------
    def embed_nodes(
        self, image: np.ndarray, masks: np.ndarray, boxes: np.ndarray, crop: str = "bbox"
    ) -> np.ndarray:
        """Descriptors ``(n, d)`` of the masked regions (``boxes`` and ``crop`` are unused:
        the descriptor reads the mask itself)."""
        img = np.asarray(image, np.uint8)
        masks = np.asarray(masks, bool)
        if masks.shape[0] == 0:
            return np.zeros((0, self.dim), np.float32)
        maps = self._maps(img)
        return np.stack([self._combine(self._parts(maps, m)) for m in masks])

    @property
    def dim(self) -> int:
        b3 = self.bins**3
        return b3 + (11 + 15 + 19 + 15 + 11) + (10 + 16) + 25 + 13 + b3

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """Each image as one node covering it (a crop has no mask)."""
        if not len(images):
            return np.zeros((0, self.dim), np.float32)
        out = []
        for im in images:
            im = np.asarray(im, np.uint8)
            out.append(self.embed_nodes(im, np.ones((1, *im.shape[:2]), bool), np.zeros((1, 4)))[0])
        return np.stack(out)

    def embed_image(self, image: np.ndarray) -> np.ndarray:
        """Whole-image code: a ``grid x grid`` raster of normalised-colour histograms
        (weight 0.6), the image's texture code (0.2) and its absolute colour (0.2)."""
        img = np.asarray(image, np.uint8)
        h, w = img.shape[:2]
        maps = self._maps(img)
        if "image_code" in maps:  # the views of one image share it
            return maps["image_code"]
        g, k = self.grid, self.bins**3
        pixel = np.arange(h * w).reshape(h, w)
        cells = []
        for r in np.array_split(np.arange(h), g):
            for c in np.array_split(np.arange(w), g):
                sel = pixel[np.ix_(r, c)].ravel()
                hist = _histogram(maps["colour"], sel, k)
                cells.append(np.sqrt(hist / sel.size) if sel.size else np.zeros(k))
        full = self._parts(maps, np.ones((h, w), bool))
        v = np.concatenate(
            [
                np.sqrt(0.6) * _unit(np.concatenate(cells)),
                np.sqrt(0.2) * _unit(full["texture"]),
                np.sqrt(0.2) * _unit(full["tint"]),
            ]
        )
        maps["image_code"] = _unit(v).astype(np.float32)
        return maps["image_code"]

    def describe(self) -> dict[str, Any]:
        return {
            "embedder": self.name,
            "bins": self.bins,
            "grid": self.grid,
            "weights": dict(self.weights),
        }
