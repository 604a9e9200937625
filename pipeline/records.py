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

__all__ = [
    "SCORE_COLUMNS",
    "TEXT_COLUMNS",
    "fmt_num",
    "read_json",
    "read_scores",
    "read_table",
    "write_json",
    "write_scores",
]

SCORE_COLUMNS = [
    "experiment",  # A | B | D
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


def fmt_num(x: float) -> str:
    """Compact, stable text for a grid value (used in file names and wildcards)."""
    return f"{float(x):g}"


def write_scores(path: str | os.PathLike, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write rows to CSV with :data:`SCORE_COLUMNS` (missing fields empty), atomically."""
    import pandas as pd

    df = pd.DataFrame(list(rows), columns=SCORE_COLUMNS)
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
