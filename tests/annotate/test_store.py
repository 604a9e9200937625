"""The study database: per-rater seeded orders, answers mapped to slots, durability, one server."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

import pytest

from semcom_annotate.store import AnswerError, ServerBusyError, Store, serving_lock


@pytest.fixture
def study(new_study):
    return new_study("--n", "10", "--identical", "1", "--repeat", "2")


def _order(store, rater):
    rows = [store.at(rater, k) for k in range(store.total())]
    return [(p.item_id, p.swapped) for p in rows]


def test_orders_are_seeded_per_rater(study, tmp_path):
    store = Store(study)
    alice, bob = store.add_rater("alice"), store.add_rater("bob")
    assert store.add_rater("alice") == alice  # signing in again resumes
    oa, ob = _order(store, alice), _order(store, bob)
    items = store.items()
    assert sorted(i for i, _ in oa) == sorted(i for i, _ in ob) == [it["id"] for it in items]
    assert oa != ob
    assert {s for _, s in oa + ob} == {False, True}  # sides swapped at random, recorded
    for order in (oa, ob):
        pos = {iid: k for k, (iid, _) in enumerate(order)}
        for it in items:
            if it["kind"] == "repeat":
                assert pos[it["id"]] > pos[it["repeat_of"]]
    # the same study seed and name give the same order in a fresh copy of the study
    copy = tmp_path / "copy"
    shutil.copytree(study, copy)
    with sqlite3.connect(copy / "study.sqlite") as conn:
        conn.execute("DELETE FROM orders")
        conn.execute("DELETE FROM raters")
    again = Store(copy)
    assert _order(again, again.add_rater("alice")) == oa
    with pytest.raises(ValueError, match="rater name"):
        store.add_rater("../bad")


def test_answers_map_sides_to_slots_once(study):
    store = Store(study)
    rater = store.add_rater("carol")
    swapped = next(k for k in range(store.total()) if store.at(rater, k).swapped)
    straight = next(k for k in range(store.total()) if not store.at(rater, k).swapped)
    for k in sorted((swapped, straight)):
        assert store.answer(rater, k, 2.0, 9.0, "left", elapsed_ms=1234)
    assert not store.answer(rater, swapped, 5.0, 5.0, None)  # a resent answer stores nothing
    rows = {a["position"]: a for a in store.answers()}
    assert len(rows) == 2
    assert (rows[straight]["score0"], rows[straight]["score1"], rows[straight]["closer"]) == (
        2,
        9,
        0,
    )
    assert (rows[swapped]["score0"], rows[swapped]["score1"], rows[swapped]["closer"]) == (9, 2, 1)
    assert rows[swapped]["elapsed_ms"] == 1234 and rows[swapped]["answered_at"]
    assert store.n_answered(rater) == 2
    first_open = min(set(range(store.total())) - {swapped, straight})
    assert store.current(rater).position == first_open
    with pytest.raises(AnswerError, match="no position"):
        store.answer(rater, 999, 1.0, 1.0, None)
    with pytest.raises(AnswerError, match="closer"):
        store.answer(rater, first_open, 1.0, 1.0, "middle")


def test_an_answer_is_committed_in_wal_mode_before_it_returns(study):
    store = Store(study)
    rater = store.add_rater("dave")
    store.answer(rater, 0, 3.0, 4.0, None)
    # another process sees it at once (no close, no checkpoint in between)
    code = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0],"
        " c.execute('SELECT COUNT(*) FROM answers').fetchone()[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(study / "study.sqlite")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["wal", "1"]


def test_one_server_per_study(study):
    with serving_lock(study), pytest.raises(ServerBusyError, match="already serving"):
        serving_lock(study).__enter__()
    with serving_lock(study):  # released on exit
        pass
