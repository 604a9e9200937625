"""The stage profile (`semcom profile`): every stage timed, units counted from the plan."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from semcom_pipeline.cli import main
from semcom_pipeline.config import load_config
from semcom_pipeline.profile import STAGES, StageTimer, format_profile, profile_run, profile_table

TINY = Path(__file__).resolve().parents[1] / "data" / "config_tiny.yaml"


@pytest.fixture(scope="module")
def tiny_profile():
    cfg = load_config(TINY)
    timer, units, jobs = profile_run(cfg, n_images=1)
    return cfg, timer, units, jobs


def test_every_stage_is_timed_on_the_tiny_config(tiny_profile):
    _, timer, _, _ = tiny_profile
    for stage in STAGES:
        assert timer.units(stage) >= 1, stage
        assert timer.per_unit(stage) >= 0
    # the graph builder's calls are the ones timed (sess-lite embeds through embed_nodes)
    for stage in ("segment", "embed", "relations"):
        assert sum(timer.samples[stage]) > 0, stage
    # one image: 2 codec grid points (encode), 1 transmit, 5 transforms, 1 + 1 + 1 + 5 graphs
    assert timer.units("encode") == 1  # one codec in A, one bpp timed per image
    assert timer.units("transmit") == 1
    assert timer.units("transform") == 5
    assert timer.units("segment") == 1 + 1 + 1 + 5
    assert timer.units("match") == timer.units("baselines") == 1 + 1 + 5


def test_full_run_units_follow_the_plan(tiny_profile):
    _, _, units, jobs = tiny_profile
    # 2 images; A: 1 codec x 2 bpp, B: (adaptive + 16qam + deepjscc) x 2 SNRs, D: 5 x 2
    n, a, d = 2, 2, 10
    b = jobs["transmit"]
    assert b % 2 == 0 and b >= 2
    points = a + b + d
    assert units["encode"] == n * a
    assert units["transmit"] == n * b
    assert units["transform"] == n * d
    assert units["segment"] == n * (1 + points)
    assert units["match"] == units["baselines"] == n * points
    assert jobs["baselines"] == points


def test_table_shares_sum_to_one_and_format(tiny_profile):
    _, timer, units, jobs = tiny_profile
    rows = profile_table(timer, units, jobs)
    assert [r["stage"] for r in rows] == list(STAGES)
    assert math.isclose(sum(r["share"] for r in rows), 1.0, rel_tol=1e-9)
    for r in rows:
        expected = r["seconds_per_unit"] * r["full_units"] + r["setup_seconds"] * r["full_jobs"]
        assert math.isclose(r["full_seconds"], expected, rel_tol=1e-9, abs_tol=1e-12)
    text = format_profile(rows, "cpu")
    assert "extrapolated full run on cpu" in text
    assert all(s in text for s in STAGES)


def test_timer_median_and_setup():
    t = StageTimer()
    for s in (5.0, 1.0, 2.0, 3.0):
        t.add("segment", s)
    assert t.per_unit("segment") == 2.0  # median of the units after the first
    assert t.setup("segment") == 3.0
    with pytest.raises(ValueError, match="unknown stage"):
        t.add("segmentation", 1.0)


def test_cli_profile_rejects_zero_images(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["profile", "--config", str(TINY), "--images", "0"])
    assert exc.value.code == 2
    assert "--images: must be >= 1" in capsys.readouterr().err
