"""One row builder validated against the column schema; one naming of grid points."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

from semcom_pipeline.config import validate_config
from semcom_pipeline.grid import bpp_point, parse_point, point_value, snr_point, strength_point
from semcom_pipeline.plan import Plan
from semcom_pipeline.records import (
    SCORE_COLUMNS,
    RowError,
    condition_row,
    score_row,
    write_scores,
)

from ..conftest import TINY


def _record(**extra):
    return condition_row(
        experiment="A",
        system="jpeg",
        codec="jpeg",
        condition="bpp=0.5",
        decode_failed=False,
        **extra,
    )


def test_a_row_has_every_column_in_order():
    row = score_row(
        _record(achieved_bpp=0.49),
        image="000000000632",
        metric="psnr",
        value=31.5,
        backend="torchmetrics",
    )
    assert list(row) == SCORE_COLUMNS
    assert row["image"] == "000000000632" and row["achieved_bpp"] == 0.49
    assert row["snr_db"] is None  # not applicable to A: empty, not absent


def test_a_misspelled_field_is_an_error_not_a_silent_drop():
    with pytest.raises(RowError, match=r"unknown field\(s\) \['achieved_bp'\]"):
        _record(achieved_bp=0.49)


@pytest.mark.parametrize("missing", ["experiment", "system", "condition", "decode_failed"])
def test_a_missing_required_field_is_an_error(missing):
    fields = {"experiment": "A", "system": "jpeg", "condition": "bpp=0.5", "decode_failed": False}
    del fields[missing]
    with pytest.raises(RowError, match=rf"missing field\(s\) \['{missing}'\]"):
        condition_row(**fields)


def test_write_scores_refuses_a_row_not_built_by_the_builder(tmp_path):
    good = score_row(_record(), image="a", metric="psnr", value=1.0, backend="x")
    write_scores(tmp_path / "ok.csv", [good])
    assert list(pd.read_csv(tmp_path / "ok.csv").columns) == SCORE_COLUMNS
    with pytest.raises(RowError, match="unknown"):
        write_scores(tmp_path / "bad.csv", [{**good, "vlaue": 2.0}])
    partial = {k: v for k, v in good.items() if k != "metric_backend"}
    with pytest.raises(RowError, match="missing"):
        write_scores(tmp_path / "bad.csv", [partial])
    assert not (tmp_path / "bad.csv").exists()


def test_grid_points_round_trip():
    assert bpp_point(0.5) == "bpp=0.5" and bpp_point(1.0) == "bpp=1"
    assert snr_point(-2) == "snr=-2dB" and snr_point(16.0) == "snr=16dB"
    assert strength_point("color_filter", 0.30) == "color_filter=0.3"
    assert parse_point("snr=-2dB") == ("snr", -2.0)
    assert parse_point("rotation=15") == ("rotation", 15.0)
    assert math.isnan(point_value("snr4"))
    with pytest.raises(ValueError, match="not a grid point"):
        parse_point("bpp0.5")


def test_folders_and_rows_name_grid_points_alike():
    """The planner's folder token is the token the shard writes in its rows."""
    cfg = validate_config(yaml.safe_load(TINY.read_text()))
    conds = {exp: {c for e, _, c in Plan(cfg).shards() if e == exp} for exp in "ABD"}
    assert conds["A"] == {"bpp=0.5", "bpp=1"}
    assert conds["B"] == {"snr=2dB", "snr=16dB"}
    assert "rotation=15" in conds["D"] and "reflection=1" in conds["D"]
