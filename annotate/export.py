"""Export a study's answers in the human-ratings formats read by ``seess agree`` / ``seess tune``.

``semcom annotate export STUDY --out DIR`` writes, in ``DIR`` (paths in the CSVs are relative to
``DIR``; the rated images are copied to ``DIR/images/``), scores normalised to [0, 1] from the
study's scale:

- ``ratings.csv``: ``ref,test,score,rater``, one row per (rater, pair) (a pair shown in several
  triplets gets the rater's mean);
- ``ratings_mean.csv``: ``ref,test,score,n_raters``, one row per pair (mean over raters);
- ``triplets.csv``: ``ref,test0,test1,score0,score1,rater,choice``, one row per answer (choice:
  0 / 1 which candidate the rater found closer, empty when not given);
- ``triplets_mean.csv``: ``ref,test0,test1,score0,score1,choice``, one row per triplet (mean
  scores; choice = the majority, empty on a tie or when nobody chose);
- ``attention.csv``: the attention checks, kept apart (never in the files above);
- ``answers.csv``: every answer as stored (raw scale, ``closer`` as a slot, ``swapped`` = test1
  was shown on the left, time on the screen, timestamp), attention checks included;
- ``summary.csv``: ``statistic,value,detail``: counts, Krippendorff's alpha (interval),
  split-half correlation (+ Spearman-Brown), attention-check pass rate per rater, raters left
  out by ``--min-attention``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from semcom_annotate.agreement import krippendorff_alpha_interval, split_half
from semcom_annotate.files import copy_file, write_text
from semcom_annotate.store import Store
from semcom_annotate.study import IMAGES_DIR, StudyConfig, StudyError, load_config

__all__ = ["export_study"]

#: attention-check thresholds on the [0, 1] scale
IDENTICAL_MIN = 0.8  # an image identical to the original scores at least this
REPEAT_MAX_DIFF = 0.2  # a repeated triplet's scores move by at most this


def _csv(path: Path, df: pd.DataFrame) -> None:
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format="%.6g", lineterminator="\n")
    write_text(path, buf.getvalue())


def _img(rel: str) -> str:
    return f"{IMAGES_DIR}/{rel}"


def _triplets(main: pd.DataFrame) -> pd.DataFrame:
    choice = main["closer"].map(lambda c: "" if pd.isna(c) else str(int(c)))
    return pd.DataFrame(
        {
            "ref": main["ref"].map(_img),
            "test0": main["test0"].map(_img),
            "test1": main["test1"].map(_img),
            "score0": main["s0"],
            "score1": main["s1"],
            "rater": main["rater"],
            "choice": choice,
        }
    )


def _majority(choices: pd.Series) -> str:
    votes = [int(c) for c in choices if c != ""]
    ones = sum(votes)
    zeros = len(votes) - ones
    return "" if ones == zeros else str(int(ones > zeros))


def _attention(att: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    rows = []
    by_key = {(r.rater, r.id): r for r in answers.itertuples()}
    for r in att.itertuples():
        if r.kind == "identical":
            slot = 0 if r.condition0 == "original" else 1
            value = r.s0 if slot == 0 else r.s1
            deviation = 1.0 - value
            passed = value >= IDENTICAL_MIN
        else:
            first = by_key.get((r.rater, r.repeat_of))
            if first is None:
                continue  # the original screen of this repeat is not answered yet
            deviation = max(abs(r.s0 - first.s0), abs(r.s1 - first.s1))
            passed = deviation <= REPEAT_MAX_DIFF
        rows.append(
            {
                "rater": r.rater,
                "kind": r.kind,
                "item": r.id,
                "ref": _img(r.ref),
                "test0": _img(r.test0),
                "test1": _img(r.test1),
                "score0": r.s0,
                "score1": r.s1,
                "deviation": deviation,
                "passed": bool(passed),
            }
        )
    cols = ["rater", "kind", "item", "ref", "test0", "test1", "score0", "score1"]
    return pd.DataFrame(rows, columns=[*cols, "deviation", "passed"])


def _summary(
    config: StudyConfig,
    ratings: pd.DataFrame,
    answers: pd.DataFrame,
    attention: pd.DataFrame,
    excluded: list[str],
) -> pd.DataFrame:
    wide = ratings.pivot_table(index="rater", columns=["ref", "test"], values="score")
    data = wide.to_numpy(dtype=np.float64) if len(wide) else np.zeros((0, 0))
    alpha = krippendorff_alpha_interval(data) if data.size else float("nan")
    r, sb, n_splits = split_half(data, seed=config.seed) if data.size else (np.nan, np.nan, 0)
    rows: list[dict[str, Any]] = [
        {"statistic": "n_raters", "value": answers["rater"].nunique(), "detail": "all raters"},
        {
            "statistic": "n_raters_exported",
            "value": ratings["rater"].nunique(),
            "detail": "in ratings.csv and the agreement below",
        },
        {"statistic": "n_answers", "value": len(answers), "detail": "all, attention included"},
        {
            "statistic": "n_pairs",
            "value": ratings[["ref", "test"]].drop_duplicates().shape[0],
            "detail": "(ref, test) pairs rated",
        },
        {"statistic": "scale_min", "value": config.scale.min, "detail": "exported as 0"},
        {"statistic": "scale_max", "value": config.scale.max, "detail": "exported as 1"},
        {
            "statistic": "krippendorff_alpha_interval",
            "value": alpha,
            "detail": "raters x (ref, test) pairs, scores in [0, 1]",
        },
        {
            "statistic": "split_half_r",
            "value": r,
            "detail": f"mean Pearson r of half-panel means over {n_splits} splits",
        },
        {
            "statistic": "split_half_spearman_brown",
            "value": sb,
            "detail": "2r / (1 + r): reliability of the full panel's mean",
        },
    ]
    for rater in excluded:
        rows.append({"statistic": "excluded_rater", "value": 1, "detail": rater})
    for rater, grp in attention.groupby("rater"):
        rows.append(
            {
                "statistic": "attention_pass_rate",
                "value": float(grp["passed"].mean()),
                "detail": f"{rater} ({int(grp['passed'].sum())} / {len(grp)})",
            }
        )
    return pd.DataFrame(rows, columns=["statistic", "value", "detail"])


def export_study(
    study: str | os.PathLike, out: str | os.PathLike, min_attention: float | None = None
) -> dict[str, Path]:
    """Write the export files of ``study`` into ``out``; returns {name: path}.

    ``min_attention``: leave out of the ratings and triplets files (and the agreement) every
    rater whose attention-check pass rate is below it (they stay in ``attention.csv``,
    ``answers.csv`` and are named in ``summary.csv``). Raises :class:`StudyError` when the study
    has no answers yet.
    """
    if min_attention is not None and not 0.0 <= min_attention <= 1.0:
        raise StudyError(f"min_attention must lie in [0, 1], got {min_attention}")
    study, out = Path(study), Path(out)
    config = load_config(study)
    answers = pd.DataFrame(Store(study).answers())
    if answers.empty:
        raise StudyError(f"{study}: no answers yet; nothing to export")
    if out.resolve() == study.resolve():
        raise StudyError("export into a folder other than the study folder")
    answers["s0"] = answers["score0"].map(config.scale.normalise)
    answers["s1"] = answers["score1"].map(config.scale.normalise)
    att = answers[answers["kind"] != "main"].reset_index(drop=True)
    attention = _attention(att, answers)
    excluded: list[str] = []
    if min_attention is not None and len(attention):
        rate = attention.groupby("rater")["passed"].mean()
        excluded = sorted(str(r) for r in rate[rate < min_attention].index)
    main = answers[(answers["kind"] == "main") & ~answers["rater"].isin(excluded)]
    main = main.reset_index(drop=True)
    if main.empty:
        raise StudyError(f"{study}: no answers left to export (excluded raters: {excluded})")

    long = pd.concat(
        [
            main[["rater", "ref", "test0", "s0"]].set_axis(
                ["rater", "ref", "test", "score"], axis=1
            ),
            main[["rater", "ref", "test1", "s1"]].set_axis(
                ["rater", "ref", "test", "score"], axis=1
            ),
        ]
    )
    long["ref"], long["test"] = long["ref"].map(_img), long["test"].map(_img)
    ratings = long.groupby(["ref", "test", "rater"], as_index=False)["score"].mean()
    ratings = ratings[["ref", "test", "score", "rater"]].sort_values(["rater", "ref", "test"])
    mean = ratings.groupby(["ref", "test"], as_index=False).agg(
        score=("score", "mean"), n_raters=("rater", "nunique")
    )
    triplets = _triplets(main)
    triplets_mean = triplets.groupby(["ref", "test0", "test1"], as_index=False, sort=True).agg(
        score0=("score0", "mean"), score1=("score1", "mean"), choice=("choice", _majority)
    )
    raw = answers[
        [
            "rater",
            "position",
            "id",
            "kind",
            "ref",
            "test0",
            "test1",
            "condition0",
            "condition1",
            "score0",
            "score1",
            "closer",
            "swapped",
            "elapsed_ms",
            "answered_at",
        ]
    ].rename(columns={"id": "item"})
    for col in ("ref", "test0", "test1"):
        raw[col] = raw[col].map(_img)
    for col in ("closer", "elapsed_ms"):
        raw[col] = raw[col].astype("Int64")

    written = {
        "ratings": out / "ratings.csv",
        "ratings_mean": out / "ratings_mean.csv",
        "triplets": out / "triplets.csv",
        "triplets_mean": out / "triplets_mean.csv",
        "attention": out / "attention.csv",
        "answers": out / "answers.csv",
        "summary": out / "summary.csv",
    }
    rels = set(main["ref"]) | set(main["test0"]) | set(main["test1"])
    for rel in tqdm(sorted(rels), desc="copying images", unit="image", leave=False):
        copy_file(study / IMAGES_DIR / rel, out / IMAGES_DIR / rel)
    _csv(written["ratings"], ratings)
    _csv(written["ratings_mean"], mean)
    _csv(written["triplets"], triplets)
    _csv(written["triplets_mean"], triplets_mean)
    _csv(written["attention"], attention)
    _csv(written["answers"], raw)
    _csv(written["summary"], _summary(config, ratings, answers, attention, excluded))
    return written
