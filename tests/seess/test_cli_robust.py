"""The CLI checks everything before heavy imports, reports every metric, keeps partial results
(issue 15 finding 4, issue 18 "folder mode is all-or-nothing")."""

from __future__ import annotations

import csv
import json
import math
import os
import stat
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from semcom_pipeline.seess_cli import main

_PROBE = (
    "import sys, json; from semcom_pipeline.seess_cli import main; rc = main(json.loads(sys.argv[1])); "
    "print(json.dumps([rc, sorted(m for m in ('torch', 'torchvision', 'open_clip', 'timm') "
    "if m in sys.modules)]))"
)


@pytest.fixture
def pair(tmp_path, scenes):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    Image.fromarray(scenes["ref"]).save(a)
    Image.fromarray(scenes["replaced"]).save(b)
    return a, b


def _probe(argv: list[str]) -> tuple[int, list[str], str]:
    p = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(argv)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    rc, heavy = json.loads(p.stdout.strip().splitlines()[-1])
    return rc, heavy, p.stderr


def test_argument_errors_stop_before_torch_is_imported(pair, tmp_path):
    a, _ = pair
    cases = [
        (["score", str(a), str(tmp_path / "missing.png")], "missing.png: no such file"),
        (["score", str(a), str(a), "--metric", "nope"], "unknown metric 'nope'"),
        (["score", str(a), str(a), "--explain", str(tmp_path)], "is a directory"),
        (["score", str(a), str(a), "--explain", str(tmp_path / "e.jpg")], ".png or .pdf"),
        (
            ["score", "--ref", str(tmp_path), "--test", str(tmp_path), "--out", str(tmp_path)],
            "is a directory",
        ),
        (
            ["score", "--ref", str(tmp_path), "--test", str(tmp_path), "--out", "/sys/s.csv"],
            "cannot write in /sys",
        ),
        (["score", str(a), str(a), "--backend", "sess-lite", "--sam-model", "vit_b"], "only"),
    ]
    for argv, text in cases:
        rc, heavy, err = _probe(argv)
        assert rc == 2, (argv, err)
        assert heavy == [], (argv, heavy)  # checked before the model libraries load
        assert text in err and err.count("\n") == 1 and "Traceback" not in err, err


def test_json_for_any_metric(pair, capsys):
    a, b = pair
    assert main(["score", str(a), str(b), "--metric", "psnr", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    ref = np.asarray(Image.open(a), float)
    mse = np.mean((ref - np.asarray(Image.open(b), float)) ** 2)
    assert d["metrics"]["psnr"] == pytest.approx(10 * math.log10(255**2 / mse), rel=1e-6)
    assert d["errors"] == {} and d["reference"] == str(a)


def test_a_failing_metric_is_reported_beside_the_others(tmp_path, capsys):
    rng = np.random.default_rng(0)
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(a)
    Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(b)
    argv = ["score", str(a), str(b), "--metric", "psnr", "--metric", "ssim"]
    assert main([*argv, "--json"]) == 1
    out = capsys.readouterr()
    d = json.loads(out.out)
    assert d["metrics"]["psnr"] > 0 and math.isnan(d["metrics"]["ssim"])
    assert "too small" in d["errors"]["ssim"] and "ssim failed" in out.err
    assert main(argv) == 1
    lines = dict(line.split("\t") for line in capsys.readouterr().out.splitlines())
    assert float(lines["psnr"]) > 0 and lines["ssim"] == "nan"


def test_folder_mode_keeps_every_pair_that_scored(tmp_path, scenes, capsys):
    ref, test = tmp_path / "ref", tmp_path / "test"
    ref.mkdir()
    test.mkdir()
    for name, img in (("good", scenes["ref"]), ("other", scenes["different"])):
        Image.fromarray(img).save(ref / f"{name}.png")
        Image.fromarray(scenes["shifted"]).save(test / f"{name}.png")
    (ref / "broken.png").write_bytes(b"not a png at all")  # unreadable
    Image.fromarray(scenes["ref"]).save(test / "broken.png")
    Image.fromarray(scenes["ref"][:8, :8]).save(ref / "small.png")  # too small for SSIM
    Image.fromarray(scenes["ref"][:8, :8]).save(test / "small.png")
    out = tmp_path / "scores.csv"
    argv = ["score", "--ref", str(ref), "--test", str(test), "--out", str(out)]
    rc = main([*argv, "--metric", "psnr", "--metric", "ssim"])
    assert rc == 1
    err = capsys.readouterr().err
    rows = {(r["image"], r["metric"]): r for r in csv.DictReader(out.open())}
    assert len(rows) == 8
    for key in [("good", "psnr"), ("good", "ssim"), ("other", "psnr"), ("other", "ssim")]:
        assert rows[key]["error"] == "" and float(rows[key]["value"]) > 0
    assert float(rows[("small", "psnr")]["value"]) == math.inf  # identical: it scored
    assert (
        "too small" in rows[("small", "ssim")]["error"] and rows[("small", "ssim")]["value"] == ""
    )
    assert rows[("broken", "psnr")]["error"] and rows[("broken", "ssim")]["error"]
    assert str(ref / "broken.png") in err and str(ref / "small.png") in err  # names the files
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def test_readme_first_command_runs_offline_as_printed(pair, tmp_path, monkeypatch, capsys):
    import shlex

    from ..conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    first = next(line for line in readme.splitlines() if line.startswith("seess score "))
    argv = shlex.split(first.split("#")[0])
    assert argv[:4] == ["seess", "score", "a.png", "b.png"] and "sess-lite" in argv
    monkeypatch.chdir(tmp_path)  # a.png, b.png are the `pair` fixture's files
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(argv[1:]) == 0
    d = json.loads(capsys.readouterr().out)
    assert 0 < d["score"] < 1 and d["errors"] == {}
    out = argv[argv.index("--explain") + 1]
    with Image.open(tmp_path / out) as im:
        assert im.format == "PNG"
