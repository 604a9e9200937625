"""Tune SeSS's hyper-parameters on human judgments (Optuna), with hold-out by image group.

The scene graphs are built once per image (through the graph cache), so a
trial only re-runs importance, matching and the final score, for all judged
pairs at once (:class:`seess.batch_score.BatchScorer`).

Protocol (:func:`run_tuning`):

1. Items (judged pairs and triplets) are grouped into connected components of
   the "shares an image" relation and the components are dealt into ``k``
   folds, so no image is in both a training and a held-out set.
2. For each fold, an Optuna study (``<name>-fold<i>``) maximises the chosen
   agreement measure on the other folds; its best parameters, the ``paper``
   and the ``official`` presets are then measured on both the training and
   the held-out items.
3. A last study (``<name>-all``) on every item gives the parameters written
   as a preset file (:func:`write_preset`), which ``SeSS(preset=path)``, the
   ``seess`` CLI and ``metric_options.seess.preset`` accept.

Studies live in an Optuna storage (a SQLite file by default; any URL Optuna
accepts, e.g. PostgreSQL, so several processes or SLURM jobs can share one
study). Re-running continues each study (``load_if_exists``): ``n_trials``
more trials are added and the best trial so far is kept. The sampler is
``TPESampler(seed=seed + fold)``, so a fresh study with the same seed and data
repeats the same trials.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seess.batch_score import BatchScorer
from seess.presets import PRESETS, SeSSParams
from seess.scene import SceneGraph
from semcom_alignment.agreement import MEASURES, measure, two_afc

__all__ = [
    "SEARCH_SPACE",
    "TuneData",
    "TuneResult",
    "image_groups",
    "make_folds",
    "run_tuning",
    "storage_label",
    "write_preset",
]

# name -> (kind, low, high[, log]); categorical: (kind, choices)
SEARCH_SPACE: dict[str, tuple[Any, ...]] = {
    "alpha": ("float", 0.0, 1.0),
    "beta": ("float", 0.0, 1.0),
    "gamma": ("float", 0.0, 1.0),
    "ite": ("int", 0, 10),
    "k1": ("float", 0.25, 8.0, True),
    "k2": ("float", 0.25, 8.0, True),
    "k3": ("float", 0.0, 1.0),
    "theta": ("float", 0.0, 1.0),
    "update": ("categorical", ("synchronous", "in_place")),
}


@dataclass
class TuneData:
    """Human judgments over images whose scene graphs are known.

    pairs: ``ref, test, human`` (mean human score per pair; may be empty).
    triplets: ``ref, test0, test1, h`` (fraction preferring candidate 1; may be empty).
    graphs: image id (the paths used in the tables) -> :class:`SceneGraph`.
    relation_sim: ``(56, 56)`` relation similarity of the backend.
    """

    pairs: pd.DataFrame
    triplets: pd.DataFrame
    graphs: Mapping[str, SceneGraph]
    relation_sim: np.ndarray

    def __post_init__(self) -> None:
        if self.pairs is None or len(self.pairs) == 0:
            self.pairs = pd.DataFrame(columns=["ref", "test", "human"])
        if self.triplets is None or len(self.triplets) == 0:
            self.triplets = pd.DataFrame(columns=["ref", "test0", "test1", "h"])
        self.pairs = self.pairs.reset_index(drop=True)
        self.triplets = self.triplets.reset_index(drop=True)
        images = set(self.pairs["ref"]) | set(self.pairs["test"])
        for col in ("ref", "test0", "test1"):
            images |= set(self.triplets[col])
        missing = sorted(images - set(self.graphs))
        if missing:
            raise ValueError(f"no scene graph for {len(missing)} image(s), e.g. {missing[:3]}")

    @property
    def n_items(self) -> int:
        return len(self.pairs) + len(self.triplets)

    def item_images(self) -> list[list[str]]:
        """The images of each item: pairs first, then triplets."""
        out = [[r, t] for r, t in zip(self.pairs["ref"], self.pairs["test"], strict=True)]
        out += [
            [r, a, b]
            for r, a, b in zip(
                self.triplets["ref"], self.triplets["test0"], self.triplets["test1"], strict=True
            )
        ]
        return out

    def subset(self, items: np.ndarray) -> TuneData:
        """The items with these indices (pairs numbered first, then triplets)."""
        items = np.asarray(items, np.int64)
        n = len(self.pairs)
        return TuneData(
            self.pairs.iloc[items[items < n]],
            self.triplets.iloc[items[items >= n] - n],
            self.graphs,
            self.relation_sim,
        )

    def fingerprint(self) -> str:
        """Short hash of the judged items and human values (guards a resumed study)."""
        h = hashlib.sha256()
        h.update(self.pairs[["ref", "test", "human"]].to_csv(index=False).encode())
        h.update(self.triplets[["ref", "test0", "test1", "h"]].to_csv(index=False).encode())
        return h.hexdigest()[:16]


class _Evaluator:
    """One :class:`BatchScorer` over the pairs an item set needs, and the measure on it."""

    def __init__(self, data: TuneData, measure_name: str, logistic: int = 4) -> None:
        if measure_name not in MEASURES:
            raise ValueError(f"unknown agreement measure {measure_name!r}; known: {MEASURES}")
        if measure_name == "2afc" and data.triplets.empty:
            raise ValueError("measure 2afc needs triplet (2AFC) judgments; these ratings have none")
        if measure_name != "2afc" and data.pairs.empty:
            raise ValueError(f"measure {measure_name} needs pair scores; these ratings have none")
        self.measure_name = measure_name
        self.fn = measure(measure_name, logistic=logistic)
        keys: dict[tuple[str, str], int] = {}

        def key(r: str, t: str) -> int:
            return keys.setdefault((r, t), len(keys))

        if measure_name == "2afc":
            self.i0 = np.array([key(r, t) for r, t in zip(data.triplets.ref, data.triplets.test0)])
            self.i1 = np.array([key(r, t) for r, t in zip(data.triplets.ref, data.triplets.test1)])
            self.target = data.triplets["h"].to_numpy(np.float64)
        else:
            self.i0 = np.array([key(r, t) for r, t in zip(data.pairs.ref, data.pairs.test)])
            self.target = data.pairs["human"].to_numpy(np.float64)
        graphs = [(data.graphs[r], data.graphs[t]) for r, t in keys]
        self.scorer = BatchScorer(graphs, data.relation_sim)

    def __call__(self, params: SeSSParams) -> float:
        s = self.scorer.scores(params)
        if self.measure_name == "2afc":
            v = two_afc(s[self.i0], s[self.i1], self.target)
        else:
            v = self.fn(s[self.i0], self.target)
        return float(v)


def image_groups(items: Sequence[Sequence[str]]) -> np.ndarray:
    """Connected-component id of each item under "shares an image" (union-find)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for imgs in items:
        root = find(imgs[0])
        for other in imgs[1:]:
            r2 = find(other)
            if r2 != root:
                parent[r2] = root
    roots = [find(imgs[0]) for imgs in items]
    ids = {r: i for i, r in enumerate(dict.fromkeys(roots))}
    return np.array([ids[r] for r in roots], np.int64)


