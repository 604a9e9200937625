"""Benchmark: many SeSS hyper-parameter sets over 500 cached graph pairs.

Vectorised path (:class:`seess.batch_score.BatchScorer`: what does not depend
on the parameters is computed once, each trial batches importance, matching
and the final score over all pairs) vs the public scorer
(:func:`seess.score.score_graphs`) called once per pair and trial. Synthetic
graphs (3-9 nodes, edge density 0.2), random parameter sets drawn from the
tuning ranges, both update modes. Prints both timings per trial, the ratio
and the max abs difference of the scores.

Run: ``.venv/bin/python benchmarks/bench_tune.py [--pairs 500] [--trials 6]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from seess.batch_score import BatchScorer
from seess.presets import SeSSParams
from seess.score import score_graphs
from semcom_alignment.synthetic import random_relation_sim, synthetic_pairs


def _params(rng: np.random.Generator) -> SeSSParams:
    return SeSSParams(
        alpha=float(rng.uniform()),
        beta=float(rng.uniform(0, 0.5)),
        gamma=float(rng.uniform(0, 0.5)),
        ite=int(rng.integers(1, 11)),
        k1=float(rng.uniform(0.5, 5.0)),
        k2=float(rng.uniform(0.5, 5.0)),
        k3=float(rng.uniform()),
        theta=float(rng.uniform(0, 0.5)),
        update=str(rng.choice(["synchronous", "in_place"])),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=500)
    ap.add_argument("--trials", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    R = random_relation_sim(rng)
    pairs, _ = synthetic_pairs(rng, max(1, args.pairs // 5), 5)
    pairs = pairs[: args.pairs]
    trials = [_params(rng) for _ in range(args.trials)]

    t0 = time.perf_counter()
    scorer = BatchScorer(pairs, R)
    t_setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    fast = [scorer.scores(p) for p in trials]
    t_fast = (time.perf_counter() - t0) / len(trials)

    t0 = time.perf_counter()
    slow = [np.array([score_graphs(a, b, R, p).score for a, b in pairs]) for p in trials]
    t_slow = (time.perf_counter() - t0) / len(trials)

    diff = max(float(np.abs(f - s).max()) for f, s in zip(fast, slow, strict=True))
    print(f"{len(pairs)} pairs, {len(trials)} trials")
    print(f"vectorised: setup {t_setup:.3f} s once, {t_fast * 1e3:.1f} ms per trial")
    print(f"public scorer per pair: {t_slow * 1e3:.1f} ms per trial")
    print(f"ratio (per trial): {t_slow / t_fast:.1f}x")
    print(
        f"ratio (incl. setup over these trials): {t_slow * len(trials) / (t_setup + t_fast * len(trials)):.1f}x"
    )
    print(f"max |difference|: {diff:.2e}")


if __name__ == "__main__":
    main()
