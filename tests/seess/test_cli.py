"""The ``seess`` command line (pair, JSON, explanation and folder modes; errors)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from semcom_pipeline.seess_cli import main


@pytest.fixture
def files(tmp_path, scenes):
    paths = {}
    for k, v in scenes.items():
        paths[k] = tmp_path / f"{k}.png"
        Image.fromarray(v).save(paths[k])
    return paths


def test_pair_mode_prints_score(files, capsys):
    assert main(["score", str(files["ref"]), str(files["ref"]), "--backend", "sess-lite"]) == 0
    assert float(capsys.readouterr().out) == pytest.approx(1.0, abs=1e-6)


def test_pair_json_explain_and_extra_metric(files, tmp_path, capsys):
    out = tmp_path / "why.png"
    rc = main(
        [
            "score",
            str(files["ref"]),
            str(files["replaced"]),
            "--backend",
            "sess-lite",
            "--json",
            "--explain",
            str(out),
            "--metric",
            "seess",
            "--metric",
            "psnr",
        ]
    )
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    assert 0 < d["score"] < 1 and d["metrics"]["seess"] == d["score"] and d["metrics"]["psnr"] > 0
    assert d["backend"]["backend"] == "sess-lite" and d["assignment"]
    with Image.open(out) as im:
        assert im.format == "PNG"


def test_folder_mode_writes_tidy_csv(tmp_path, scenes, capsys):
    ref, test = tmp_path / "ref", tmp_path / "test"
    ref.mkdir()
    test.mkdir()
    for k in ("ref", "different"):
        Image.fromarray(scenes[k]).save(ref / f"{k}.png")
    Image.fromarray(scenes["shifted"]).save(test / "ref.jpg", quality=95)
    Image.fromarray(scenes["ref"]).save(test / "different.png")
    Image.fromarray(scenes["ref"]).save(test / "orphan.png")
    out = tmp_path / "scores.csv"
    rc = main(
        [
            "score",
            "--ref",
            str(ref),
            "--test",
            str(test),
            "--out",
            str(out),
            "--backend",
            "sess-lite",
            "--metric",
            "seess",
            "--metric",
            "psnr",
        ]
    )
    assert rc == 0
    assert "orphan" in capsys.readouterr().err
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 4 and {r["metric"] for r in rows} == {"seess", "psnr"}
    assert all(r["error"] == "" for r in rows)
    seess = {r["image"]: float(r["value"]) for r in rows if r["metric"] == "seess"}
    assert seess["ref"] > seess["different"]
    assert {r["metric_backend"] for r in rows if r["metric"] == "seess"} == {"sess-lite"}


@pytest.mark.parametrize(
    "argv, text",
    [
        (["score", "missing.png", "{ref}"], "missing.png"),
        (["score", "{ref}"], "exactly two images"),
        (["score", "{ref}", "{ref}", "--metric", "nope"], "unknown metric 'nope'"),
        (["score", "--ref", "{ref}", "--test", "{ref}", "--out", "x.csv"], "not a folder"),
        (["score", "{ref}", "{ref}", "--metric", "psnr", "--explain", "e.png"], "needs the seess"),
    ],
)
def test_errors_are_one_line_exit_2(files, capsys, argv, text):
    argv = [a.format(ref=files["ref"]) for a in argv]
    assert main([*argv, "--backend", "sess-lite"]) == 2
    err = capsys.readouterr().err
    assert text in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_weights_via_subprocess(files, tmp_path):
    env = {"HF_HUB_OFFLINE": "1", "SEESS_WEIGHTS": str(tmp_path), "PATH": "/usr/bin:/bin"}
    if "PYTHONPATH" in os.environ:  # a checkout run through PYTHONPATH, not an install
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "semcom_pipeline.seess_cli",
            "score",
            str(files["ref"]),
            str(files["ref"]),
        ],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert p.returncode == 2
    assert "sam_vit_h_4b8939.pth" in p.stderr and "Traceback" not in p.stderr
    # the exact offline command, ready to paste
    assert f"seess score {files['ref']} {files['ref']} --backend sess-lite" in p.stderr
