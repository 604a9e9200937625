"""The tidy score table: one row per (experiment, image, condition, metric).

Every experiment writes rows with the same columns, so ``results/scores.csv``
is one long table that plots and summaries read without knowing who wrote it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from semcom_core.fsutil import atomic_path
from semcom_pipeline.grid import fmt_num

__all__ = [
    "RECORD_COLUMNS",
    "SCORE_COLUMNS",
    "TEXT_COLUMNS",
    "RowError",
    "check_row",
    "condition_row",
    "fmt_num",
    "read_json",
    "read_scores",
    "read_table",
    "score_row",
    "write_json",
    "write_scores",
]

SCORE_COLUMNS = [
    "experiment",  # A | B | C | D
    "image",  # image id
    "system",  # what produced the received image (codec, codec+link, transform)
    "codec",
    "condition",  # the grid point as text, e.g. "bpp=0.5", "snr=4dB", "rotation=15"
    "target_bpp",
    "achieved_bpp",
    "snr_db",
    "snr_def",  # Es/N0 or Eb/N0
    "modulation",
    "transform",
    "strength",
    "decode_failed",
    "metric",
    "value",
    "metric_backend",  # e.g. sess-lite, torchmetrics, lpips-alex
]


#: Columns that are names, never numbers: COCO ids such as ``000000000632`` keep their zeros.
TEXT_COLUMNS = ("experiment", "image", "system", "codec", "condition", "metric")


def read_table(path: str | os.PathLike):
    """Read a score or summary CSV with the name columns as text (``000000000632`` stays so)."""
    import pandas as pd

    # Only empty cells are missing: an image called "NA" or "null" keeps its name.
    return pd.read_csv(
        path, dtype={c: str for c in TEXT_COLUMNS}, keep_default_na=False, na_values=[""]
    )


#: The columns a shard's record fills (what produced the image); scoring adds the rest.
RECORD_COLUMNS = [
    c for c in SCORE_COLUMNS if c not in ("image", "metric", "value", "metric_backend")
]
#: Fields every record must set; the others are empty where they do not apply (A has no SNR).
_REQUIRED_RECORD = ("experiment", "system", "condition", "decode_failed")
_EXPERIMENTS = ("A", "B", "C", "D")


class RowError(ValueError):
    """A score row with an unknown or a missing field (the message names it)."""


def _unknown(fields: Mapping[str, Any], allowed: list[str], who: str) -> None:
    extra = sorted(set(fields) - set(allowed))
    if extra:
        raise RowError(f"{who}: unknown field(s) {extra}; the columns are {allowed}")


def condition_row(**fields: Any) -> dict[str, Any]:
    """The record part of a row (one image at one grid point), every record column present.

    ``experiment``, ``system``, ``condition`` and ``decode_failed`` are required;
    a field that is not a column (a typo) is an error; columns not given are ``None``.
    """
    _unknown(fields, RECORD_COLUMNS, "score row")
    missing = [k for k in _REQUIRED_RECORD if fields.get(k) is None]
    if missing:
        raise RowError(f"score row: missing field(s) {missing} in {fields}")
    if fields["experiment"] not in _EXPERIMENTS:
        raise RowError(f"score row: experiment must be one of {_EXPERIMENTS}, got {fields}")
    return {c: fields.get(c) for c in RECORD_COLUMNS}


def score_row(
    record: Mapping[str, Any], *, image: str, metric: str, value: float, backend: str
) -> dict[str, Any]:
    """A full row: a record (see :func:`condition_row`) plus the image and one metric value."""
    row = {**condition_row(**record), "image": image, "metric": metric, "value": value}
    row["metric_backend"] = backend
    return {c: row[c] for c in SCORE_COLUMNS}


def check_row(row: Mapping[str, Any]) -> None:
    """Raise :class:`RowError` unless ``row`` has exactly the columns of :data:`SCORE_COLUMNS`."""
    _unknown(row, SCORE_COLUMNS, "score row")
    missing = [c for c in SCORE_COLUMNS if c not in row]
    if missing:
        raise RowError(f"score row: missing field(s) {missing} (build rows with score_row)")


def write_scores(path: str | os.PathLike, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write rows (each with exactly :data:`SCORE_COLUMNS`, see :func:`check_row`) atomically."""
    import pandas as pd

    rows = list(rows)
    for row in rows:
        check_row(row)
    df = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, float_format="%.10g")
    return Path(path)


def read_scores(paths: Iterable[str | os.PathLike]):
    """Concatenate shard CSVs into one DataFrame with :data:`SCORE_COLUMNS`."""
    import pandas as pd

    frames = [read_table(p) for p in paths]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[SCORE_COLUMNS]


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")
    return Path(path)


def read_json(path: str | os.PathLike) -> Any:
    return json.loads(Path(path).read_text())
