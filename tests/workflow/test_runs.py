"""Configs mean what they say, and each run has its own folder (issue 15, findings 1 and 2)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
import yaml

from semcom_pipeline.config import ConfigError, load_config, run_dir, validate_config

from ..conftest import ROOT, snakemake_cmd

ONLY_A = {
    "seed": 0,
    "run_name": "only_a",
    "sample": {"source": "bundled", "count": 1, "max_side": 64},
    "metrics": ["psnr"],
    "experiments": {"A": {"codecs": ["jpeg"], "bpp": [0.5]}},
}
SECOND = {
    "seed": 1,
    "run_name": "second",
    "sample": {"source": "bundled", "count": 1, "max_side": 64},
    "metrics": ["psnr"],
    "experiments": {"D": {"transforms": {"rotation": [0, 10]}}},
}


def _run(workdir: Path, config: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = snakemake_cmd(workdir, config, "--cores", "2", *args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)


def _write(path: Path, cfg: dict) -> Path:
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_only_the_named_experiments_run():
    cfg = validate_config(ONLY_A)
    assert cfg["experiments"]["A"]["enabled"]
    assert not cfg["experiments"]["B"]["enabled"]
    assert not cfg["experiments"]["D"]["enabled"]
    # a named block runs unless it says otherwise; no experiments key: the schema's A and D
    assert validate_config({**ONLY_A, "experiments": {"B": {}}})["experiments"]["B"]["enabled"]
    default = validate_config({k: v for k, v in ONLY_A.items() if k != "experiments"})
    assert [e for e in "ABD" if default["experiments"][e]["enabled"]] == ["A", "D"]


def test_base_merges_explicitly(tmp_path):
    _write(tmp_path / "base.yaml", {**ONLY_A, "metric_options": {"ms_ssim": {"small_images": 0}}})
    mine = _write(tmp_path / "mine.yaml", {"base": "base.yaml", "run_name": "mine", "seed": 3})
    cfg = load_config(mine)
    assert (cfg["run_name"], cfg["seed"], cfg["metrics"]) == ("mine", 3, ["psnr"])
    assert cfg["metric_options"] == {"ms_ssim": {"small_images": 0}}
    _write(tmp_path / "loop.yaml", {"base": "loop.yaml"})
    with pytest.raises(ConfigError, match="itself"):
        load_config(tmp_path / "loop.yaml")
    with pytest.raises(ConfigError, match="nope.yaml"):
        load_config(_write(tmp_path / "bad.yaml", {"base": "nope.yaml"}))


def test_paper_config_inherits_nothing_from_config_yaml():
    paper = yaml.safe_load((ROOT / "configs" / "paper.yaml").read_text())
    paper["sample"] = {"source": "bundled"}  # no COCO on a test machine
    cfg = validate_config(paper)
    assert "ms_ssim" not in cfg["metric_options"]  # config.yaml's small_images: nan stays there
    assert run_dir(cfg) == "results/paper"


def test_run_names_cannot_take_the_shared_folders():
    for bad in ("cache", "logs", "../x", ""):
        with pytest.raises(ConfigError, match="run_name"):
            validate_config({**ONLY_A, "run_name": bad})


def test_a_config_asking_only_for_a_runs_only_a(tmp_path, job_stats):
    # a config.yaml in the working directory is the default run only, not a base layer
    _write(tmp_path / "config.yaml", {**SECOND, "metrics": ["ssim"]})
    proc = _run(tmp_path, _write(tmp_path / "only_a.yaml", ONLY_A), "-n", "--quiet", "rules")
    assert proc.returncode == 0, proc.stderr[-3000:]
    jobs = job_stats(proc.stdout + proc.stderr)
    assert jobs.get("compress") == 1 and jobs.get("score") == 1, jobs
    assert "transform" not in jobs and "transmit" not in jobs, jobs


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_second_run_leaves_the_first_untouched(tmp_path):
    first = _run(tmp_path, _write(tmp_path / "first.yaml", {**ONLY_A, "run_name": "first"}))
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-4000:]
    before = _snapshot(tmp_path / "results")
    assert "first/config.yaml" in before and "first/scores.csv" in before
    proc = _run(tmp_path, _write(tmp_path / "second.yaml", SECOND))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    out = tmp_path / "results" / "second"
    for name in ("config.yaml", "scores.csv", "summary.csv", "figures/fig17_rotation.png"):
        assert (out / name).is_file(), name
    after = _snapshot(tmp_path / "results")
    assert {k: v for k, v in after.items() if not k.startswith("second/")} == before
    effective = yaml.safe_load((out / "config.yaml").read_text())
    assert effective["run_name"] == "second" and not effective["experiments"]["A"]["enabled"]
    # the report of the first run (not the latest), from its effective config alone
    cfg = tmp_path / "results" / "first" / "config.yaml"
    report = tmp_path / "results" / "first" / "report.html"
    proc = _run(tmp_path, cfg, "--report", str(report))
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = report.read_text(errors="replace")
    assert "fig08_codecs_vs_bpp" in html and "summary.csv" in html and "config.yaml" in html
    assert "fig17_rotation" not in html
