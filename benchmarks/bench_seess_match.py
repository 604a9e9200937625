"""Benchmark: vectorised SeSS iterate + graph score vs the plain loop oracle.

Random graphs of 10, 30 and 60 nodes with ~10% edge density, the ``paper``
settings (alpha .25, beta .05, ite 7), both update modes. The oracle uses
scipy's KM per pair (as the authors' demo does). Prints per size: both
timings, their ratio and the max abs difference of the final L and the
graph score.

Run: ``.venv/bin/python benchmarks/bench_seess_match.py [--sizes 10 30 60] [--repeats 7]``
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np

from seess.match import graph_score, iterate_similarity

_ORACLE = Path(__file__).resolve().parents[1] / "tests" / "seess_core" / "oracle.py"


def _load_oracle():
    spec = importlib.util.spec_from_file_location("seess_oracle", _ORACLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _edges(n: int, density: float, rng: np.random.Generator) -> np.ndarray:
    mask = (rng.random((n, n)) < density) & ~np.eye(n, dtype=bool)
    s, o = np.nonzero(mask)
    return np.stack([s, o, rng.integers(0, 56, size=s.size)], axis=1).astype(np.int64)


def _case(n: int, rng: np.random.Generator):
    t = rng.normal(size=(56, 6)) + 2.0
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    R = t @ t.T
    L0 = rng.uniform(0.2, 1.0, size=(n, n))
    imp1, imp2 = rng.random(n), rng.random(n)
    return L0, _edges(n, 0.1, rng), _edges(n, 0.1, rng), R, imp1 / imp1.sum(), imp2 / imp2.sum()


def _vectorised(case, update, alpha=0.25, beta=0.05, ite=7):
    L0, e1, e2, R, imp1, imp2 = case
    L = iterate_similarity(L0, e1, e2, R, imp1, imp2, alpha, beta, ite, update)
    return L, graph_score(L, imp1, imp2)[0]


def _reference(oracle, case, update, alpha=0.25, beta=0.05, ite=7):
    L0, e1, e2, R, imp1, imp2 = case
    L = oracle.iterate(L0, e1, e2, R, imp1, imp2, alpha, beta, ite, update, km=oracle.km_scipy)
    return L, oracle.graph(L, imp1, imp2, km=oracle.km_scipy)


def _best_time(fn, repeats: int, *args):
    best, out = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 60])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    oracle = _load_oracle()
    print(
        f"{'n':>4} {'update':>12} {'edges':>11} {'oracle_s':>9} {'vector_s':>9} "
        f"{'ratio':>7} {'max|dL|':>9} {'|dscore|':>9}"
    )
    for n in args.sizes:
        case = _case(n, np.random.default_rng(args.seed + n))
        m1, m2 = len(case[1]), len(case[2])
        for update in ("synchronous", "in_place"):
            t_vec, (Lv, sv) = _best_time(_vectorised, args.repeats, case, update)
            t_ref, (Lr, sr) = _best_time(
                _reference, 1 if n > 30 else args.repeats, oracle, case, update
            )
            print(
                f"{n:>4} {update:>12} {m1:>5}/{m2:<5} {t_ref:>9.3f} {t_vec:>9.4f} "
                f"{t_ref / t_vec:>6.1f}x {np.abs(Lv - Lr).max():>9.1e} {abs(sv - sr):>9.1e}"
            )


if __name__ == "__main__":
    main()
