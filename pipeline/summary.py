"""Means and confidence intervals per experiment / system / condition / metric.

Infinite values (PSNR of identical images) are not averaged: they are counted
in ``n_inf`` and the statistics use the finite values only. A group whose
values are all infinite gets ``mean = inf`` and no interval. ``all_decodes_failed``
marks a grid point where no image was decoded (every value scores the fallback).
Rows are sorted by experiment, system, the grid point's number (``snr=5dB``
before ``snr=10dB``) and metric.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from semcom_pipeline.grid import point_value

__all__ = ["GROUP_COLUMNS", "mean_ci", "summarize"]

GROUP_COLUMNS = ["experiment", "system", "condition", "metric"]


def mean_ci(values: np.ndarray, ci: float = 95.0) -> tuple[float, float, float, int, int]:
    """``(mean, low, high, n_finite, n_inf)`` with a Student-t interval at ``ci`` percent."""
    v = np.asarray(values, dtype=float)
    n_inf = int(np.isinf(v).sum())
    f = v[np.isfinite(v)]
    n = int(f.size)
    if n == 0:
        mean = math.inf if n_inf else math.nan
        return mean, math.nan, math.nan, 0, n_inf
    mean = float(f.mean())
    if n == 1:
        return mean, math.nan, math.nan, 1, n_inf
    sem = float(f.std(ddof=1) / math.sqrt(n))
    half = float(stats.t.ppf(0.5 + ci / 200.0, n - 1) * sem)
    return mean, mean - half, mean + half, n, n_inf


def summarize(df: pd.DataFrame, ci: float = 95.0) -> pd.DataFrame:
    """One row per group with mean, CI bounds, counts and the mean of the grid's x values."""
    rows = []
    for key, g in df.groupby(GROUP_COLUMNS, sort=True, dropna=False):
        mean, low, high, n, n_inf = mean_ci(g["value"].to_numpy(), ci)
        row = dict(zip(GROUP_COLUMNS, key))
        for col in ("target_bpp", "achieved_bpp", "snr_db", "strength"):
            row[col] = float(g[col].mean()) if col in g and g[col].notna().any() else math.nan
        for col in ("codec", "snr_def", "modulation", "transform", "metric_backend"):
            vals = g[col].dropna().unique() if col in g else []
            row[col] = (
                vals[0] if len(vals) == 1 else (";".join(map(str, vals)) if len(vals) else "")
            )
        row["decode_failures"] = (
            int(g["decode_failed"].fillna(False).astype(bool).sum()) if "decode_failed" in g else 0
        )
        row["all_decodes_failed"] = 0 < row["decode_failures"] == len(g)
        row.update(mean=mean, ci_low=low, ci_high=high, ci_level=ci, n=n, n_inf=n_inf)
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    point = out["condition"].astype(str).map(point_value)
    order = out.assign(_point=point).sort_values(
        ["experiment", "system", "_point", "condition", "metric"], kind="stable"
    )
    return order.drop(columns="_point").reset_index(drop=True)
