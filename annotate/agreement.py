"""Inter-rater agreement on continuous scores: Krippendorff's alpha (interval) and split-half.

Written here rather than taken from the ``krippendorff`` package on PyPI (0.9, well kept,
numpy only) because that package is GPL-3.0 and this project is MIT; the tests compare this
implementation with it (a dev dependency) as an independent reference.
"""

from __future__ import annotations

import numpy as np

__all__ = ["krippendorff_alpha_interval", "split_half"]


def krippendorff_alpha_interval(data: np.ndarray) -> float:
    """Krippendorff's alpha with the interval metric ``(a - b)^2``.

    Parameters
    ----------
    data : (n_raters, n_units) float array; NaN marks a missing rating.

    Returns
    -------
    float: ``1 - D_o / D_e``; NaN when fewer than two units have two or more ratings, or when
    every pairable value is the same (no expected disagreement).

    Notes
    -----
    Only units rated at least twice count ("pairable" values, ``n`` of them). With ``m_u``
    values in unit ``u``,
    ``D_o = 1/n * sum_u 1/(m_u - 1) * sum_{i != j in u} (v_i - v_j)^2`` and
    ``D_e = 1/(n (n - 1)) * sum_{i != j over all pairable values} (v_i - v_j)^2``,
    using ``sum_{i != j} (v_i - v_j)^2 = 2 (m sum v^2 - (sum v)^2)``.

    >>> round(krippendorff_alpha_interval(np.array([[1.0, 2, 3], [1, 2, 3]])), 6)
    1.0
    """
    a = np.asarray(data, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"expected a (raters, units) array, got shape {a.shape}")
    present = ~np.isnan(a)
    m = present.sum(axis=0)
    keep = m >= 2
    if keep.sum() < 2:
        return float("nan")
    v = np.where(present, a, 0.0)[:, keep]
    m = m[keep].astype(np.float64)
    s1, s2 = v.sum(axis=0), (v * v).sum(axis=0)
    n = m.sum()
    d_o = float(np.sum(2.0 * (m * s2 - s1 * s1) / (m - 1.0)) / n)
    t1, t2 = s1.sum(), s2.sum()
    d_e = float(2.0 * (n * t2 - t1 * t1) / (n * (n - 1.0)))
    if d_e <= 0.0:
        return float("nan")
    return 1.0 - d_o / d_e


def split_half(data: np.ndarray, n_splits: int = 200, seed: int = 0) -> tuple[float, float, int]:
    """Split-half reliability of the mean rating per unit.

    The raters are split at random into two halves ``n_splits`` times (all distinct splits when
    there are fewer); each time the Pearson correlation of the two halves' mean scores over the
    units rated in both halves is computed. Returns ``(mean r, Spearman-Brown 2r / (1 + r) of
    that mean, number of splits used)``; NaNs when there are fewer than two raters or fewer
    than three common units.
    """
    a = np.asarray(data, dtype=np.float64)
    n_raters = a.shape[0]
    if n_raters < 2:
        return float("nan"), float("nan"), 0
    rng = np.random.default_rng(seed)
    half = n_raters // 2
    splits: set[tuple[int, ...]] = set()
    for _ in range(n_splits * 4):
        first = tuple(sorted(rng.permutation(n_raters)[:half].tolist()))
        if 2 * half == n_raters and 0 not in first:  # the same split, halves swapped
            first = tuple(k for k in range(n_raters) if k not in first)
        splits.add(first)
        if len(splits) >= n_splits:
            break
    rs = []
    for first in sorted(splits):
        mask = np.zeros(n_raters, dtype=bool)
        mask[list(first)] = True
        x, y = _nanmean(a[mask]), _nanmean(a[~mask])
        ok = ~np.isnan(x) & ~np.isnan(y)
        if ok.sum() < 3 or np.std(x[ok]) == 0 or np.std(y[ok]) == 0:
            continue
        rs.append(float(np.corrcoef(x[ok], y[ok])[0, 1]))
    if not rs:
        return float("nan"), float("nan"), 0
    r = float(np.mean(rs))
    return r, 2.0 * r / (1.0 + r) if r > -1.0 else float("nan"), len(rs)


def _nanmean(a: np.ndarray) -> np.ndarray:
    count = (~np.isnan(a)).sum(axis=0)
    total = np.nansum(a, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)
