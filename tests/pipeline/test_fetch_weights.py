"""``semcom fetch-weights``: no dataset needed, says which config, where each file lives, real
config keys, fails fast offline (issue 15 finding 3)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from ..conftest import ROOT


def _semcom(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    home = tmp_path / "home"
    environ = {
        **os.environ,
        "HF_HOME": str(home / "hf"),  # an empty hub cache
        "SEESS_WEIGHTS": str(tmp_path / "weights"),
        "XDG_CACHE_HOME": str(home / "cache"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "semcom_pipeline.cli", "fetch-weights", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
        env=environ,
    )


def test_check_the_paper_config_without_coco(tmp_path):
    paper = yaml.safe_load((ROOT / "configs" / "paper.yaml").read_text())
    assert not Path(paper["sample"]["folder"]).exists()  # no COCO here: must not matter
    cfg = tmp_path / "paper_seess.yaml"
    cfg.write_text(yaml.safe_dump({**paper, "metrics": ["seess"]}))
    p = _semcom(tmp_path, "--config", str(cfg), "--check")
    assert p.returncode == 1, p.stderr
    assert f"config: {cfg}\n" in p.stdout
    lines = {
        line.split("]")[0].split("[")[-1]: line for line in p.stdout.splitlines() if "[" in line
    }
    assert "sam_vit_h_4b8939.pth" in lines["weights folder"]
    assert str(tmp_path / "weights") in lines["weights folder"]
    assert str(tmp_path / "home" / "hf") in lines["Hugging Face cache"]  # where it really lives
    assert "MISSING" in lines["weights folder"] and "MISSING" in lines["Hugging Face cache"]
    assert "metric_options.seess.clip_weights" in p.stderr and "needs no dataset" in p.stderr
    assert "Hugging Face cache" in p.stderr and "Traceback" not in p.stderr


def test_sizes_of_present_files_and_default_config_named(tmp_path):
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "sam_vit_h_4b8939.pth").write_bytes(b"\0" * 2_500_000)
    cfg = tmp_path / "sam_only.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "seed": 0,
                "sample": {"source": "bundled"},
                "metrics": ["seess"],
                "metric_options": {"seess": {"backend": "sess", "clip_weights": None}},
            }
        )
    )
    p = _semcom(tmp_path, "--config", str(cfg), "--check")
    assert p.returncode == 0, p.stderr
    assert "present     2.5 MB" in p.stdout and "[weights folder]" in p.stdout
    p = _semcom(tmp_path, "--check")
    assert p.returncode == 0
    assert "config: config.yaml (the default; --config checks another)" in p.stdout
    assert "needs no pretrained weights" in p.stdout


def test_offline_fetch_fails_fast_with_one_message(tmp_path):
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "sam_vit_h_4b8939.pth").write_bytes(b"\0")  # only CLIP to fetch
    cfg = tmp_path / "sess.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "seed": 0,
                "sample": {"source": "bundled"},
                "metrics": ["seess"],
                "metric_options": {"seess": {"backend": "sess"}},
            }
        )
    )
    # a hub endpoint that refuses connections: the machine is "offline"
    p = _semcom(tmp_path, "--config", str(cfg), HF_ENDPOINT="http://127.0.0.1:9")
    assert p.returncode == 1
    assert p.stdout.count("offline: cannot reach 127.0.0.1:9") == 1
    assert "fetching" not in p.stdout  # no download attempt, so no retries
    assert "MISSING" in p.stdout and "Traceback" not in p.stderr
