"""Export: the ratings formats of the alignment reader, normalised scores, attention apart, summary."""

from __future__ import annotations

import os
import stat

import numpy as np
import pandas as pd
import pytest

from semcom_annotate.agreement import krippendorff_alpha_interval
from semcom_annotate.export import export_study
from semcom_annotate.store import Store
from semcom_annotate.study import StudyError

RATERS = {"ann": 0, "ben": 1, "cy": -1}  # offsets on the 1..5 scale


TRUTH = {"bpp0.1": 2, "bpp0.5": 4, "deepjscc": 3, "rotation": 3, "reflection": 4}


def _truth(test: str) -> int:
    """A fixed 'true' score per candidate condition on the 1..5 scale (5: the original)."""
    return next((v for k, v in TRUTH.items() if f"/{k}/" in test), 5)


@pytest.fixture(scope="module")
def answered(run_dir, tmp_path_factory):
    """A 1..5 study answered by three raters with known scores (cy fails the identical check)."""
    from semcom_annotate.cli import main

    study = tmp_path_factory.mktemp("export") / "study"
    args = ["init", str(study), "--from-run", str(run_dir), "--n", "8", "--scale", "1", "5", "1"]
    assert main([*args, "--identical", "1", "--repeat", "1"]) == 0
    store = Store(study)
    given = {}
    for name, offset in RATERS.items():
        rater = store.add_rater(name)
        for k in range(store.total()):
            pos = store.at(rater, k)
            item = store.item(pos.item_id)
            s = [min(5, max(1, _truth(item[t]) + offset)) for t in ("test0", "test1")]
            if item["kind"] == "identical" and name == "cy":
                s = [1, 1]
            closer = None if k % 3 == 0 else ("left" if k % 3 == 1 else "right")
            left, right = (s[1], s[0]) if pos.swapped else (s[0], s[1])
            assert store.answer(rater, k, left, right, closer)
            given[(name, pos.item_id)] = (s, closer, pos.swapped)
    return study, store, given


def test_export_files_and_formats(answered, tmp_path):
    study, store, given = answered
    old = os.umask(0o027)
    try:
        written = export_study(study, tmp_path / "out")
    finally:
        os.umask(old)
    for path in written.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o640  # follows the umask
    items = {it["id"]: it for it in store.items()}
    main_ids = [i for i, it in items.items() if it["kind"] == "main"]

    ratings = pd.read_csv(written["ratings"])
    assert list(ratings.columns) == ["ref", "test", "score", "rater"]
    assert ratings["score"].between(0, 1).all()
    want: dict[tuple, list] = {}
    for (name, iid), (s, _, _) in given.items():
        if iid in main_ids:
            for slot in (0, 1):
                key = (name, "images/" + items[iid]["ref"], "images/" + items[iid][f"test{slot}"])
                want.setdefault(key, []).append((s[slot] - 1) / 4)
    got = {(r.rater, r.ref, r.test): r.score for r in ratings.itertuples()}
    assert got == pytest.approx({k: float(np.mean(v)) for k, v in want.items()})
    assert not any(r.test == r.ref for r in ratings.itertuples())  # attention kept apart

    mean = pd.read_csv(written["ratings_mean"])
    assert list(mean.columns) == ["ref", "test", "score", "n_raters"]
    assert (mean["n_raters"] == 3).all()
    assert len(mean) == len(ratings) / 3

    trip = pd.read_csv(written["triplets"], keep_default_na=False)
    assert list(trip.columns) == ["ref", "test0", "test1", "score0", "score1", "rater", "choice"]
    assert len(trip) == 3 * len(main_ids)
    for t in trip.itertuples():
        iid = next(
            i
            for i in main_ids
            if "images/" + items[i]["test0"] == t.test0
            and "images/" + items[i]["test1"] == t.test1
            and "images/" + items[i]["ref"] == t.ref
        )
        s, closer, swapped = given[(t.rater, iid)]
        assert (t.score0, t.score1) == pytest.approx(((s[0] - 1) / 4, (s[1] - 1) / 4))
        slot = None if closer is None else int((closer == "right") ^ swapped)
        assert t.choice == ("" if slot is None else str(slot))
        assert (tmp_path / "out" / t.ref).is_file()

    tm = pd.read_csv(written["triplets_mean"], keep_default_na=False)
    assert list(tm.columns) == ["ref", "test0", "test1", "score0", "score1", "choice"]
    assert len(tm) == len(main_ids)


def test_attention_and_summary(answered, tmp_path):
    study, _, _ = answered
    written = export_study(study, tmp_path / "out")
    att = pd.read_csv(written["attention"])
    assert sorted(att["kind"]) == ["identical"] * 3 + ["repeat"] * 3
    passed = {(r.rater, r.kind): r.passed for r in att.itertuples()}
    assert not passed[("cy", "identical")]
    assert all(passed[(n, "identical")] for n in ("ann", "ben"))
    assert all(passed[(n, "repeat")] for n in RATERS)  # same scores both times

    summary = pd.read_csv(written["summary"]).set_index("statistic")
    ratings = pd.read_csv(written["ratings"])
    matrix = ratings.pivot_table(index="rater", columns=["ref", "test"], values="score").to_numpy()
    alpha = float(summary.loc["krippendorff_alpha_interval", "value"])
    assert alpha == pytest.approx(krippendorff_alpha_interval(matrix), abs=1e-5)
    krippendorff = pytest.importorskip("krippendorff")
    ref = krippendorff.alpha(matrix, level_of_measurement="interval")
    assert alpha == pytest.approx(ref, abs=1e-5)
    assert 0.0 < alpha < 1.0
    assert float(summary.loc["split_half_r", "value"]) > 0.5
    assert int(summary.loc["n_raters", "value"]) == 3
    rates = summary.loc["attention_pass_rate"]
    assert sorted(rates["value"].astype(float)) == [0.5, 1.0, 1.0]


def test_raters_failing_attention_checks_can_be_left_out(answered, tmp_path):
    study, _, _ = answered
    written = export_study(study, tmp_path / "out", min_attention=0.75)
    assert set(pd.read_csv(written["ratings"])["rater"]) == {"ann", "ben"}
    assert set(pd.read_csv(written["triplets"])["rater"]) == {"ann", "ben"}
    assert (pd.read_csv(written["ratings_mean"])["n_raters"] == 2).all()
    assert set(pd.read_csv(written["attention"])["rater"]) == set(RATERS)  # still reported
    summary = pd.read_csv(written["summary"])
    assert summary[summary["statistic"] == "excluded_rater"]["detail"].tolist() == ["cy"]
    assert summary.set_index("statistic").loc["n_raters_exported", "value"] == 2
    with pytest.raises(StudyError, match="min_attention"):
        export_study(study, tmp_path / "o2", min_attention=2)


def test_export_refuses_the_study_folder_itself(answered):
    study, _, _ = answered
    with pytest.raises(StudyError, match="other than the study folder"):
        export_study(study, study)
