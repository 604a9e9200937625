"""Plain, loop-per-pair reference implementation of SeSS sections 2 and 4-6.

Written for obviousness, not speed: Python loops over nodes and pairs, one
small matrix per pair, and a brute-force assignment over all injective maps
for tiny matrices. ``in_place`` reproduces the demo literally: after the first
round ``L`` and ``L_new`` are the same array.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np
from scipy.optimize import linear_sum_assignment


def km_brute(X: np.ndarray) -> float:
    """Max over all one-to-one assignments of min(k, l) pairs, by enumeration."""
    X = np.asarray(X, dtype=np.float64)
    k, l = X.shape
    if k == 0 or l == 0:
        return 0.0
    if k > l:
        X = X.T
        k, l = l, k
    best = -np.inf
    for cols in permutations(range(l), k):
        total = 0.0
        for row, col in enumerate(cols):
            total += X[row, col]
        best = max(best, total)
    return float(best)


def km_scipy(X: np.ndarray) -> float:
    X = np.asarray(X, dtype=np.float64)
    if X.size == 0:
        return 0.0
    r, c = linear_sum_assignment(X, maximize=True)
    return float(X[r, c].sum())


def km_reference(X: np.ndarray) -> float:
    """Brute force when at most 720 maps exist, scipy otherwise."""
    k, l = np.shape(X)
    small, large = min(k, l), max(k, l)
    count = 1
    for i in range(small):
        count *= large - i
    return km_brute(X) if count <= 720 else km_scipy(X)


def importance(mass, edges, scores, k1, k2, k3):
    n = len(mass)
    if n == 1:
        return np.array([1.0])
    sem = np.zeros(n)
    for i in range(n):
        sem[i] = float(mass[i]) ** (1.0 / k1)
    if sem.sum() > 0:
        sem = sem / sem.sum()
    else:
        sem = np.full(n, 1.0 / n)
    rel = np.zeros(n)
    for (i, j, _), w in zip(edges, scores, strict=True):
        if i != j and w > 0:
            den = sem[i] + sem[j]
            if den > 0:
                rel[i] += w * sem[i] / den
                rel[j] += w * sem[j] / den
            else:
                rel[i] += w / 2
                rel[j] += w / 2
    for i in range(n):
        rel[i] = rel[i] ** (1.0 / k2)
    if rel.sum() == 0:
        return sem
    rel = rel / rel.sum()
    imp = k3 * sem + (1 - k3) * rel
    return imp / imp.sum()


def initial(f1, f2, c1, c2, theta):
    n1, n2 = len(f1), len(f2)
    L = np.zeros((n1, n2))
    for u in range(n1):
        for v in range(n2):
            a = np.asarray(f1[u], dtype=np.float64)
            b = np.asarray(f2[v], dtype=np.float64)
            cos = float(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b))
            dr = c1[u][0] - c2[v][0]
            dc = c1[u][1] - c2[v][1]
            L[u, v] = (1 - theta) * cos + theta * (1 - (dr * dr + dc * dc) / 2)
    return L


def neighbours(edges, n, imp):
    """Per node: list of (neighbour, predicate), and the sum of their importances."""
    out = []
    for u in range(n):
        nb = sorted((int(o), int(p)) for s, o, p in edges if s == u and o != u)
        out.append((nb, sum(imp[j] for j, _ in nb)))
    return out


def pair_value(L, u, v, nb1, nb2, R, imp1, imp2, alpha, km):
    (N1, sum1), (N2, sum2) = nb1[u], nb2[v]
    if not N1 and not N2:
        return 1.0
    if not N1 or not N2:
        return 0.0
    M = np.zeros((len(N1), len(N2)))
    for k, (uk, ru) in enumerate(N1):
        for l_, (vl, rv) in enumerate(N2):
            M[k, l_] = (1 - alpha) * L[uk, vl] + alpha * R[ru, rv]
    A = M.copy()
    for k, (uk, _) in enumerate(N1):
        A[k, :] *= imp1[uk] / sum1 if sum1 > 0 else 1.0 / len(N1)
    s1 = km(A)
    B = M.copy()
    for l_, (vl, _) in enumerate(N2):
        B[:, l_] *= imp2[vl] / sum2 if sum2 > 0 else 1.0 / len(N2)
    s2 = km(B)
    den = imp1[u] + imp2[v]
    if den > 0:
        return (s1 * imp1[u] + s2 * imp2[v]) / den
    return (s1 + s2) / 2


def iterate(
    L0, edges1, edges2, R, imp1, imp2, alpha, beta, ite, update="synchronous", km=km_reference
):
    n1, n2 = L0.shape
    nb1 = neighbours(edges1, n1, imp1)
    nb2 = neighbours(edges2, n2, imp2)
    L = L0.copy()
    L_new = np.zeros((n1, n2))
    for _ in range(ite):
        if update == "synchronous":
            L_new = np.zeros((n1, n2))
        for u in range(n1):
            for v in range(n2):
                s = pair_value(L, u, v, nb1, nb2, R, imp1, imp2, alpha, km)
                L_new[u, v] = (1 - beta) * L[u, v] + beta * s
        L = L_new  # in_place: from now on L and L_new are the same array (demo)
    return np.array(L, copy=True)


def graph(L, imp1, imp2, km=km_reference):
    n1, n2 = L.shape
    A = L.copy()
    for u in range(n1):
        A[u, :] *= imp1[u]
    B = L.copy()
    for v in range(n2):
        B[:, v] *= imp2[v]
    g1, g2 = km(A), km(B)
    return (n1 * g1 + n2 * g2) / (n1 + n2)


def seess(f1, f2, c1, c2, e1, e2, s1, s2, m1, m2, emb1, emb2, R, p, km=km_reference):
    """Whole score from raw arrays; ``p`` is a SeSSParams-like object."""
    imp1 = importance(m1, e1, s1, p.k1, p.k2, p.k3)
    imp2 = importance(m2, e2, s2, p.k1, p.k2, p.k3)
    L0 = initial(f1, f2, c1, c2, p.theta)
    L = iterate(L0, e1, e2, R, imp1, imp2, p.alpha, p.beta, p.ite, p.update, km)
    emb1, emb2 = np.asarray(emb1, np.float64), np.asarray(emb2, np.float64)
    image = float(emb1 @ emb2) / (np.linalg.norm(emb1) * np.linalg.norm(emb2))
    return (1 - p.gamma) * graph(L, imp1, imp2, km) + p.gamma * image