def make_folds(groups: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold (0..k-1) of each item; whole groups per fold, folds balanced by item count.

    Groups are shuffled with ``seed``, then dealt largest first to the fold
    with fewest items. Fewer groups than folds is an error.
    """
    groups = np.asarray(groups)
    uniq, counts = np.unique(groups, return_counts=True)
    if k < 2:
        raise ValueError(f"k-fold hold-out needs k >= 2, got {k}")
    if uniq.size < k:
        raise ValueError(
            f"only {uniq.size} independent image group(s) for {k} folds; "
            "hold-out by image needs at least one group per fold"
        )
    order = np.random.default_rng(seed).permutation(uniq.size)
    order = order[np.argsort(-counts[order], kind="stable")]
    load = np.zeros(k, np.int64)
    fold_of = {}
    for g in order:
        f = int(np.argmin(load))
        fold_of[uniq[g]] = f
        load[f] += counts[g]
    return np.array([fold_of[g] for g in groups], np.int64)


def _suggest(trial: Any, fixed: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for name, spec in SEARCH_SPACE.items():
        if name in fixed:
            out[name] = fixed[name]
        elif spec[0] == "float":
            out[name] = trial.suggest_float(name, spec[1], spec[2], log=len(spec) > 3 and spec[3])
        elif spec[0] == "int":
            out[name] = trial.suggest_int(name, spec[1], spec[2])
        else:
            out[name] = trial.suggest_categorical(name, list(spec[1]))
    return out


def storage_label(storage: str) -> str:
    """The storage URL without a password (for provenance)."""
    if "://" in storage and "@" in storage:
        scheme, rest = storage.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return storage


def _optimise(
    evaluator: _Evaluator,
    *,
    study_name: str,
    storage: str,
    seed: int,
    n_trials: int,
    fixed: Mapping[str, Any],
    base: SeSSParams,
    attrs: Mapping[str, Any],
    callbacks: Sequence[Callable[..., None]] = (),
    show_progress: bool = True,
) -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name=study_name,
        storage=None if storage == ":memory:" else storage,
        sampler=optuna.samplers.TPESampler(seed=seed),
        direction="maximize",
        load_if_exists=True,
    )
    for key, value in attrs.items():
        old = study.user_attrs.get(key)
        if old is None:
            study.set_user_attr(key, value)
        elif old != value:
            raise ValueError(
                f"study {study_name!r} in {storage_label(storage)} was run with {key}={old!r}, "
                f"now {value!r}; use another --name or storage to start a new study"
            )

    def objective(trial: Any) -> float:
        params = SeSSParams(**{**base.to_dict(), **_suggest(trial, fixed)})
        v = evaluator(params)
        return v if math.isfinite(v) else -1.0

    if n_trials > 0:
        study.optimize(
            objective,
            n_trials=n_trials,
            callbacks=list(callbacks),
            show_progress_bar=show_progress,
        )
    return study


def _best_params(study: Any, fixed: Mapping[str, Any], base: SeSSParams) -> SeSSParams:
    return SeSSParams(**{**base.to_dict(), **dict(fixed), **study.best_params})


@dataclass
class TuneResult:
    """Outcome of :func:`run_tuning`."""

    params: SeSSParams
    table: pd.DataFrame  # fold, params_set, split, measure, value, n_items
    studies: list[str]
    storage: str
    measure: str
    best_value: float
    n_trials: dict[str, int] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Mean over folds of each (params_set, split)."""
        t = self.table[self.table["fold"] != "all"]
        return t.groupby(["params_set", "split"], sort=False)["value"].agg(["mean", "std", "count"])


def _check_fixed(fixed: Mapping[str, Any], base: SeSSParams) -> None:
    """Fixed parameters must be searchable ones, with valid values."""
    unknown = sorted(set(fixed) - set(SEARCH_SPACE))
    if unknown:
        raise ValueError(f"unknown fixed parameter(s) {unknown}; known: {sorted(SEARCH_SPACE)}")
    SeSSParams(**{**base.to_dict(), **fixed})  # validate the fixed values now


def _storage_url(storage: str | os.PathLike) -> str:
    """An Optuna storage URL: ``:memory:`` and URLs as given, a path as ``sqlite:///path``."""
    url = str(storage)
    if url != ":memory:" and "://" not in url:
        Path(url).expanduser().parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def run_tuning(
    data: TuneData,
    *,
    measure_name: str = "srcc",
    k: int = 5,
    n_trials: int = 100,
    seed: int = 0,
    storage: str | os.PathLike = "seess_tune.db",
    name: str = "seess-tune",
    fixed: Mapping[str, Any] | None = None,
    base: SeSSParams | None = None,
    logistic: int = 4,
    callbacks: Sequence[Callable[..., None]] = (),
    show_progress: bool = True,
    references: Mapping[str, SeSSParams] | None = None,
) -> TuneResult:
    """Tune SeSS on ``data`` (see the module docstring for the protocol).

    Parameters
    ----------
    measure_name: ``srcc``, ``plcc``, ``krcc`` (pairs) or ``2afc`` (triplets).
    k: folds of the hold-out (0 or 1: no hold-out, only the study on all items).
    n_trials: trials added to each study by this call.
    storage: an Optuna storage URL, a file path used as ``sqlite:///path``, or
        ``:memory:`` (Optuna's in-memory storage: nothing kept, no resuming).
    name: study name prefix.
    fixed: parameters kept fixed (e.g. ``{"update": "synchronous"}``).
    base: parameters not searched (``crop``) come from it (default ``paper``).
    callbacks: passed to ``study.optimize`` (a callback raising
        KeyboardInterrupt interrupts the run like Ctrl-C).
    references: parameter sets measured beside the tuned one (default the
        ``paper`` and ``official`` presets).
    """
    refs = (
        dict(references)
        if references is not None
        else {"paper": PRESETS["paper"], "official": PRESETS["official"]}
    )
    fixed = dict(fixed or {})
    base = base or PRESETS["paper"]
    _check_fixed(fixed, base)
    if n_trials < 0:
        raise ValueError(f"n_trials must be >= 0, got {n_trials}")
    url = _storage_url(storage)
    attrs = {"measure": measure_name, "data": data.fingerprint(), "fixed": json.dumps(fixed)}
    rows = []
    counts: dict[str, int] = {}
    best_value = float("nan")

    def tuned(ev: _Evaluator, suffix: str, study_seed: int, extra: Mapping[str, Any]):
        """Run (or resume) one study; its best parameters."""
        nonlocal best_value
        study_name = f"{name}-{suffix}"
        study = _optimise(
            ev,
            study_name=study_name,
            storage=url,
            seed=study_seed,
            n_trials=n_trials,
            fixed=fixed,
            base=base,
            attrs={**attrs, **extra},
            callbacks=callbacks,
            show_progress=show_progress,
        )
        counts[study_name] = len(study.trials)
        best_value = float(study.best_value)
        return _best_params(study, fixed, base)

    def record(fold: str, split: str, ev: _Evaluator, best: SeSSParams, n: int) -> None:
        for label, p in (("tuned", best), *refs.items()):
            rows.append((fold, label, split, measure_name, ev(p), n))

    if k >= 2:
        folds = make_folds(image_groups(data.item_images()), k, seed)
        for f in range(k):
            train = data.subset(np.flatnonzero(folds != f))
            test = data.subset(np.flatnonzero(folds == f))
            ev_train = _Evaluator(train, measure_name, logistic)
            ev_test = _Evaluator(test, measure_name, logistic)
            best = tuned(ev_train, f"fold{f}", seed + f, {"fold": f, "k": k, "seed": seed})
            record(str(f), "train", ev_train, best, train.n_items)
            record(str(f), "held_out", ev_test, best, test.n_items)
    ev_all = _Evaluator(data, measure_name, logistic)
    best = tuned(ev_all, "all", seed + 1000, {"fold": "all"})
    record("all", "all", ev_all, best, data.n_items)
    table = pd.DataFrame(
        rows, columns=["fold", "params_set", "split", "measure", "value", "n_items"]
    )
    return TuneResult(
        params=best,
        table=table,
        studies=list(counts),
        storage=storage_label(url),
        measure=measure_name,
        best_value=best_value,
        n_trials=counts,
    )


def write_preset(
    path: str | os.PathLike, result: TuneResult, name: str, extra: Mapping[str, Any] | None = None
) -> Path:
    """Write the tuned parameters as a preset file (YAML, or JSON for a ``.json`` path).

    The file holds ``format: seess-preset/1``, ``name``, ``params`` and a
    ``provenance`` block (measure, studies, storage without password, train /
    held-out means). Written atomically.
    """
    from seess.presets import PRESET_FILE_FORMAT
    from semcom_core.fsutil import atomic_path

    summary = {
        f"{ps}/{split}": round(float(row["mean"]), 6)
        for (ps, split), row in result.summary().iterrows()
    }
    doc = {
        "format": PRESET_FILE_FORMAT,
        "name": name,
        "params": result.params.to_dict(),
        "provenance": {
            "tool": "seess tune",
            "measure": result.measure,
            "best_value_all_items": result.best_value,
            "studies": result.studies,
            "storage": result.storage,
            "trials": result.n_trials,
            "cross_validated_mean": summary,
            **dict(extra or {}),
        },
    }
    p = Path(path)
    with atomic_path(p) as tmp:
        if p.suffix.lower() == ".json":
            tmp.write_text(json.dumps(doc, indent=2) + "\n")
        else:
            import yaml

            tmp.write_text(yaml.safe_dump(doc, sort_keys=False))
    return p
