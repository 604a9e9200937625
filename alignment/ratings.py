"""Human-judgment readers: four layouts into one tidy table.

Every reader returns a :class:`pandas.DataFrame` with one row per (judgment,
candidate image), columns :data:`COLUMNS`:

``kind``      ``absolute`` (a score per pair), ``triplet`` (the paper's Fig. 5:
              a reference, two candidates, a score for each) or ``2afc``
              (BAPPS / NIGHTS: which of two candidates is closer).
``source``    the file the row came from; ``row`` its row number there (1 =
              the first data row of a CSV; 0 for a BAPPS ``.npy`` file).
``item``      the judged item: ``ref|test`` for absolute pairs, ``ref|test0|test1``
              for triplets and 2AFC.
``ref``, ``test``  absolute image paths; ``slot`` 0 or 1, which candidate
              of a triplet ``test`` is (0 for absolute pairs).
``rater``     rater id (empty when the file has none).
``score``     similarity in [0, 1] (normalised from a declared scale), NaN for 2AFC.
``choice``    0 / 1: the candidate this rater found closer (NaN when not given).
``p1``        2AFC: fraction of raters preferring candidate 1 (NaN otherwise).
``n_raters``  raters behind an aggregated row (NaN when unknown).

Formats (paths in a CSV are relative to the CSV's folder):

* absolute: ``ratings.csv``, columns ``ref,test,score[,rater][,n_raters]``;
* paper triplets: ``triplets.csv``, ``ref,test0,test1,score0,score1[,rater][,choice]``;
* BAPPS 2AFC: a folder with ``ref/``, ``p0/``, ``p1/`` (images) and ``judge/``
  (``.npy``, fraction of humans preferring p1), same file stems;
* NIGHTS (DreamSim): ``data.csv`` with ``id, left_vote, right_vote, votes,
  ref_path, left_path, right_path[, split, ...]`` (``right_vote`` is the
  fraction of votes for the right image, ``votes`` their number).

Bad rows -- a missing image, a score or vote outside its range, an unreadable
number, a duplicate (rater, pair) with a conflicting score -- are all collected
and raised together as one :class:`RatingsError` whose lines read
``file:row: problem``. Nothing is dropped silently.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "COLUMNS",
    "FORMATS",
    "RatingsError",
    "detect_format",
    "read_absolute",
    "read_bapps",
    "read_nights",
    "read_ratings",
    "read_triplets",
]

COLUMNS = [
    "kind",
    "source",
    "row",
    "item",
    "ref",
    "test",
    "slot",
    "rater",
    "score",
    "choice",
    "p1",
    "n_raters",
]
FORMATS = ("absolute", "triplets", "bapps", "nights")
_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


class RatingsError(ValueError):
    """Bad human-ratings input; ``problems`` lists ``file:row: message`` lines."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        head = f"{len(problems)} problem(s) in the ratings:\n"
        shown = problems[:50]
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(head + "\n".join(shown) + more)


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, source: Path | str, row: int, msg: str) -> None:
        self.lines.append(f"{source}:{row}: {msg}")

    def raise_if_any(self) -> None:
        if self.lines:
            raise RatingsError(self.lines)


