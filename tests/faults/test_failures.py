"""A job that raises is reported with its image and job, every other result kept; an unwritable
results folder stops the run before any job."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from seess.graph import image_hash

from ..conftest import TINY
from .conftest import env, run, stray_files

pytestmark = pytest.mark.timeout(5400)  # the shared tiny run may be built here, under load


@pytest.fixture
def tiny_copy(tiny_run, tmp_path) -> Path:
    """A private copy of the complete run (timestamps and Snakemake metadata kept)."""
    dst = tmp_path / "copy"
    shutil.copytree(tiny_run, dst, symlinks=True)
    return dst


def test_a_metric_that_throws_on_one_image_is_reported_and_the_rest_kept(tiny_copy, tmp_path):
    results = tiny_copy / "results"
    victim_dir = results / "D" / "rotation" / "rotation=15"
    victim_png = min(victim_dir.glob("*.png"))
    victim = victim_png.stem
    sha = image_hash(np.asarray(Image.open(victim_png).convert("RGB")))
    cfg = yaml.safe_load(TINY.read_text())
    cfg["metrics"] = ["psnr", "fail_on_image"]
    cfg["metric_options"] = {"fail_on_image": {"image_sha": [sha]}}
    configfile = tmp_path / "faulty.yaml"
    configfile.write_text(yaml.safe_dump(cfg))
    failing = results / "D" / "scores" / "rotation" / "rotation=15.csv"
    others = [
        results / "D" / "scores" / "rotation" / "rotation=0.csv",
        results / "A/scores/jpeg/bpp=0.5.csv",
    ]
    for shard in (failing, *others):
        shard.unlink()
    kept = {
        p: p.stat().st_mtime_ns
        for p in results.rglob("*")
        if p.is_file() and p not in (failing, *others) and "logs" not in p.parts
    }
    proc = run(
        tiny_copy,
        "--keep-going",
        "--rerun-triggers",
        "mtime",
        configfile=configfile,
        env=env(SEMCOM_PLUGINS="semcom_fault_plugin"),
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Error in rule score" in out, out[-3000:]
    assert "D/scores/rotation/rotation=15.csv" in out  # the failed job, by its output
    job_log = (results / "logs" / "score" / "D" / "rotation" / "rotation=15.log").read_text()
    assert f"metric 'fail_on_image' failed on image '{victim}'" in job_log + out
    assert "injected failure" in job_log + out
    assert not failing.exists()
    for shard in others:  # the other jobs ran (keep-going) and wrote whole tables
        assert shard.exists() and len(shard.read_text().splitlines()) > 1
    assert {p: p.stat().st_mtime_ns for p in kept} == kept  # nothing else touched
    assert not stray_files(results)


def _unwritable(results: Path) -> None:
    if os.geteuid() == 0:  # root ignores permission bits: point it at sysfs, which refuses
        results.symlink_to("/sys/kernel", target_is_directory=True)
    else:
        results.mkdir()
        results.chmod(0o555)


@pytest.mark.parametrize("how", ["read-only", "a file"])
def test_unwritable_results_folder_stops_before_any_job(tmp_path, how):
    work = tmp_path / "w"
    work.mkdir()
    results = work / "results"
    if how == "a file":
        results.write_text("not a folder")
    else:
        _unwritable(results)
    proc = run(work)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "results folder 'results'" in out and "is not writable" in out, out[-3000:]
    assert "nothing was run" in out
    assert "Building DAG" not in out  # stopped while parsing, before any job
