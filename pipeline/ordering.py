"""The ordering suite: does a metric rank a less-changed image above a more-changed one?

Three sources of image pairs, each scored against its reference:

* synthetic scenes (:func:`synthetic_scene`): 3-4 flat shapes on a textured
  background, and five variants of each: ``identical``, ``translation`` (the whole
  scene shifted by a few pixels), ``replaced`` (one object becomes another shape of
  another colour), ``exchanged`` (two objects swap places) and ``different`` (another
  scene);
* Experiment D's five transformations (:func:`semcom_pipeline.transforms.apply_transform`)
  at increasing strengths on photographs;
* JPEG (``semcom_codecs.build_codec("jpeg")``) at decreasing bpp.

An *ordering* is a pair (less changed, more changed) of test images of one reference;
a metric *respects* it when it scores the less-changed one strictly higher (lower for
a lower-is-better metric). Orderings are grouped in families (:data:`SCENE_ORDERINGS`,
one family per transformation, ``jpeg``); :func:`ordering_table` counts, per family and
metric, how many are respected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "D_GRIDS",
    "FIG13_STRENGTHS",
    "JPEG_BPP",
    "PSNR_SCALE_DB",
    "SCENE_COLOURS",
    "SCENE_ORDERINGS",
    "SCENE_SHAPES",
    "SCENE_VARIANTS",
    "Ordering",
    "d_orderings",
    "fig13_table",
    "jpeg_orderings",
    "ordering_table",
    "scene_orderings",
    "scene_variants",
    "seess_scorer",
    "synthetic_scene",
]

SCENE_VARIANTS = ("identical", "translation", "replaced", "exchanged", "different")

#: family -> (less changed, more changed) variant pairs of one synthetic scene.
SCENE_ORDERINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "identical": tuple(("identical", v) for v in SCENE_VARIANTS[1:]),
    "translation": (
        ("translation", "replaced"),
        ("translation", "exchanged"),
        ("translation", "different"),
    ),
    "replaced": (
        ("identical", "replaced"),
        ("translation", "replaced"),
        ("replaced", "different"),
    ),
    "exchanged": (
        ("identical", "exchanged"),
        ("translation", "exchanged"),
        ("exchanged", "different"),
    ),
    "different": tuple((v, "different") for v in SCENE_VARIANTS[:-1]),
}

#: Experiment D strengths of the suite (0 = the reference itself).
D_GRIDS: dict[str, tuple[float, ...]] = {
    "translation": (0, 8, 32, 96),
    "rotation": (0, 5, 20, 60),
    "reflection": (0, 1),
    "scaling": (0, 8, 32, 80),
    "color_filter": (0, 0.1, 0.3, 0.7),
}
#: JPEG rates of the suite, decreasing.
JPEG_BPP = (2.0, 0.8, 0.3, 0.15)

#: the flat colours (RGB) of the synthetic scenes' objects
SCENE_COLOURS = (
    (220, 30, 30),
    (240, 220, 40),
    (150, 40, 200),
    (30, 200, 90),
    (250, 250, 250),
    (20, 20, 20),
    (250, 140, 20),
    (30, 60, 220),
)
#: the synthetic scenes' object shapes
SCENE_SHAPES = ("disk", "square", "triangle", "cross", "ellipse")


@dataclass(frozen=True)
class _Obj:
    kind: str
    row: float  # centre, fraction of the height
    col: float  # centre, fraction of the width
    colour: tuple[int, int, int]


def _texture(kind: int, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A textured background ``(h, w, 3)`` float: noise, stripes, checks or a noisy gradient."""
    base = rng.uniform(60, 200, 3)
    other = np.clip(base + rng.choice([-1, 1], 3) * rng.uniform(50, 80, 3), 0, 255)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    if kind == 0:  # smoothed noise
        from scipy import ndimage

        t = ndimage.gaussian_filter(rng.normal(size=(h, w)), 1.5)
        t = (t - t.min()) / max(np.ptp(t), 1e-9)
    elif kind == 1:  # stripes
        period = rng.uniform(5, 9)
        ang = rng.uniform(0, np.pi)
        t = 0.5 + 0.5 * np.sin(2 * np.pi * (xx * np.cos(ang) + yy * np.sin(ang)) / period)
    elif kind == 2:  # checks
        p = int(rng.integers(5, 9))
        t = ((yy // p + xx // p) % 2).astype(np.float64)
    else:  # gradient + fine noise
        t = 0.6 * yy / h + 0.4 * rng.uniform(size=(h, w))
    return base[None, None] * (1 - t[..., None]) + other[None, None] * t[..., None]


def _draw(canvas: np.ndarray, o: _Obj, size: float, offset: tuple[int, int]) -> None:
    from skimage.draw import disk, ellipse, polygon

    h, w = canvas.shape[:2]
    r = o.row * h + offset[0]
    c = o.col * w + offset[1]
    s = size
    if o.kind == "disk":
        rr, cc = disk((r, c), s, shape=(h, w))
    elif o.kind == "square":
        rr, cc = polygon([r - s, r - s, r + s, r + s], [c - s, c + s, c + s, c - s], (h, w))
    elif o.kind == "triangle":
        rr, cc = polygon([r - 1.1 * s, r + s, r + s], [c, c - 1.15 * s, c + 1.15 * s], (h, w))
    elif o.kind == "ellipse":
        rr, cc = ellipse(r, c, 0.55 * s, 1.3 * s, shape=(h, w))
    else:  # cross
        t = 0.4 * s
        rr1, cc1 = polygon([r - s, r - s, r + s, r + s], [c - t, c + t, c + t, c - t], (h, w))
        rr2, cc2 = polygon([r - t, r - t, r + t, r + t], [c - s, c + s, c + s, c - s], (h, w))
        rr, cc = np.concatenate([rr1, rr2]), np.concatenate([cc1, cc2])
    canvas[rr, cc] = o.colour


def _render(
    objs: Sequence[_Obj], texture: int, seed: int, size: int, offset: tuple[int, int] = (0, 0)
) -> np.ndarray:
    pad = 8
    rng = np.random.default_rng([seed, 1])
    big = _texture(texture, size + 2 * pad, size + 2 * pad, rng)
    img = np.ascontiguousarray(
        big[pad - offset[0] : pad - offset[0] + size, pad - offset[1] : pad - offset[1] + size]
    )
    for o in objs:
        _draw(img, o, 0.11 * size, offset)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def _layout(seed: int) -> tuple[list[_Obj], int]:
    rng = np.random.default_rng([seed, 0])
    n = int(rng.integers(3, 5))
    cells = rng.permutation([(r, c) for r in range(3) for c in range(3)])[:n]
    kinds = rng.permutation(SCENE_SHAPES)[:n]
    cols = rng.permutation(len(SCENE_COLOURS))[:n]
    objs = [
        _Obj(str(k), (0.2 + 0.3 * r), (0.2 + 0.3 * c), SCENE_COLOURS[int(ci)])
        for k, (r, c), ci in zip(kinds, cells, cols, strict=True)
    ]
    return objs, int(rng.integers(4))


def synthetic_scene(seed: int, size: int = 192) -> np.ndarray:
    """The reference scene number ``seed``: uint8 ``(size, size, 3)``."""
    objs, texture = _layout(seed)
    return _render(objs, texture, seed, size)


def scene_variants(seed: int, size: int = 192) -> dict[str, np.ndarray]:
    """The reference (key ``reference``) and the five variants of scene ``seed``.

    ``translation`` shifts the whole scene (background included) by (3, 4) px;
    ``replaced`` turns the first object into an unused shape of an unused colour;
    ``exchanged`` swaps the positions of the first two objects (which differ in shape
    and colour); ``different`` is scene ``seed + 1000``.
    """
    objs, texture = _layout(seed)
    used_k = {o.kind for o in objs}
    used_c = {o.colour for o in objs}
    new_kind = next(k for k in SCENE_SHAPES if k not in used_k)
    new_col = next(c for c in SCENE_COLOURS if c not in used_c)
    replaced = [_Obj(new_kind, objs[0].row, objs[0].col, new_col), *objs[1:]]
    a, b = objs[0], objs[1]
    exchanged = [_Obj(a.kind, b.row, b.col, a.colour), _Obj(b.kind, a.row, a.col, b.colour)]
    exchanged += objs[2:]
    ref = _render(objs, texture, seed, size)
    return {
        "reference": ref,
        "identical": ref.copy(),
        "translation": _render(objs, texture, seed, size, offset=(3, 4)),
        "replaced": _render(replaced, texture, seed, size),
        "exchanged": _render(exchanged, texture, seed, size),
        "different": synthetic_scene(seed + 1000, size),
    }


@dataclass(frozen=True)
class Ordering:
    """One ordering: in ``family``, ``better`` (less changed) should outscore ``worse``."""

    family: str
    case: str
    better: str
    worse: str


Scorer = Callable[[np.ndarray, np.ndarray], float]


def _score_all(
    metrics: Mapping[str, Scorer], ref: np.ndarray, tests: Mapping[str, np.ndarray]
) -> dict[str, dict[str, float]]:
    return {m: {k: float(f(ref, t)) for k, t in tests.items()} for m, f in metrics.items()}


def scene_orderings(
    metrics: Mapping[str, Scorer], seeds: Iterable[int], size: int = 192
) -> tuple[list[Ordering], dict[str, dict[str, float]]]:
    """Orderings of the synthetic scenes and every metric's scores (``{metric: {key: value}}``,
    keys ``scene<seed>/<variant>``)."""
    orderings: list[Ordering] = []
    scores: dict[str, dict[str, float]] = {m: {} for m in metrics}
    for seed in seeds:
        v = scene_variants(seed, size)
        ref = v.pop("reference")
        case = f"scene{seed}"
        for m, vals in _score_all(metrics, ref, v).items():
            scores[m].update({f"{case}/{k}": x for k, x in vals.items()})
        for fam, pairs in SCENE_ORDERINGS.items():
            orderings += [Ordering(fam, case, f"{case}/{a}", f"{case}/{b}") for a, b in pairs]
    return orderings, scores


def d_orderings(
    metrics: Mapping[str, Scorer],
    images: Mapping[str, np.ndarray],
    grids: Mapping[str, Sequence[float]] = D_GRIDS,
) -> tuple[list[Ordering], dict[str, dict[str, float]]]:
    """Experiment D: every pair of strengths ``s < t`` of one transform is an ordering."""
    from semcom_pipeline.transforms import apply_transform

    orderings: list[Ordering] = []
    scores: dict[str, dict[str, float]] = {m: {} for m in metrics}
    for name, img in images.items():
        for t, grid in grids.items():
            tests = {f"{name}/{t}/{s:g}": apply_transform(t, img, s) for s in grid}
            for m, vals in _score_all(metrics, img, tests).items():
                scores[m].update(vals)
            keys = list(tests)
            orderings += [
                Ordering(f"D:{t}", name, keys[i], keys[j])
                for i in range(len(keys))
                for j in range(i + 1, len(keys))
            ]
    return orderings, scores


def jpeg_orderings(
    metrics: Mapping[str, Scorer], images: Mapping[str, np.ndarray], bpp: Sequence[float] = JPEG_BPP
) -> tuple[list[Ordering], dict[str, dict[str, float]]]:
    """JPEG at decreasing ``bpp``: every pair of distinct achieved rates is an ordering."""
    from semcom_codecs import build_codec

    codec = build_codec("jpeg")
    orderings: list[Ordering] = []
    scores: dict[str, dict[str, float]] = {m: {} for m in metrics}
    for name, img in images.items():
        tests, rates = {}, {}
        for b in bpp:
            enc = codec.encode(img, b)
            key = f"{name}/jpeg/{enc.achieved_bpp:.3f}"
            if key not in tests:
                tests[key] = codec.decode(enc.data, img.shape)
                rates[key] = enc.achieved_bpp
        for m, vals in _score_all(metrics, img, tests).items():
            scores[m].update(vals)
        keys = sorted(tests, key=lambda k: -rates[k])
        orderings += [
            Ordering("jpeg", name, keys[i], keys[j])
            for i in range(len(keys))
            for j in range(i + 1, len(keys))
        ]
    return orderings, scores


def ordering_table(
    orderings: Sequence[Ordering],
    scores: Mapping[str, Mapping[str, float]],
    higher_is_better: Mapping[str, bool] | None = None,
) -> pd.DataFrame:
    """Tidy table: one row per (family, metric) with ``respected`` and ``total`` orderings.

    A tie (or a NaN) does not respect an ordering.
    """
    hib = higher_is_better or {}
    rows = []
    for m, vals in scores.items():
        sign = 1.0 if hib.get(m, True) else -1.0
        by_family: dict[str, list[bool]] = {}
        for o in orderings:
            ok = bool(sign * (vals[o.better] - vals[o.worse]) > 0)
            by_family.setdefault(o.family, []).append(ok)
        for fam, oks in by_family.items():
            rows.append({"family": fam, "metric": m, "respected": sum(oks), "total": len(oks)})
    return pd.DataFrame(rows, columns=["family", "metric", "respected", "total"])


#: Experiment D's largest strengths of the default run (config.yaml), Fig. 13's table.
FIG13_STRENGTHS: dict[str, float] = {
    "translation": 32,
    "rotation": 20,
    "reflection": 1,
    "scaling": 32,
    "color_filter": 0.3,
}
#: PSNR is put on a [0, 1] scale for robustness comparisons as ``min(PSNR / 50 dB, 1)``.
PSNR_SCALE_DB = 50.0


def seess_scorer(model) -> Scorer:
    """``(ref, test) -> score`` of a :class:`seess.api.SeSS`, building each distinct
    image's graph once (keyed by its content hash)."""
    from seess.graph import image_hash

    graphs: dict[str, object] = {}

    def graph(x: np.ndarray):
        key = image_hash(x)
        if key not in graphs:
            graphs[key] = model.graph(x)
        return graphs[key]

    def score(a: np.ndarray, b: np.ndarray) -> float:
        return float(model.score_graphs(graph(a), graph(b)).score)

    return score


def fig13_table(
    metrics: Mapping[str, Scorer],
    images: Mapping[str, np.ndarray],
    strengths: Mapping[str, float] = FIG13_STRENGTHS,
) -> pd.DataFrame:
    """Tidy table ``image, transform, strength, metric, value, robustness``: each metric
    on each image transformed at Fig. 13's strengths. ``robustness`` is the value on a
    [0, 1] scale (PSNR divided by :data:`PSNR_SCALE_DB`, capped at 1)."""
    from semcom_pipeline.transforms import apply_transform

    rows = []
    for name, img in images.items():
        for t, s in strengths.items():
            x = apply_transform(t, img, s)
            for m, f in metrics.items():
                v = float(f(img, x))
                rob = min(v / PSNR_SCALE_DB, 1.0) if m == "psnr" else v
                rows.append(
                    {
                        "image": name,
                        "transform": t,
                        "strength": s,
                        "metric": m,
                        "value": v,
                        "robustness": rob,
                    }
                )
    return pd.DataFrame(rows)
