"""Kuhn-Munkres maximum-weight assignment (SeSS spec sections 5-6).

* :func:`km`, :func:`km_assignment`: one rectangular matrix (scipy's
  ``linear_sum_assignment``);
* :func:`km_batch`: a stack of equally shaped small matrices, solved together by
  exhaustive enumeration or a subset dynamic programme evaluated for the whole
  stack at once (scipy per matrix beyond :data:`BATCH_MAX_COST`).
"""

from __future__ import annotations

import math
from functools import cache
from itertools import combinations, permutations

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["BATCH_MAX_COST", "as_matrix", "exact_cost", "km", "km_assignment", "km_batch"]

# Work per matrix (number of gathered entries) above which km_batch hands a
# matrix to scipy instead of enumerating maps or running the subset DP.
BATCH_MAX_COST = 2000
# Elements per chunk of a batched evaluation (bounds temporary memory).
_CHUNK_ELEMENTS = 1 << 21


def as_matrix(x: np.ndarray, name: str = "X") -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def km_assignment(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-weight one-to-one assignment of a ``(k, l)`` matrix.

    Returns ``(rows, cols)`` int64 arrays of length ``min(k, l)`` (empty when
    either side is empty). Every row (or every column, the smaller side) is
    assigned, as in scipy's ``linear_sum_assignment(maximize=True)``; with
    non-negative entries this is the Kuhn-Munkres maximum.
    """
    X = as_matrix(X)
    if X.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    r, c = linear_sum_assignment(X, maximize=True)
    return r.astype(np.int64), c.astype(np.int64)


def km(X: np.ndarray) -> float:
    """Maximum total weight of a one-to-one assignment (0.0 for an empty matrix).

    Example
    -------
    >>> km(np.array([[1.0, 0.2], [0.9, 0.1], [0.0, 0.5]]))
    1.5
    """
    X = as_matrix(X)
    r, c = km_assignment(X)
    return float(X[r, c].sum())


@cache
def _perm_table(a: int, b: int) -> np.ndarray:
    """All injective maps from ``a`` rows to ``b`` columns, ``(b!/(b-a)!, a)``."""
    return np.array(list(permutations(range(b), a)), dtype=np.int64).reshape(-1, a)


@cache
def _subset_level(b: int, level: int) -> tuple[np.ndarray, np.ndarray]:
    """Transition table of level ``level`` (>= 1) of the subset DP over ``b`` columns.

    Returns ``(prev, col)``, both ``(C(b, level), level)``: for the ``t``-th
    ``level``-subset ``T`` (in ``itertools.combinations`` order) and its
    ``p``-th element ``j``, ``col[t, p] = j`` and ``prev[t, p]`` is the index
    of ``T - {j}`` among the ``(level - 1)``-subsets.
    """
    prev_index = {s: i for i, s in enumerate(combinations(range(b), level - 1))}
    subsets = list(combinations(range(b), level))
    col = np.array(subsets, dtype=np.int64).reshape(len(subsets), level)
    prev = np.array(
        [[prev_index[t[:p] + t[p + 1 :]] for p in range(level)] for t in subsets],
        dtype=np.int64,
    ).reshape(len(subsets), level)
    return prev, col


@cache
def _enum_cost(a: int, b: int) -> int:
    return math.perm(b, a) * a


@cache
def _dp_cost(a: int, b: int) -> int:
    return sum(math.comb(b, level) * level for level in range(1, a + 1))


def exact_cost(a: int, b: int) -> int:
    """Work per ``a x b`` matrix (gathered entries) of :func:`km_batch`'s cheaper exact
    method (enumeration or subset DP); above :data:`BATCH_MAX_COST` scipy takes over."""
    return min(_enum_cost(a, b), _dp_cost(a, b))


def _km_enum(X: np.ndarray) -> np.ndarray:
    """KM of a stack ``(P, a, b)`` with ``a <= b`` by enumerating injective maps."""
    p, a, b = X.shape
    perms = _perm_table(a, b)
    out = np.empty(p)
    step = max(1, _CHUNK_ELEMENTS // max(1, perms.size))
    rows = np.arange(a)[None, :]
    for s in range(0, p, step):
        vals = X[s : s + step][:, rows, perms]  # (chunk, nperm, a)
        out[s : s + step] = vals.sum(axis=2).max(axis=1)
    return out


def _km_dp(X: np.ndarray) -> np.ndarray:
    """KM of a stack ``(P, a, b)`` with ``a <= b`` by DP over column subsets.

    Row ``l - 1`` is assigned at level ``l``; ``dp_l[T]`` is the best value of
    assigning rows ``0..l-1`` to exactly the column set ``T``.
    """
    p, a, b = X.shape
    tables = [_subset_level(b, level) for level in range(1, a + 1)]
    widest = max(prev.size for prev, _ in tables)
    step = max(1, _CHUNK_ELEMENTS // widest)
    out = np.empty(p)
    for s in range(0, p, step):
        x = X[s : s + step]
        dp = x[:, 0, :]  # level 1: the subsets {j} in column order
        for level in range(2, a + 1):
            prev, col = tables[level - 1]
            dp = (dp[:, prev] + x[:, level - 1, :][:, col]).max(axis=2)
        out[s : s + step] = dp.max(axis=1)
    return out


def km_batch(X: np.ndarray, max_cost: int = BATCH_MAX_COST) -> np.ndarray:
    """KM value of every matrix of a stack ``(P, a, b)``; returns ``(P,)`` float64.

    ``max_cost``: the largest enumeration / DP cost solved for the whole stack at once.

    Equal to ``[km(x) for x in X]`` up to floating-point summation order.
    Small problems are solved for the whole stack at once (enumeration of the
    injective maps or a subset DP, whichever gathers fewer entries); problems
    whose cost exceeds a fixed budget go to scipy one by one.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(f"km_batch needs a (P, a, b) stack, got shape {X.shape}")
    p, a, b = X.shape
    if p == 0:
        return np.zeros(0)
    if a == 0 or b == 0:
        return np.zeros(p)
    if a > b:
        X = X.transpose(0, 2, 1)
        a, b = b, a
    if a == 1:
        return X[:, 0, :].max(axis=1)
    enum_cost, dp_cost = _enum_cost(a, b), _dp_cost(a, b)
    if min(enum_cost, dp_cost) <= max_cost:
        return _km_enum(X) if enum_cost <= dp_cost else _km_dp(X)
    out = np.empty(p)
    for i in range(p):
        r, c = linear_sum_assignment(X[i], maximize=True)
        out[i] = X[i][r, c].sum()
    return out
