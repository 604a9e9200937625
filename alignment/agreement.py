"""Agreement of metrics with human judgments: pure functions on arrays and tables.

Measures (all oriented so that larger = better agreement):

* ``srcc`` / ``krcc``: Spearman / Kendall rank correlation of metric values and
  mean human scores over pairs (absolute scores and the per-candidate scores of
  paper triplets);
* ``plcc``: Pearson correlation of the human scores and the metric values
  mapped through a monotonic logistic fitted to them (VQEG practice;
  :func:`fit_logistic`, 4 parameters by default, 5 on request);
* ``2afc``: the 2AFC score of LPIPS (Zhang et al. 2018) over triplets:
  ``p * h + (1 - p) * (1 - h)`` averaged, where ``p`` = 1 when the metric
  prefers candidate 1 (0.5 on a tie) and ``h`` = fraction of humans preferring
  candidate 1;
* ``human_ceiling``: ``h**2 + (1 - h)**2`` averaged, the expected agreement of
  one random human with another (the 2AFC ceiling of BAPPS).

Metrics whose ``higher_is_better`` is false (distances such as LPIPS) are
negated before any measure, so every measure reads "higher = agrees more".
Confidence intervals: percentile bootstrap over items (pairs or triplets) with
a seeded generator (:func:`bootstrap_ci`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import OptimizeWarning, curve_fit

__all__ = [
    "MEASURES",
    "agreement_table",
    "bootstrap_ci",
    "clip_infinite",
    "fit_logistic",
    "human_ceiling",
    "human_pairs",
    "human_triplets",
    "krcc",
    "logistic4",
    "logistic5",
    "measure",
    "plcc",
    "srcc",
    "two_afc",
]

MEASURES = ("srcc", "plcc", "krcc", "2afc")


# ------------------------------------------------------------------ human tables
def human_pairs(ratings: pd.DataFrame) -> pd.DataFrame:
    """Mean human score per (ref, test) pair: columns ``ref, test, human, n``.

    Uses every row with a score (absolute pairs and the candidates of paper
    triplets). Empty when there is none.
    """
    scored = ratings[ratings["score"].notna()]
    if scored.empty:
        return pd.DataFrame(columns=["ref", "test", "human", "n"])
    g = scored.groupby(["ref", "test"], sort=True)["score"]
    return g.agg(human="mean", n="size").reset_index()


def human_triplets(ratings: pd.DataFrame) -> pd.DataFrame:
    """Human preference per triplet: columns ``item, ref, test0, test1, h, n``.

    ``h``: fraction of judgments preferring candidate 1. Paper triplets: a
    rater's ``choice`` when given, else the higher of their two scores (0.5 on
    a tie); 2AFC: the stored fraction ``p1``.
    """
    t = ratings[ratings["kind"].isin(["triplet", "2afc"])]
    if t.empty:
        return pd.DataFrame(columns=["item", "ref", "test0", "test1", "h", "n"])
    keys = ["item", "source", "row", "rater"]
    cols = [*keys, "ref", "test", "score", "choice", "p1"]
    wide = t[t["slot"] == 0][cols].merge(
        t[t["slot"] == 1][[*keys, "test", "score"]], on=keys, suffixes=("0", "1"), how="outer"
    )
    s0, s1 = wide["score0"].to_numpy(np.float64), wide["score1"].to_numpy(np.float64)
    by_score = np.where(s1 > s0, 1.0, np.where(s1 < s0, 0.0, 0.5))
    choice = wide["choice"].to_numpy(np.float64)
    p1 = wide["p1"].to_numpy(np.float64)
    wide["pref"] = np.where(~np.isnan(p1), p1, np.where(~np.isnan(choice), choice, by_score))
    g = wide.groupby("item", sort=True)
    out = g.agg(
        ref=("ref", "first"),
        test0=("test0", "first"),
        test1=("test1", "first"),
        h=("pref", "mean"),
        n=("pref", "size"),
    ).reset_index()
    return out[["item", "ref", "test0", "test1", "h", "n"]]


# ------------------------------------------------------------------ measures
def logistic4(x: np.ndarray, b1: float, b2: float, b3: float, b4: float) -> np.ndarray:
    """Monotonic 4-parameter logistic ``(b1 - b2) / (1 + exp(-(x - b3) / |b4|)) + b2``."""
    z = np.clip(-(x - b3) / (abs(b4) + 1e-12), -500, 500)
    return (b1 - b2) / (1.0 + np.exp(z)) + b2


def logistic5(x: np.ndarray, b1: float, b2: float, b3: float, b4: float, b5: float) -> np.ndarray:
    """VQEG 5-parameter logistic ``b1 (1/2 - 1 / (1 + exp(b2 (x - b3)))) + b4 x + b5``."""
    z = np.clip(b2 * (x - b3), -500, 500)
    return b1 * (0.5 - 1.0 / (1.0 + np.exp(z))) + b4 * x + b5


def fit_logistic(
    x: np.ndarray, y: np.ndarray, params: int = 4, p0: np.ndarray | None = None
) -> tuple[Callable[[np.ndarray], np.ndarray], np.ndarray | None]:
    """Fit the 4- or 5-parameter logistic of ``y`` on ``x`` (scipy ``curve_fit``).

    Returns ``(f, beta)``: the fitted mapping and its parameters. When the fit
    fails (too few distinct values, no convergence) ``f`` is the identity and
    ``beta`` None -- then PLCC is the plain Pearson correlation.
    """
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    if params not in (4, 5):
        raise ValueError(f"logistic must have 4 or 5 parameters, got {params}")
    if np.unique(x).size < params + 1:
        return (lambda v: np.asarray(v, np.float64)), None
    spread = float(np.std(x)) or 1.0
    fn = logistic4 if params == 4 else logistic5
    if p0 is None:
        if params == 4:
            p0 = np.array([y.max(), y.min(), float(np.median(x)), spread])
        else:
            p0 = np.array([np.ptp(y) or 1.0, 1.0 / spread, float(np.median(x)), 0.0, y.mean()])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizeWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            beta, _ = curve_fit(fn, x, y, p0=p0, maxfev=5000)
    except (RuntimeError, ValueError):
        return (lambda v: np.asarray(v, np.float64)), None
    if not np.all(np.isfinite(beta)):
        return (lambda v: np.asarray(v, np.float64)), None
    return (lambda v: fn(np.asarray(v, np.float64), *beta)), beta


def _corr(fn: Callable[..., object], a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    return float(fn(a, b)[0])  # type: ignore[index]


def srcc(metric: np.ndarray, human: np.ndarray) -> float:
    """Spearman rank correlation (NaN when either side is constant)."""
    return _corr(stats.spearmanr, np.asarray(metric, float), np.asarray(human, float))


def krcc(metric: np.ndarray, human: np.ndarray) -> float:
    """Kendall's tau-b (NaN when either side is constant)."""
    return _corr(stats.kendalltau, np.asarray(metric, float), np.asarray(human, float))


