"""Runs of the workflow on the tiny config in temporary directories."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ..conftest import TINY, snakemake_cmd


def snakemake(workdir: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run the project's Snakefile in ``workdir`` with the tiny config."""
    cmd = snakemake_cmd(workdir, TINY, "--cores", "2", *args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def start_snakemake(workdir: Path, *args: str) -> subprocess.Popen:
    cmd = snakemake_cmd(workdir, TINY, "--cores", "2", *args)
    return subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


def wait_for(path_glob: tuple[Path, str], n: int, timeout: float = 600) -> None:
    folder, pattern = path_glob
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list(folder.glob(pattern))) >= n:
            return
        time.sleep(0.5)
    raise TimeoutError(f"fewer than {n} files matching {pattern} appeared in {folder}")


@pytest.fixture
def tiny_copy(tiny_run, tmp_path) -> Path:
    """A private copy of the complete run (timestamps and Snakemake metadata kept)."""
    dst = tmp_path / "copy"
    shutil.copytree(tiny_run, dst, symlinks=True)
    return dst
