"""Image ids stay strings through the score table; every output follows the umask (issue 15.7)."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from semcom_core.fsutil import atomic_path, current_umask
from semcom_core.imageio import save_png
from semcom_pipeline.records import read_scores, read_table, score_row, write_scores
from semcom_pipeline.summary import summarize


@pytest.fixture
def umask():
    """Run the test under a given umask, then restore the old one."""
    old = os.umask(0o022)
    os.umask(old)

    def set_(mask: int) -> None:
        os.umask(mask)

    yield set_
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_atomic_writes_follow_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    assert current_umask() == mask
    with atomic_path(tmp_path / "a.txt") as tmp:
        tmp.write_text("x")
    assert _mode(tmp_path / "a.txt") == expected
    img = np.zeros((8, 8, 3), np.uint8)
    save_png(tmp_path / "b.png", img)
    assert _mode(tmp_path / "b.png") == expected
    rec = {"experiment": "A", "system": "s", "condition": "bpp=1", "decode_failed": False}
    write_scores(
        tmp_path / "s.csv", [score_row(rec, image="x", metric="psnr", value=1.0, backend="")]
    )
    assert _mode(tmp_path / "s.csv") == expected


def test_coco_ids_keep_their_leading_zeros(tmp_path):
    rec = {"experiment": "A", "system": "jpeg", "condition": "bpp=0.5", "decode_failed": False}
    rows = [
        score_row(rec | {"target_bpp": 0.5}, image=i, metric="psnr", value=v, backend="")
        for i, v in [("000000000632", 30.5), ("000000039769", 31.5), ("NA", 29.5)]
    ]
    write_scores(tmp_path / "s.csv", rows)
    assert "000000000632" in (tmp_path / "s.csv").read_text()
    df = read_table(tmp_path / "s.csv")
    assert list(df["image"]) == ["000000000632", "000000039769", "NA"]
    assert df["value"].dtype == float
    both = read_scores([tmp_path / "s.csv", tmp_path / "s.csv"])
    assert set(both["image"]) == {"000000000632", "000000039769", "NA"}
    summary = summarize(df)
    assert summary["mean"].iloc[0] == pytest.approx(30.5)
