"""Building a study: candidates from a run's tree, seeded triplets, attention checks, study.yaml."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from semcom_annotate.cli import main
from semcom_annotate.store import Store
from semcom_annotate.study import (
    Scale,
    StudyError,
    build_items,
    collect_candidates,
    load_config,
)

from .conftest import CONDITIONS, NAMES


def test_candidates_of_a_run_skip_figures_and_scores(run_dir):
    cands = collect_candidates(run_dir)
    assert sorted(cands) == [f"originals/{n}.png" for n in sorted(NAMES)]
    for ref, cs in cands.items():
        stem = Path(ref).stem
        assert sorted(c.condition for c in cs) == sorted(CONDITIONS)
        assert all(Path(c.path).name == f"{stem}.png" for c in cs)
        assert not any(c.path.startswith("figures/") for c in cs)


def test_excluded_conditions_are_left_out(run_dir):
    cands = collect_candidates(run_dir, exclude=["A/*/bpp0.1", "D/*"])
    conds = {c.condition for cs in cands.values() for c in cs}
    assert conds == {"A/jpeg/bpp0.5", "B/deepjscc/snr0"}


def test_triplets_are_distinct_seeded_and_spread_over_conditions(run_dir):
    cands = collect_candidates(run_dir)
    items = build_items(cands, 12, seed=5)
    assert len(items) == 12 and all(it.kind == "main" for it in items)
    keys = {(it.ref, frozenset((it.test0, it.test1))) for it in items}
    assert len(keys) == 12
    for it in items:
        assert it.test0 != it.test1
        assert Path(it.test0).stem == Path(it.test1).stem == Path(it.ref).stem
    uses = Counter(c for it in items for c in (it.condition0, it.condition1))
    assert set(uses) == set(CONDITIONS)
    assert max(uses.values()) - min(uses.values()) <= 2
    assert build_items(cands, 12, seed=5) == items
    assert build_items(cands, 12, seed=6) != items
    # more than exist: every triplet once (3 originals x C(5, 2))
    assert len(build_items(cands, 1000, seed=0)) == len(build_items(cands, None, seed=0)) == 30


def test_attention_checks(run_dir):
    items = build_items(
        collect_candidates(run_dir), 6, seed=0, attention={"identical": 2, "repeat": 2}
    )
    kinds = Counter(it.kind for it in items)
    assert kinds == {"main": 6, "identical": 2, "repeat": 2}
    for it in items:
        if it.kind == "identical":
            assert it.ref in (it.test0, it.test1)
            assert "original" in (it.condition0, it.condition1)
        if it.kind == "repeat":
            main_item = items[it.repeat_of]
            assert main_item.kind == "main"
            assert (main_item.ref, main_item.test0, main_item.test1) == (it.ref, it.test0, it.test1)


def test_init_writes_a_complete_study(new_study):
    study = new_study("--n", "5", "--seed", "2", "--scale", "1", "5", "1", "--no-closer")
    cfg = load_config(study)
    assert cfg.scale == Scale(1, 5, 1) and cfg.scale.levels == 5
    assert cfg.seed == 2 and cfg.ask_closer is False
    assert (study / "study.sqlite").is_file()
    assert (study / "images" / "originals").is_dir()
    assert cfg.source["kind"] == "run" and cfg.source["n"] == 5


def test_bad_inputs_give_clear_errors(tmp_path, run_dir, capsys, new_study):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["init", str(tmp_path / "s1"), "--from-folder", str(empty)]) == 2
    assert "no images in originals/" in capsys.readouterr().err
    assert not (tmp_path / "s1").exists()

    lonely = tmp_path / "lonely"
    (lonely / "originals").mkdir(parents=True)
    coffee = (run_dir / "originals" / "coffee.png").read_bytes()
    (lonely / "originals" / "coffee.png").write_bytes(coffee)
    (lonely / "A").mkdir()
    (lonely / "A" / "coffee.png").write_bytes(coffee)  # one candidate only
    assert main(["init", str(tmp_path / "s2"), "--from-folder", str(lonely)]) == 2
    assert "no original has two candidates" in capsys.readouterr().err

    # an empty study folder is not a study
    assert main(["serve", str(empty)]) == 2
    assert "not a study folder (no study.yaml)" in capsys.readouterr().err

    # a study is never overwritten
    study = new_study("--n", "3")
    before = (study / "study.sqlite").read_bytes()
    assert main(["init", str(study), "--from-run", str(run_dir)]) == 2
    assert "already holds a study" in capsys.readouterr().err
    assert (study / "study.sqlite").read_bytes() == before


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"scale": {"min": 5, "max": 1}}, "must be larger than min"),
        ({"scale": {"min": 0, "max": 1, "step": 2}}, "step must lie in"),
        ({"colour": "red"}, "unknown keys"),
        ({"seed": "x"}, "seed must be an integer"),
        ({"attention": {"identical": -1}}, "non-negative integers"),
        ([1, 2], "expected a mapping"),
    ],
)
def test_bad_study_yaml(tmp_path, settings, message):
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(settings))
    with pytest.raises(StudyError, match=message):
        load_config(tmp_path)


def test_scale_checks_values():
    s = Scale(0, 10, 1)
    assert s.check(7) == 7.0 and s.normalise(7) == pytest.approx(0.7)
    with pytest.raises(StudyError, match="outside the scale"):
        s.check(11)
    with pytest.raises(StudyError, match="not on the scale's steps"):
        s.check(2.5)


def test_init_from_a_folder_takes_every_triplet(run_dir, tmp_path):
    folder = tmp_path / "mine"
    for sub in ("originals", "codec_x", "codec_y/strong", "codec_z"):
        (folder / sub).mkdir(parents=True)
        for name in ("chelsea", "coffee"):
            src = run_dir / "A" / "jpeg" / "bpp0.1" if sub != "originals" else run_dir / "originals"
            (folder / sub / f"{name}.png").write_bytes((src / f"{name}.png").read_bytes())
    study = tmp_path / "study"
    assert main(["init", str(study), "--from-folder", str(folder), "--identical", "0"]) == 0
    cfg = load_config(study)
    assert cfg.source["kind"] == "folder" and cfg.source["n"] is None
    items = Store(study).items()
    assert len([it for it in items if it["kind"] == "main"]) == 2 * 3  # 2 originals x C(3, 2)
    assert {it["condition0"] for it in items} | {it["condition1"] for it in items} == {
        "codec_x",
        "codec_y/strong",
        "codec_z",
    }
