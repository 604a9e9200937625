"""Readers of the four human-judgment layouts: round trips and row-numbered errors."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from semcom_alignment.ratings import (
    COLUMNS,
    RatingsError,
    detect_format,
    read_absolute,
    read_bapps,
    read_nights,
    read_ratings,
    read_triplets,
)


def _img(path: Path, value: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((8, 8, 3), value, np.uint8)).save(path)
    return path


@pytest.fixture
def images(tmp_path):
    for k in range(4):
        _img(tmp_path / "img" / f"a{k}.png", 40 * k)
    return tmp_path


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_absolute_round_trip_with_scale(images):
    f = _write(
        images / "ratings.csv",
        "ref,test,score,rater\nimg/a0.png,img/a1.png,5,r1\nimg/a0.png,img/a1.png,1,r2\n"
        "img/a0.png,img/a2.png,3,r1\n",
    )
    df = read_absolute(f, scale=(1, 5))
    assert list(df.columns) == COLUMNS
    assert df["score"].tolist() == [1.0, 0.0, 0.5]
    assert df["rater"].tolist() == ["r1", "r2", "r1"]
    assert df["row"].tolist() == [1, 2, 3]
    assert (df["kind"] == "absolute").all()
    assert df["ref"].iloc[0] == str(images / "img" / "a0.png")
    assert df["item"].nunique() == 2
    assert read_ratings(images, scale=(1, 5)).equals(df)
    assert detect_format(f) == "absolute"


def test_absolute_aggregated_rows_keep_n_raters(images):
    f = _write(images / "r.csv", "ref,test,score,n_raters\nimg/a0.png,img/a3.png,0.25,7\n")
    df = read_ratings(f)
    assert df["n_raters"].tolist() == [7.0] and df["rater"].tolist() == [""]


def test_absolute_errors_name_file_and_row(images):
    f = _write(
        images / "bad.csv",
        "ref,test,score,rater\n"
        "img/a0.png,img/a1.png,0.5,r1\n"  # 1 ok
        "img/a0.png,img/missing.png,0.5,r1\n"  # 2 missing image
        "img/a0.png,img/a2.png,1.5,r1\n"  # 3 out of range
        "img/a0.png,img/a1.png,0.9,r1\n"  # 4 conflicts with row 1
        "img/a0.png,img/a3.png,abc,r1\n",  # 5 not a number
    )
    with pytest.raises(RatingsError) as exc:
        read_absolute(f)
    lines = exc.value.problems
    assert len(lines) == 4
    assert f"{f}:2: test image not found" in lines[0]
    assert f"{f}:3: score 1.5 is outside" in lines[1]
    assert f"{f}:5: score 'abc'" in lines[2]
    assert f"{f}:4: duplicate judgment: conflicts with row 1" in lines[3]


def test_missing_column_is_reported(images):
    f = _write(images / "x.csv", "ref,test\nimg/a0.png,img/a1.png\n")
    with pytest.raises(RatingsError, match=r"x.csv:0: missing column\(s\) \['score'\]"):
        read_absolute(f)


def test_triplets_round_trip(images):
    f = _write(
        images / "triplets.csv",
        "ref,test0,test1,score0,score1,rater,choice\n"
        "img/a0.png,img/a1.png,img/a2.png,0.8,0.3,ann,0\n"
        "img/a0.png,img/a1.png,img/a2.png,0.6,0.7,bob,\n",
    )
    df = read_ratings(f)
    assert detect_format(images / "triplets.csv") == "triplets"
    assert len(df) == 4 and (df["kind"] == "triplet").all()
    assert df["slot"].tolist() == [0, 1, 0, 1]
    assert df["score"].tolist() == [0.8, 0.3, 0.6, 0.7]
    assert df["choice"].iloc[0] == 0 and math.isnan(df["choice"].iloc[2])
    assert df["test"].iloc[1].endswith("a2.png")
    assert df["item"].nunique() == 1


def test_triplets_errors(images):
    f = _write(
        images / "triplets.csv",
        "ref,test0,test1,score0,score1,choice\nimg/a0.png,img/a1.png,img/nope.png,0.8,-0.1,2\n",
    )
    with pytest.raises(RatingsError) as exc:
        read_triplets(f)
    text = str(exc.value)
    assert f"{f}:1: test1 image not found" in text
    assert f"{f}:1: choice '2'" in text
    assert f"{f}:1: score1 -0.1 is outside" in text


def _bapps(root: Path, judges: dict[str, float]) -> Path:
    for k, (stem, h) in enumerate(judges.items()):
        _img(root / "ref" / f"{stem}.png", 10 * k)
        _img(root / "p0" / f"{stem}.png", 10 * k + 5)
        _img(root / "p1" / f"{stem}.png", 10 * k + 9)
        (root / "judge").mkdir(exist_ok=True)
        np.save(root / "judge" / f"{stem}.npy", np.array([h]))
    return root


def test_bapps_round_trip(tmp_path):
    root = _bapps(tmp_path / "val", {"000000": 0.2, "000001": 1.0})
    df = read_ratings(root)
    assert detect_format(root) == "bapps"
    assert len(df) == 4 and (df["kind"] == "2afc").all()
    assert df.groupby("item")["p1"].first().sort_values().tolist() == [0.2, 1.0]
    assert df["test"].iloc[1] == str(root / "p1" / "000000.png")


def test_bapps_errors(tmp_path):
    root = _bapps(tmp_path / "val", {"000000": 1.4, "000001": 0.5})
    (root / "p1" / "000001.png").unlink()
    with pytest.raises(RatingsError) as exc:
        read_bapps(root)
    text = str(exc.value)
    assert "000000.npy:0: judge value 1.4 is outside [0, 1]" in text
    assert "000001.npy:0: triplet '000001' lacks ['p1']" in text


def _nights(root: Path, rows: list[tuple[float, int, str]]) -> Path:
    lines = ["id,left_vote,right_vote,votes,ref_path,left_path,right_path,split,is_imagenet,prompt"]
    for k, (rv, votes, split) in enumerate(rows):
        ref = _img(root / "ref" / "000" / f"{k:03d}.png", k)
        left = _img(root / "distort" / "000" / f"{k:03d}_0.png", k + 50)
        right = _img(root / "distort" / "000" / f"{k:03d}_1.png", k + 90)
        rel = [p.relative_to(root).as_posix() for p in (ref, left, right)]
        lines.append(f"{k},{1 - rv},{rv},{votes},{rel[0]},{rel[1]},{rel[2]},{split},False,a cat")
    (root / "data.csv").write_text("\n".join(lines) + "\n")
    return root


def test_nights_round_trip_and_split(tmp_path):
    root = _nights(tmp_path / "nights", [(1.0, 6, "test"), (0.0, 7, "train"), (0.5, 6, "test")])
    df = read_ratings(root)
    assert detect_format(root) == "nights"
    assert len(df) == 6
    assert df.groupby("row")["p1"].first().tolist() == [1.0, 0.0, 0.5]
    assert df.groupby("row")["n_raters"].first().tolist() == [6.0, 7.0, 6.0]
    test = read_nights(root, split="test")
    assert sorted(test["row"].unique()) == [1, 3]


def test_nights_errors(tmp_path):
    root = _nights(tmp_path / "nights", [(1.0, 6, "test"), (0.5, 6, "test")])
    text = (root / "data.csv").read_text().replace(",0.5,0.5,6,", ",0.2,1.5,0,")
    (root / "data.csv").write_text(text)
    (root / "distort" / "000" / "000_1.png").unlink()
    with pytest.raises(RatingsError) as exc:
        read_nights(root)
    lines = exc.value.problems
    csv = root / "data.csv"
    assert any(line.startswith(f"{csv}:1: right_path image not found") for line in lines)
    assert any(line.startswith(f"{csv}:2: right_vote '1.5'") for line in lines)
    assert any(line.startswith(f"{csv}:2: votes '0'") for line in lines)


def test_unknown_format_and_bad_scale(images):
    with pytest.raises(ValueError, match="unknown ratings format"):
        read_ratings(images / "x.csv", "csv")
    f = _write(images / "ratings.csv", "ref,test,score\nimg/a0.png,img/a1.png,1\n")
    with pytest.raises(ValueError, match="low < high"):
        read_absolute(f, scale=(5, 1))
    assert isinstance(read_ratings(images), pd.DataFrame)
