"""kill -9 of a running workflow at each phase, resumed as the README says; two runs at once."""

from __future__ import annotations

import contextlib
import io
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from ..conftest import assert_rows_of, tiny_subset
from .conftest import kill9, run, start, stray_files, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(5400)]

# Each phase is seen running when its job's log appears (the script writes it on start).
PHASES = [
    ("compress", "logs/A/*/*.log"),
    ("transmit", "logs/B/*/*.log"),
    ("score", "logs/score/*/*/*.log"),
    ("aggregate", "logs/aggregate.log"),
]

PHASE_EXPERIMENTS = {"A": {"codecs": ["jpeg"], "bpp": [0.5]}, "B": {"snr_db": [2]}}


def _logs(results: Path, pattern: str) -> dict[Path, int]:
    """Log files of a phase with their modification times (a rerun job rewrites its log)."""
    out = {}
    for p in results.glob(pattern):
        with contextlib.suppress(FileNotFoundError):  # removed by Snakemake meanwhile
            out[p] = p.stat().st_mtime_ns
    return out


def _new(results: Path, pattern: str, before: dict[Path, int]) -> bool:
    return any(before.get(p) != t for p, t in _logs(results, pattern).items())


def _phase_started(results, i, before, proc) -> bool:
    """A new job of phase ``i`` or of a later phase runs (the phase had no job left), or the
    run ended."""
    return proc.poll() is not None or any(
        _new(results, pattern, before[k]) for k, (_, pattern) in enumerate(PHASES) if k >= i
    )


def _nothing_truncated(work: Path) -> None:
    results = work / "results"
    assert not stray_files(results), stray_files(results)
    for png in results.rglob("*.png"):
        with Image.open(io.BytesIO(png.read_bytes())) as im:
            im.load()  # a truncated PNG raises here
    for csv in results.rglob("*.csv"):
        pd.read_csv(csv)
    incomplete = work / ".snakemake" / "incomplete"
    assert not [p for p in incomplete.rglob("*") if p.is_file()] if incomplete.exists() else True


def test_killed_at_every_phase_resumes_to_the_same_scores(tiny_run, tmp_path):
    """Experiments A and B of the tiny config at one grid point each (every phase, 5 score
    shards of the tiny run's 16), killed at each phase, resumed: the tiny run's rows."""
    work = tmp_path / "killed"
    work.mkdir()
    config = tiny_subset(tmp_path / "config_ab.yaml", PHASE_EXPERIMENTS)
    results = work / "results"
    interrupted = []
    for i, (phase, pattern) in enumerate(PHASES):
        before = [_logs(results, pat) for _, pat in PHASES]
        proc = start(work, tmp_path / f"{phase}.log", configfile=config)
        wait_until(partial(_phase_started, results, i, before, proc), phase)
        if proc.poll() is None:
            kill9(proc)
            if _new(results, pattern, before[i]):
                interrupted.append(phase)
        # the README: `snakemake --unlock`, then the same command
        unlock = run(work, "--unlock", configfile=config)
        assert unlock.returncode == 0, unlock.stderr[-3000:]
    assert {"score", "aggregate"} <= set(interrupted), interrupted
    resumed = run(work, configfile=config)
    assert resumed.returncode == 0, (resumed.stdout + resumed.stderr)[-4000:]
    assert "IncompleteFilesException" not in resumed.stderr
    assert_rows_of(results / "scores.csv", tiny_run / "results" / "scores.csv")
    _nothing_truncated(work)
    done = run(work, "-n", configfile=config)
    assert "Nothing to be done" in done.stdout + done.stderr


def test_second_run_on_one_folder_is_refused_and_the_first_is_unharmed(tiny_run, tmp_path):
    """Also the determinism check: a second clean run (of Experiment A of the tiny config, a
    third of its jobs) gives the tiny run's rows, cell for cell."""
    work = tmp_path / "twice"
    work.mkdir()
    config = tiny_subset(tmp_path / "config_a.yaml", {"A": {"codecs": ["jpeg"], "bpp": [0.5, 1.0]}})
    first = start(work, tmp_path / "first.log", configfile=config)
    incomplete = work / ".snakemake" / "incomplete"
    try:
        # a job of the first run is under way (its outputs are marked incomplete)
        wait_until(
            lambda: (
                first.poll() is not None
                or (incomplete.is_dir() and any(p.is_file() for p in incomplete.rglob("*")))
            ),
            "a running job of the first run",
        )
        assert first.poll() is None, (tmp_path / "first.log").read_text()[-3000:]
        second = run(work, configfile=config)
    except BaseException:
        kill9(first)
        raise
    log = second.stdout + second.stderr
    assert second.returncode != 0
    assert "Directory cannot be locked" in log, log[-3000:]
    assert "IncompleteFilesException" not in log
    assert first.wait(timeout=1800) == 0, (tmp_path / "first.log").read_text()[-3000:]
    assert_rows_of(work / "results" / "scores.csv", tiny_run / "results" / "scores.csv")
    _nothing_truncated(work)
