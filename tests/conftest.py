"""Shared fixtures and helpers: small real photographs from the bundled set, Snakemake runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from semcom_core.bundled import BUNDLED, load_bundled
from semcom_core.imageio import resize_longer_side

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "config_tiny.yaml"
SCORE_KEYS = ["experiment", "system", "condition", "image", "metric"]


def snakemake_cmd(workdir: Path | None, configfile: Path, *args: str) -> list[str]:
    """argv running the project's Snakefile with ``configfile`` (in ``workdir`` if given)."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile")]
    if workdir is not None:
        cmd += ["--directory", str(workdir)]
    return [*cmd, "--configfile", str(configfile), *args]


def tiny_subset(path: Path, experiments: dict) -> Path:
    """Write to ``path`` the tiny config with only ``experiments`` (each block a part of the tiny
    config's: every shard it scores is one of the tiny run's); returns ``path``."""
    cfg = yaml.safe_load(TINY.read_text())
    cfg["experiments"] = experiments
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def read_scores(path: Path) -> pd.DataFrame:
    """A scores.csv as written (every cell the text in the file), rows sorted by SCORE_KEYS."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return df.sort_values(SCORE_KEYS).reset_index(drop=True)


def assert_rows_of(part: Path, full: Path) -> None:
    """The scores.csv ``part`` holds, cell for cell, the rows of ``full`` of its experiments,
    systems and conditions, and no others."""
    got, ref = read_scores(part), read_scores(full)
    shards = got[SCORE_KEYS[:3]].drop_duplicates()
    want = ref.merge(shards, on=SCORE_KEYS[:3])[ref.columns]
    assert len(got) > 0 and list(got.columns) == list(ref.columns)
    pd.testing.assert_frame_equal(got, want.sort_values(SCORE_KEYS).reset_index(drop=True))


def _job_stats(dry_run_output: str) -> dict[str, int]:
    """The 'Job stats' table of a Snakemake dry run as {rule: count}."""
    table = dry_run_output.split("Job stats:", 1)[1] if "Job stats:" in dry_run_output else ""
    out = {}
    for line in table.splitlines():
        m = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if m and m.group(1) != "total":
            out[m.group(1)] = int(m.group(2))
    return out


@pytest.fixture(scope="session")
def job_stats():
    """Parser of a dry run's 'Job stats' table: ``job_stats(stdout + stderr) -> {rule: n}``."""
    return _job_stats


@pytest.fixture(scope="session")
def bundled_images() -> dict[str, np.ndarray]:
    """The seven bundled photographs, downscaled to a longer side of 256 px."""
    return {name: resize_longer_side(load_bundled(name), 256) for name in BUNDLED}


@pytest.fixture(scope="session")
def astronaut(bundled_images) -> np.ndarray:
    return bundled_images["astronaut"]


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """One complete local run of tests/data/config_tiny.yaml (shared by the workflow and
    cluster tests); tests must not modify it."""
    work = tmp_path_factory.mktemp("tiny_run")
    cmd = snakemake_cmd(work, TINY, "--cores", "2")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return work
