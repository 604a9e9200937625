"""SeSS graph matching (spec sections 4-6), vectorised.

Pure functions on numpy arrays:

* Kuhn-Munkres assignment of one matrix or a stack of them: :mod:`seess.kuhn_munkres`.
* :func:`initial_similarity` -- ``L0`` (section 4).
* :func:`iterate_similarity` -- the ``ite`` update rounds (section 5).
* :func:`graph_score` -- the importance-weighted final matching (section 6).

Vectorisation of section 5: the pairs ``(u, v)`` are grouped by their
neighbourhood sizes ``(|N(u)|, |N(v)|) = (a, b)``; all pairs of a group form
a cartesian block ``U_a x V_b`` whose ``a x b`` neighbour matrices are
gathered with one fancy index, and whose assignment problems are solved
together by :func:`km_batch`. Neighbour index arrays, neighbour weights and
the relation term ``alpha * R[r(u, u_k), r(v, v_l)]`` are computed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from seess.kuhn_munkres import BATCH_MAX_COST, as_matrix, exact_cost, km_assignment, km_batch
from seess.scene import check_edges

__all__ = [
    "GraphAssignment",
    "graph_score",
    "initial_similarity",
    "iterate_similarity",
]


# ---------------------------------------------------------------- section 4
def initial_similarity(
    f1: np.ndarray, f2: np.ndarray, c1: np.ndarray, c2: np.ndarray, theta: float
) -> np.ndarray:
    """Initial node similarity ``L0`` (spec section 4).

    Parameters
    ----------
    f1, f2: ``(n1, d)``, ``(n2, d)`` node embeddings (L2-normalised by
        contract; the cosine is computed with their actual norms).
    c1, c2: ``(n1, 2)``, ``(n2, 2)`` centroids ``(row / H, col / W)`` in [0, 1].
    theta: weight of the location term, in [0, 1].

    Returns
    -------
    ``(n1, n2)`` float64, ``(1 - theta) * cos(f_u, f_v) + theta * (1 - |c_u - c_v|^2 / 2)``.
    In [-(1 - theta), 1]; the location term is in [0, 1] for centroids in [0, 1]^2.
    """
    f1 = as_matrix(f1, "f1")
    f2 = as_matrix(f2, "f2")
    c1 = as_matrix(c1, "c1")
    c2 = as_matrix(c2, "c2")
    if f1.shape[1] != f2.shape[1]:
        raise ValueError(f"feature dimensions differ: {f1.shape[1]} vs {f2.shape[1]}")
    if c1.shape != (f1.shape[0], 2) or c2.shape != (f2.shape[0], 2):
        raise ValueError("centroids must be (n, 2), one row per feature row")
    if not 0.0 <= theta <= 1.0:
        raise ValueError(f"theta must be in [0, 1], got {theta}")
    n1 = np.linalg.norm(f1, axis=1)
    n2 = np.linalg.norm(f2, axis=1)
    if np.any(n1 == 0) or np.any(n2 == 0):
        raise ValueError("a node feature vector is all zeros; its cosine is undefined")
    cos = (f1 / n1[:, None]) @ (f2 / n2[:, None]).T
    d2 = ((c1[:, None, :] - c2[None, :, :]) ** 2).sum(axis=2)
    return (1.0 - theta) * cos + theta * (1.0 - d2 / 2.0)


# ---------------------------------------------------------------- section 5
# Cost model of one batched KM evaluation, used to decide which neighbourhood
# shapes share a (zero-padded) batch: a fixed cost per batch (numpy calls) and a
# cost per problem proportional to the number of gathered entries.
_BATCH_OVERHEAD = 20000  # in "gathered entries" (~ tens of microseconds)
_SCIPY_UNIT = 3000  # one scipy call, in gathered entries


@cache
def _unit_cost(r: int, c: int) -> int:
    """Entries gathered per problem of shape (r, c), r <= c (see km_batch)."""
    if r <= 1:
        return c
    cost = exact_cost(r, c)
    return cost if cost <= BATCH_MAX_COST else _SCIPY_UNIT


def _merge_shapes(counts: dict[tuple[int, int], int]) -> dict[tuple[int, int], tuple[int, int]]:
    """Greedy merging of problem shapes into padded batch shapes.

    ``counts``: (r, c) -> number of problems. Returns (r, c) -> padded
    (R, C) with R >= r, C >= c. The two batches whose merge (to the
    elementwise max shape) lowers the modelled total cost most are merged,
    until no merge helps.
    """
    shapes = list(counts)
    g = len(shapes)
    members = [[s] for s in shapes]
    dims = np.array(shapes, dtype=np.int64).reshape(-1, 2)
    n = np.array([counts[s] for s in shapes], dtype=np.float64)
    top = int(dims.max()) + 1
    table = np.array(
        [[_unit_cost(min(r, c), max(r, c)) for c in range(top)] for r in range(top)],
        dtype=np.float64,
    )

    def gains_of(i: int | np.integer) -> np.ndarray:
        """Gain of merging batch i with every batch (-inf where not allowed)."""
        mr, mc = np.maximum(dims[i, 0], dims[:, 0]), np.maximum(dims[i, 1], dims[:, 1])
        merged = _BATCH_OVERHEAD + 2 * (n[i] + n) * table[mr, mc]
        out = cost[i] + cost - merged
        out[~alive] = -np.inf
        out[i] = -np.inf
        return out

    alive = np.ones(g, bool)
    cost = _BATCH_OVERHEAD + 2 * n * table[dims[:, 0], dims[:, 1]]
    mr = np.maximum(dims[:, None, 0], dims[None, :, 0])
    mc = np.maximum(dims[:, None, 1], dims[None, :, 1])
    gain = (
        cost[:, None]
        + cost[None, :]
        - (_BATCH_OVERHEAD + 2 * (n[:, None] + n[None, :]) * table[mr, mc])
    )
    np.fill_diagonal(gain, -np.inf)
    while True:
        i, j = np.unravel_index(int(np.argmax(gain)), gain.shape)
        if not gain[i, j] > 0:
            break
        dims[i] = (max(dims[i, 0], dims[j, 0]), max(dims[i, 1], dims[j, 1]))
        n[i] += n[j]
        members[i] += members[j]
        alive[j] = False
        cost[i] = _BATCH_OVERHEAD + 2 * n[i] * table[dims[i, 0], dims[i, 1]]
        gain[j, :] = -np.inf
        gain[:, j] = -np.inf
        row = gains_of(i)
        gain[i, :] = row
        gain[:, i] = row
    return {
        m: (int(dims[k, 0]), int(dims[k, 1])) for k in np.flatnonzero(alive) for m in members[k]
    }


def _check_vector(x: np.ndarray, n: int, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {x.shape}")
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError(f"{name} must be finite and >= 0")
    return x


@dataclass
class _Side:
    """Out-neighbourhoods of one graph as padded arrays of a common width.

    Slots past a node's degree are pads: neighbour ``n`` (a zero row/column
    of the extended ``L``), predicate ``P`` (a zero row/column of the
    extended ``R``), weight 0.
    """

    deg: np.ndarray  # (n,) out-degree
    nbr: np.ndarray  # (n, width) neighbour index, pad n
    rel: np.ndarray  # (n, width) predicate index, pad P
    w: np.ndarray  # (n, width) neighbour weight imp / sum over N(u), pad 0


def _check_edges(edges: np.ndarray, n: int, n_pred: int, name: str) -> np.ndarray:
    return check_edges(edges, n, n_pred=n_pred, name=name)


def _side(edges: np.ndarray, imp: np.ndarray, width: int, n_pred: int) -> _Side:
    n = imp.shape[0]
    e = edges[np.lexsort((edges[:, 1], edges[:, 0]))]
    deg = np.bincount(e[:, 0], minlength=n).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(deg)])[:n]
    slot = np.arange(width)[None, :]
    valid = slot < deg[:, None]
    pos = np.where(valid, start[:, None] + slot, 0)
    nbr = np.where(valid, e[pos, 1] if len(e) else 0, n)
    rel = np.where(valid, e[pos, 2] if len(e) else 0, n_pred)
    w = np.where(valid, imp[np.minimum(nbr, n - 1)], 0.0)
    tot = w.sum(axis=1, keepdims=True)
    uniform = valid / np.maximum(deg, 1)[:, None]
    w = np.where(tot > 0, w / np.where(tot > 0, tot, 1.0), uniform)
    return _Side(deg=deg, nbr=nbr, rel=rel, w=w)


@dataclass
class _Batch:
    """Neighbour-matching problems of many pairs, padded to one shape (r, c), r <= c.

    Problem ``i`` belongs to pair ``pos[i]`` (flat index ``u * n2 + v``). With
    ``Lext`` = ``L`` plus a zero last row and column (the padding slots), raveled, the
    weighted matrices of ``s1`` / ``s2`` are ``X[k] = Lext[idx] * A[k] + B[k]``
    with ``A[k] = (1 - alpha) * W[k]``, ``B[k] = alpha * R[...] * W[k]``, where
    ``W[0]`` / ``W[1]`` hold the row / column neighbour weights in the
    (possibly transposed) layout; pads have ``W = 0``. ``s = s1 * cu + s2 * cv``
    with ``cu = imp1(u) / (imp1(u) + imp2(v))``, ``cv`` likewise (1/2 each
    when both importances are 0).
    """

    pos: np.ndarray  # (P,)
    idx: np.ndarray  # (P, r, c)
    A: np.ndarray  # (2, P, r, c)
    B: np.ndarray  # (2, P, r, c)
    cu: np.ndarray  # (P,)
    cv: np.ndarray  # (P,)

    def scores(self, Lext: np.ndarray) -> np.ndarray:
        p, r, c = self.idx.shape
        X = Lext[self.idx] * self.A
        X += self.B
        km_vals = km_batch(X.reshape(2 * p, r, c))
        return km_vals[:p] * self.cu + km_vals[p:] * self.cv


def _plan(
    us: np.ndarray,
    vs: np.ndarray,
    s1: _Side,
    s2: _Side,
    Rext: np.ndarray,
    alpha: float,
    imp1: np.ndarray,
    imp2: np.ndarray,
    pad: bool,
) -> list[_Batch]:
    """Batches for the pairs ``(us[i], vs[i])`` (both neighbourhoods non-empty).

    ``Rext``: R with a zero pad row and column. ``pad``: allow zero-padding to
    merge shapes (exact only when every M >= 0). A pair with
    ``|N(u)| > |N(v)|`` is stored transposed (rows <= columns). Indices refer
    to the extended ``(n1 + 1, n2 + 1)`` similarity (zero last row/column).
    """
    width = s1.nbr.shape[1]
    n2x = s2.nbr.shape[0] + 1
    a, b = s1.deg[us], s2.deg[vs]
    r, c = np.minimum(a, b), np.maximum(a, b)
    key = r * (c.max() + 1) + c
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    shapes = [(int(r[f]), int(c[f])) for f in first]
    counts = dict(zip(shapes, np.bincount(inverse).tolist(), strict=True))
    target = _merge_shapes(counts) if pad else {shape: shape for shape in counts}
    tshape = np.array([target[shape] for shape in shapes]).reshape(-1, 2)[inverse]

    nbr1, rel1, w1 = s1.nbr.ravel(), s1.rel.ravel(), s1.w.ravel()
    nbr2, rel2, w2 = s2.nbr.ravel(), s2.rel.ravel(), s2.w.ravel()
    batches = []
    for rr, cc in sorted(set(target.values())):
        sel = np.flatnonzero((tshape[:, 0] == rr) & (tshape[:, 1] == cc))
        u, v = us[sel], vs[sel]
        k, l_ = np.arange(rr)[None, :, None], np.arange(cc)[None, None, :]
        flip = (a[sel] > b[sel])[:, None, None]
        pu = (u * width)[:, None, None] + np.where(flip, l_, k)
        pv = (v * width)[:, None, None] + np.where(flip, k, l_)
        idx = nbr1[pu] * n2x + nbr2[pv]
        rel = alpha * Rext[rel1[pu], rel2[pv]]
        W = np.stack(np.broadcast_arrays(w1[pu], w2[pv]))
        iu, iv = imp1[u], imp2[v]
        den = iu + iv
        safe = den > 0
        cu = np.where(safe, iu / np.where(safe, den, 1.0), 0.5)
        cv = np.where(safe, iv / np.where(safe, den, 1.0), 0.5)
        batches.append(_Batch(u * (n2x - 1) + v, idx, (1.0 - alpha) * W, rel[None] * W, cu, cv))
    return batches


def _waves(e1: np.ndarray, n1: int) -> np.ndarray:
    """Wave index of each row for the in-place (row-major Gauss-Seidel) order.

    Row ``u`` must see the new values of its neighbours ``j < u`` and the old
    values of its neighbours ``j > u``; rows of one wave are computed together
    from the same ``L`` and written afterwards.
    """
    nbrs: list[list[int]] = [[] for _ in range(n1)]
    preds: list[list[int]] = [[] for _ in range(n1)]  # i < j with j in N(i)
    for s, o, _ in e1:
        nbrs[int(s)].append(int(o))
        if s < o:
            preds[int(o)].append(int(s))
    level = np.zeros(n1, np.int64)
    for j in range(n1):
        after = [level[i] + 1 for i in nbrs[j] if i < j]
        before = [level[i] for i in preds[j]]
        level[j] = max(after + before, default=0)
    return level


def iterate_similarity(
    L0: np.ndarray,
    edges1: np.ndarray,
    edges2: np.ndarray,
    R: np.ndarray,
    imp1: np.ndarray,
    imp2: np.ndarray,
    alpha: float,
    beta: float,
    ite: int,
    update: str = "synchronous",
) -> np.ndarray:
    """The iterative node-similarity update (spec section 5).

    Parameters
    ----------
    L0: ``(n1, n2)`` float initial similarity.
    edges1, edges2: ``(m, 3)`` int rows ``(subject, object, predicate)``; the
        out-neighbours ``N(u)`` of ``u`` are the objects of its edges.
    R: ``(P, P)`` float relation similarity (``P`` = 56 PSG predicates).
    imp1, imp2: ``(n1,)``, ``(n2,)`` node importances (>= 0).
    alpha: relation weight in ``M``; beta: update rate; ite: rounds.
    update: ``"synchronous"`` -- every round computes ``L'`` from ``L``
        (the paper); ``"in_place"`` -- the demo's aliasing: round 1 is
        synchronous, rounds 2.. overwrite ``L`` pair by pair in row-major
        order ``(u, v)``, so a pair reads neighbour pairs already updated in
        the same round. It exists to reproduce the demo and is slower: rows
        are processed in dependency waves (a row reads only other rows, the
        earlier ones updated, the later ones not), several batches per round.

    Returns
    -------
    ``(n1, n2)`` float64 similarity after ``ite`` rounds (a new array).

    Notes
    -----
    For each pair ``(u, v)``: both neighbourhoods empty -> ``s = 1``; exactly
    one empty -> ``s = 0``; otherwise
    ``M[k, l] = (1 - alpha) L[u_k, v_l] + alpha R[r(u, u_k), r(v, v_l)]``,
    ``s1 = KM(rows of M weighted by imp1(u_k) / sum_N(u) imp1)``,
    ``s2 = KM(columns weighted by imp2(v_l) / sum_N(v) imp2)``,
    ``s = (s1 imp1(u) + s2 imp2(v)) / (imp1(u) + imp2(v))``; then
    ``L'[u, v] = (1 - beta) L[u, v] + beta s``. Degenerate weights (where the
    demo divides by zero): a neighbourhood whose importances sum to 0 gets
    uniform weights, and ``imp1(u) + imp2(v) = 0`` gives ``s = (s1 + s2) / 2``.

    Vectorisation: pairs are batched by neighbourhood shape; when ``L0 >= 0``
    and the used entries of ``R`` are >= 0 (then every ``M >= 0``), shapes are
    merged into zero-padded batches, which leaves every KM value unchanged.
    """
    L = as_matrix(L0, "L0").copy()
    n1, n2 = L.shape
    R = as_matrix(R, "R")
    if R.shape[0] != R.shape[1]:
        raise ValueError(f"R must be square, got {R.shape}")
    imp1 = _check_vector(imp1, n1, "imp1")
    imp2 = _check_vector(imp2, n2, "imp2")
    e1 = _check_edges(edges1, n1, R.shape[0], "edges1")
    e2 = _check_edges(edges2, n2, R.shape[0], "edges2")
    if not (0.0 <= alpha <= 1.0 and 0.0 <= beta <= 1.0):
        raise ValueError(f"alpha and beta must be in [0, 1], got {alpha}, {beta}")
    if isinstance(ite, bool) or int(ite) != ite or ite < 0:
        raise ValueError(f"ite must be an integer >= 0, got {ite}")
    if update not in ("synchronous", "in_place"):
        raise ValueError(f"update must be 'synchronous' or 'in_place', got {update!r}")
    ite = int(ite)
    if ite == 0 or n1 == 0 or n2 == 0:
        return L

    width = (
        int(max(np.bincount(e1[:, 0], minlength=1).max(), np.bincount(e2[:, 0], minlength=1).max()))
        + 1
    )
    n_pred = R.shape[0]
    s1, s2 = _side(e1, imp1, width, n_pred), _side(e2, imp2, width, n_pred)
    Rext = np.zeros((n_pred + 1, n_pred + 1))
    Rext[:n_pred, :n_pred] = R
    # s of the pairs with an empty neighbourhood: 1 if both are empty, else 0.
    S_base = ((s1.deg == 0)[:, None] & (s2.deg == 0)[None, :]).astype(np.float64).ravel()
    used_R = R[np.unique(e1[:, 2])][:, np.unique(e2[:, 2])]
    pad = bool(L.min() >= 0 and (used_R.size == 0 or used_R.min() >= 0))
    cols = np.flatnonzero(s2.deg > 0)

    def rows_plan(rows: np.ndarray) -> list[_Batch]:
        rows = rows[s1.deg[rows] > 0]
        us, vs = np.repeat(rows, cols.size), np.tile(cols, rows.size)
        return _plan(us, vs, s1, s2, Rext, alpha, imp1, imp2, pad) if us.size else []

    if update == "synchronous":
        waves = [rows_plan(np.arange(n1))]
        row_sets = [np.arange(n1)]
    else:
        level = _waves(e1, n1)
        row_sets = [np.flatnonzero(level == k) for k in range(int(level.max()) + 1)]
        waves = [rows_plan(rows) for rows in row_sets]

    Lext = np.zeros((n1 + 1, n2 + 1))  # zero last row/column: the padding slots

    def new_values(L: np.ndarray, batches: list[_Batch]) -> np.ndarray:
        S = S_base.copy()
        Lext[:n1, :n2] = L
        flat = Lext.ravel()
        for batch in batches:
            S[batch.pos] = batch.scores(flat)
        return (1.0 - beta) * L + beta * S.reshape(n1, n2)

    for rnd in range(ite):
        if update == "synchronous" or rnd == 0:
            L = new_values(L, [b for batches in waves for b in batches])
        else:
            for rows, batches in zip(row_sets, waves, strict=True):
                L[rows] = new_values(L, batches)[rows]
    return L


# ---------------------------------------------------------------- section 6
@dataclass(frozen=True)
class GraphAssignment:
    """The two importance-weighted matchings of section 6.

    g1, g2: KM values with rows weighted by imp1 / columns weighted by imp2.
    rows1, cols1: the matching behind g1; rows2, cols2: the one behind g2.
    """

    g1: float
    g2: float
    rows1: np.ndarray
    cols1: np.ndarray
    rows2: np.ndarray
    cols2: np.ndarray


def graph_score(L: np.ndarray, imp1: np.ndarray, imp2: np.ndarray) -> tuple[float, GraphAssignment]:
    """Graph score (spec section 6, eq. 23).

    ``G1 = KM(L with row u scaled by imp1(u))``, ``G2 = KM(L with column v
    scaled by imp2(v))``, ``graph = (n1 G1 + n2 G2) / (n1 + n2)``.

    Parameters
    ----------
    L: ``(n1, n2)`` float final similarity; imp1, imp2: importances (sum 1).

    Returns
    -------
    ``(graph, GraphAssignment)``. ``graph <= 1`` whenever ``L <= 1`` and the
    importances sum to 1; it may be negative only if ``L`` has negative entries.
    """
    L = as_matrix(L, "L")
    n1, n2 = L.shape
    if n1 == 0 or n2 == 0:
        raise ValueError(f"graph_score needs non-empty graphs, got L of shape {L.shape}")
    imp1 = _check_vector(imp1, n1, "imp1")
    imp2 = _check_vector(imp2, n2, "imp2")
    X1 = L * imp1[:, None]
    X2 = L * imp2[None, :]
    r1, c1 = km_assignment(X1)
    r2, c2 = km_assignment(X2)
    g1 = float(X1[r1, c1].sum())
    g2 = float(X2[r2, c2].sum())
    value = (n1 * g1 + n2 * g2) / (n1 + n2)
    return float(value), GraphAssignment(g1, g2, r1, c1, r2, c2)