def plcc(
    metric: np.ndarray, human: np.ndarray, params: int = 4, p0: np.ndarray | None = None
) -> float:
    """Pearson correlation of ``human`` and the logistic-mapped ``metric``.

    ``p0``: starting parameters of the fit (the bootstrap starts from the full-data fit).
    """
    m, h = np.asarray(metric, float), np.asarray(human, float)
    f, _ = fit_logistic(m, h, params, p0)
    return _corr(stats.pearsonr, f(m), h)


def two_afc(metric0: np.ndarray, metric1: np.ndarray, h: np.ndarray) -> float:
    """LPIPS' 2AFC score: mean of ``p h + (1 - p)(1 - h)``, ``p`` = metric prefers candidate 1.

    ``metric0`` / ``metric1``: similarity of each candidate to the reference
    (higher = closer). A tie gives ``p = 0.5``.
    """
    m0, m1, h = (np.asarray(v, np.float64) for v in (metric0, metric1, h))
    p = np.where(m1 > m0, 1.0, np.where(m1 < m0, 0.0, 0.5))
    return float(np.mean(p * h + (1.0 - p) * (1.0 - h))) if h.size else math.nan


def human_ceiling(h: np.ndarray) -> float:
    """Mean of ``h**2 + (1 - h)**2``: agreement of two random raters (BAPPS' human score)."""
    h = np.asarray(h, np.float64)
    return float(np.mean(h**2 + (1.0 - h) ** 2)) if h.size else math.nan


def measure(name: str, *, logistic: int = 4) -> Callable[..., float]:
    """The function computing measure ``name`` (``srcc``, ``plcc``, ``krcc``, ``2afc``)."""
    if name == "srcc":
        return srcc
    if name == "krcc":
        return krcc
    if name == "plcc":
        return lambda m, h: plcc(m, h, logistic)
    if name == "2afc":
        return two_afc
    raise ValueError(f"unknown agreement measure {name!r}; known: {', '.join(MEASURES)}")


