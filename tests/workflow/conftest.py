"""Runs of the workflow on the tiny config in temporary directories."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ..conftest import TINY, snakemake_cmd


def snakemake(workdir: Path, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
    """Run the project's Snakefile in ``workdir`` with the tiny config."""
    cmd = snakemake_cmd(workdir, TINY, "--cores", "2", *args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def tiny_copy(tiny_run, tmp_path) -> Path:
    """A private copy of the complete run (timestamps and Snakemake metadata kept)."""
    dst = tmp_path / "copy"
    shutil.copytree(tiny_run, dst, symlinks=True)
    return dst