def _read_csv(path: Path, required: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: ratings file not found")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise RatingsError([f"{path}:0: not a readable CSV file ({exc})"]) from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise RatingsError([f"{path}:0: missing column(s) {missing}; found {list(df.columns)}"])
    return df


class _ImageCheck:
    """Resolves a path relative to a folder and remembers which files exist."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._seen: dict[str, bool] = {}

    def __call__(self, value: str) -> tuple[str, bool]:
        p = Path(value.strip()).expanduser()
        full = p if p.is_absolute() else self.base / p
        key = os.path.normpath(str(full))
        if key not in self._seen:
            self._seen[key] = os.path.isfile(key)
        return key, self._seen[key]


def _number(value: str) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _scaled(value: str, scale: tuple[float, float], what: str, add: Callable[[str], None]) -> float:
    x = _number(value)
    lo, hi = scale
    if x is None:
        add(f"{what} {value!r} is not a finite number")
        return math.nan
    if not lo <= x <= hi:
        add(f"{what} {x} is outside the declared scale [{lo}, {hi}]")
        return math.nan
    return (x - lo) / (hi - lo)


def _check_scale(scale: tuple[float, float]) -> tuple[float, float]:
    lo, hi = (float(v) for v in scale)
    if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
        raise ValueError(f"score scale must be (low, high) with low < high, got {scale}")
    return lo, hi


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("score", "choice", "p1", "n_raters"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    df["row"] = df["row"].astype(int)
    df["slot"] = df["slot"].astype(int)
    df["rater"] = df["rater"].fillna("").astype(str)
    return df


def _isnan(x: object) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _duplicates(df: pd.DataFrame, keys: list[str], values: list[str], problems: _Problems) -> None:
    """Report repeated keys: conflicting values or plain repeats, with both row numbers."""
    first: dict[tuple, tuple[int, tuple]] = {}
    for rec in df[["source", "row", *keys, *values]].itertuples(index=False):
        source, row = rec[0], rec[1]
        key = tuple(rec[2 : 2 + len(keys)])
        val = tuple(rec[2 + len(keys) :])
        if key in first:
            r0, v0 = first[key]
            same = all((a == b) or (_isnan(a) and _isnan(b)) for a, b in zip(val, v0, strict=True))
            what = "repeats" if same else "conflicts with"
            problems.add(source, row, f"duplicate judgment: {what} row {r0} ({key})")
        else:
            first[key] = (row, val)


def read_absolute(
    path: str | os.PathLike, *, scale: tuple[float, float] = (0.0, 1.0)
) -> pd.DataFrame:
    """Absolute scores ``ref,test,score[,rater][,n_raters]`` (see the module docstring).

    ``scale``: the declared score range, mapped linearly onto [0, 1].
    """
    path = Path(path)
    lo_hi = _check_scale(scale)
    df = _read_csv(path, ["ref", "test", "score"])
    check = _ImageCheck(path.parent)
    problems = _Problems()
    rows = []
    for i, rec in enumerate(df.to_dict("records"), start=1):

        def add(msg: str, i: int = i) -> None:
            problems.add(path, i, msg)

        ref, ok_r = check(rec["ref"])
        test, ok_t = check(rec["test"])
        for name, value, ok in (("ref", rec["ref"], ok_r), ("test", rec["test"], ok_t)):
            if not value.strip():
                add(f"empty {name} path")
            elif not ok:
                add(f"{name} image not found: {value}")
        n_raters = math.nan
        if rec.get("n_raters", "").strip():
            n = _number(rec["n_raters"])
            if n is None or n < 1 or n != int(n):
                add(f"n_raters {rec['n_raters']!r} is not a positive integer")
            else:
                n_raters = n
        rows.append(
            {
                "kind": "absolute",
                "source": str(path),
                "row": i,
                "item": f"{ref}|{test}",
                "ref": ref,
                "test": test,
                "slot": 0,
                "rater": rec.get("rater", "").strip(),
                "score": _scaled(rec["score"], lo_hi, "score", add),
                "choice": math.nan,
                "p1": math.nan,
                "n_raters": n_raters,
            }
        )
    out = _frame(rows)
    _duplicates(out, ["rater", "ref", "test"], ["score"], problems)
    problems.raise_if_any()
    return out


def read_triplets(
    path: str | os.PathLike, *, scale: tuple[float, float] = (0.0, 1.0)
) -> pd.DataFrame:
    """Paper triplets ``ref,test0,test1,score0,score1[,rater][,choice]``: two rows per line."""
    path = Path(path)
    lo_hi = _check_scale(scale)
    df = _read_csv(path, ["ref", "test0", "test1", "score0", "score1"])
    check = _ImageCheck(path.parent)
    problems = _Problems()
    rows = []
    for i, rec in enumerate(df.to_dict("records"), start=1):

        def add(msg: str, i: int = i) -> None:
            problems.add(path, i, msg)

        paths = {}
        for name in ("ref", "test0", "test1"):
            full, ok = check(rec[name])
            paths[name] = full
            if not rec[name].strip():
                add(f"empty {name} path")
            elif not ok:
                add(f"{name} image not found: {rec[name]}")
        choice = math.nan
        raw = rec.get("choice", "").strip()
        if raw:
            if raw not in ("0", "1"):
                add(f"choice {raw!r} must be 0, 1 or empty")
            else:
                choice = float(raw)
        item = f"{paths['ref']}|{paths['test0']}|{paths['test1']}"
        for slot in (0, 1):
            rows.append(
                {
                    "kind": "triplet",
                    "source": str(path),
                    "row": i,
                    "item": item,
                    "ref": paths["ref"],
                    "test": paths[f"test{slot}"],
                    "slot": slot,
                    "rater": rec.get("rater", "").strip(),
                    "score": _scaled(rec[f"score{slot}"], lo_hi, f"score{slot}", add),
                    "choice": choice,
                    "p1": math.nan,
                    "n_raters": math.nan,
                }
            )
    out = _frame(rows)
    _duplicates(out, ["rater", "item", "slot"], ["score", "choice"], problems)
    problems.raise_if_any()
    return out


def _two_afc_rows(
    source: str, row: int, item_paths: tuple[str, str, str], p1: float, n: float
) -> list[dict[str, Any]]:
    ref, t0, t1 = item_paths
    return [
        {
            "kind": "2afc",
            "source": source,
            "row": row,
            "item": f"{ref}|{t0}|{t1}",
            "ref": ref,
            "test": t,
            "slot": slot,
            "rater": "",
            "score": math.nan,
            "choice": math.nan,
            "p1": p1,
            "n_raters": n,
        }
        for slot, t in ((0, t0), (1, t1))
    ]


def read_bapps(folder: str | os.PathLike) -> pd.DataFrame:
    """A BAPPS 2AFC folder (``ref/``, ``p0/``, ``p1/``, ``judge/*.npy``), one item per stem.

    Every stem found in any of the four sub-folders must be present in all of
    them; a judge file must hold one number in [0, 1] (several numbers are averaged:
    BAPPS stores one value per triplet).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: BAPPS folder not found")
    subs = ("ref", "p0", "p1", "judge")
    missing = [s for s in subs if not (folder / s).is_dir()]
    if missing:
        raise RatingsError([f"{folder}:0: missing sub-folder(s) {missing} (need {list(subs)})"])
    files: dict[str, dict[str, Path]] = {}
    for s in subs:
        ext = (".npy",) if s == "judge" else _IMAGE_EXT
        files[s] = {p.stem: p for p in sorted((folder / s).iterdir()) if p.suffix.lower() in ext}
    stems = sorted(set().union(*(set(f) for f in files.values())))
    problems = _Problems()
    rows: list[dict[str, Any]] = []
    for stem in stems:
        absent = [s for s in subs if stem not in files[s]]
        if absent:
            problems.add(folder / "judge" / f"{stem}.npy", 0, f"triplet {stem!r} lacks {absent}")
            continue
        jpath = files["judge"][stem]
        try:
            judge = np.asarray(np.load(jpath, allow_pickle=False), dtype=np.float64).ravel()
        except (OSError, ValueError) as exc:
            problems.add(jpath, 0, f"unreadable judge file ({exc})")
            continue
        if judge.size == 0 or not np.all(np.isfinite(judge)):
            problems.add(jpath, 0, "judge value missing or not finite")
            continue
        p1 = float(judge.mean())
        if not 0.0 <= p1 <= 1.0:
            problems.add(jpath, 0, f"judge value {p1} is outside [0, 1]")
            continue
        paths = tuple(os.path.normpath(str(files[s][stem])) for s in ("ref", "p0", "p1"))
        rows += _two_afc_rows(str(jpath), 0, paths, p1, math.nan)  # type: ignore[arg-type]
    problems.raise_if_any()
    if not rows:
        raise RatingsError([f"{folder}:0: no triplets found"])
    return _frame(rows)


def read_nights(path: str | os.PathLike, *, split: str | None = None) -> pd.DataFrame:
    """NIGHTS ``data.csv`` (DreamSim): reference, left, right, ``right_vote``, ``votes``.

    ``path``: the CSV or the folder holding ``data.csv``. ``split``: keep only
    rows of that ``split`` (train / val / test); rows of other splits are not
    errors, they are simply not requested.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "data.csv"
    df = _read_csv(path, ["ref_path", "left_path", "right_path", "right_vote"])
    check = _ImageCheck(path.parent)
    problems = _Problems()
    if split is not None and "split" not in df.columns:
        raise RatingsError([f"{path}:0: split {split!r} requested but there is no split column"])
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(df.to_dict("records"), start=1):
        if split is not None and rec["split"].strip() != split:
            continue
        paths = []
        for name in ("ref_path", "left_path", "right_path"):
            full, ok = check(rec[name])
            paths.append(full)
            if not ok:
                problems.add(path, i, f"{name} image not found: {rec[name]}")
        p1 = _number(rec["right_vote"])
        if p1 is None or not 0.0 <= p1 <= 1.0:
            problems.add(path, i, f"right_vote {rec['right_vote']!r} must be a number in [0, 1]")
            p1 = math.nan
        if "left_vote" in rec and rec["left_vote"].strip():
            lv = _number(rec["left_vote"])
            if lv is None or (not math.isnan(p1) and abs(lv + p1 - 1.0) > 1e-6):
                problems.add(path, i, f"left_vote {rec['left_vote']!r} + right_vote must be 1")
        n = math.nan
        if "votes" in rec and rec["votes"].strip():
            v = _number(rec["votes"])
            if v is None or v < 1 or v != int(v):
                problems.add(path, i, f"votes {rec['votes']!r} is not a positive integer")
            else:
                n = v
        rows += _two_afc_rows(str(path), i, tuple(paths), p1, n)  # type: ignore[arg-type]
    out = _frame(rows)
    _duplicates(out, ["item", "slot"], ["p1"], problems)
    problems.raise_if_any()
    return out


def detect_format(path: str | os.PathLike) -> str:
    """Guess the format of ``path`` from its layout and CSV header."""
    p = Path(path)
    if p.is_dir():
        if all((p / s).is_dir() for s in ("ref", "p0", "p1", "judge")):
            return "bapps"
        if (p / "data.csv").is_file():
            return "nights"
        for name, fmt in (("ratings.csv", "absolute"), ("triplets.csv", "triplets")):
            if (p / name).is_file():
                return fmt
        raise ValueError(f"{p}: cannot tell the ratings format of this folder")
    if not p.is_file():
        raise FileNotFoundError(f"{p}: ratings not found")
    header = {c.strip() for c in p.open(encoding="utf-8", errors="replace").readline().split(",")}
    if {"ref_path", "left_path", "right_path"} <= header:
        return "nights"
    if {"test0", "test1", "score0", "score1"} <= header:
        return "triplets"
    if {"ref", "test", "score"} <= header:
        return "absolute"
    raise ValueError(f"{p}: cannot tell the ratings format from its header {sorted(header)}")


def read_ratings(
    path: str | os.PathLike,
    format: str = "auto",
    *,
    scale: tuple[float, float] = (0.0, 1.0),
    split: str | None = None,
) -> pd.DataFrame:
    """Read human judgments in any supported ``format`` (``auto`` guesses it)."""
    p = Path(path)
    fmt = detect_format(p) if format == "auto" else format
    if fmt not in FORMATS:
        raise ValueError(f"unknown ratings format {format!r}; known: auto, {', '.join(FORMATS)}")
    if fmt in ("absolute", "triplets") and p.is_dir():
        p = p / ("ratings.csv" if fmt == "absolute" else "triplets.csv")
    if fmt == "absolute":
        return read_absolute(p, scale=scale)
    if fmt == "triplets":
        return read_triplets(p, scale=scale)
    if fmt == "bapps":
        return read_bapps(p)
    return read_nights(p, split=split)