def bootstrap_ci(
    fn: Callable[..., float],
    arrays: tuple[np.ndarray, ...],
    n_boot: int,
    seed: int,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap CI of ``fn(*arrays)`` resampling items (rows) with replacement.

    ``n_boot`` resamples from ``np.random.default_rng(seed)``; resamples where
    ``fn`` is undefined (NaN) are left out. Returns ``(nan, nan)`` for
    ``n_boot == 0`` or fewer than 2 items.
    """
    n = len(arrays[0])
    if n_boot <= 0 or n < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    vals = np.empty(n_boot)
    for b in range(n_boot):
        idx = rng.integers(0, n, n)
        vals[b] = fn(*(a[idx] for a in arrays))
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return math.nan, math.nan
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(vals, [alpha, 1.0 - alpha])
    return float(lo), float(hi)


def _oriented(values: pd.Series, higher_is_better: bool, metric: str) -> np.ndarray:
    v = values.to_numpy(np.float64)
    if np.isnan(v).any():
        raise ValueError(f"metric {metric!r} gave NaN for {int(np.isnan(v).sum())} judged pair(s)")
    return v if higher_is_better else -v


def clip_infinite(v: np.ndarray) -> np.ndarray:
    """``+inf`` / ``-inf`` (PSNR of identical images) -> the largest / smallest finite value.

    Rank measures and 2AFC use the values as they are (infinity ranks first);
    PLCC's logistic fit and the plots need finite numbers.
    """
    v = np.asarray(v, np.float64)
    finite = v[np.isfinite(v)]
    if finite.size == 0:
        return np.zeros_like(v)
    return np.clip(v, finite.min(), finite.max())


def agreement_table(
    scores: pd.DataFrame,
    pairs: pd.DataFrame,
    triplets: pd.DataFrame,
    *,
    directions: Mapping[str, bool] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    logistic: int = 4,
) -> pd.DataFrame:
    """Tidy agreement table: one row per (metric, measure).

    Parameters
    ----------
    scores: tidy metric values, columns ``ref, test, metric, value``.
    pairs: :func:`human_pairs`; triplets: :func:`human_triplets` (either may be empty).
    directions: metric -> ``higher_is_better`` (default True).
    n_boot, seed: bootstrap resamples and seed for the 95 % CIs.
    logistic: 4 or 5 parameters for PLCC.

    Returns
    -------
    DataFrame ``metric, measure, value, ci_low, ci_high, n_items, item_kind``;
    ``human_ceiling`` appears once with metric ``human``.
    """
    directions = dict(directions or {})
    rows = []
    for k, metric in enumerate(sorted(scores["metric"].unique(), key=str)):
        hib = directions.get(metric, True)
        s = scores[scores["metric"] == metric].set_index(["ref", "test"])["value"]
        s = s[~s.index.duplicated()]
        if not pairs.empty:
            joined = pairs.join(s, on=["ref", "test"], how="left")
            if joined["value"].isna().any():
                missing = joined[joined["value"].isna()].iloc[0]
                raise ValueError(
                    f"metric {metric!r} has no value for pair {missing['ref']} / {missing['test']}"
                )
            m = _oriented(joined["value"], hib, metric)
            h = joined["human"].to_numpy(np.float64)
            _, beta = fit_logistic(clip_infinite(m), h, logistic)

            def plcc_fn(a: np.ndarray, b: np.ndarray, beta: np.ndarray | None = beta) -> float:
                return plcc(clip_infinite(a), b, logistic, beta)

            fns: dict[str, Callable[..., float]] = {"srcc": srcc, "plcc": plcc_fn, "krcc": krcc}
            for j, (name, fn) in enumerate(fns.items()):
                lo, hi = bootstrap_ci(fn, (m, h), n_boot, seed + 1000 * k + j)
                rows.append((metric, name, fn(m, h), lo, hi, len(h), "pairs"))
        if not triplets.empty:
            v0 = triplets.join(s.rename("v0"), on=["ref", "test0"])["v0"]
            v1 = triplets.join(s.rename("v1"), on=["ref", "test1"])["v1"]
            if v0.isna().any() or v1.isna().any():
                raise ValueError(f"metric {metric!r} lacks values for some triplet candidates")
            m0, m1 = _oriented(v0, hib, metric), _oriented(v1, hib, metric)
            h = triplets["h"].to_numpy(np.float64)
            lo, hi = bootstrap_ci(two_afc, (m0, m1, h), n_boot, seed + 1000 * k + 7)
            rows.append((metric, "2afc", two_afc(m0, m1, h), lo, hi, len(h), "triplets"))
    if not triplets.empty:
        h = triplets["h"].to_numpy(np.float64)
        lo, hi = bootstrap_ci(human_ceiling, (h,), n_boot, seed + 999)
        rows.append(("human", "human_ceiling", human_ceiling(h), lo, hi, len(h), "triplets"))
    return pd.DataFrame(
        rows, columns=["metric", "measure", "value", "ci_low", "ci_high", "n_items", "item_kind"]
    )
