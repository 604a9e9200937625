"""Helpers of the fault-injection suite: Snakemake runs of the tiny config that are killed,
started twice, or given a failing metric. Every wait is for an event (a file appearing, a
process ending), never a fixed time."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from ..conftest import TINY, snakemake_cmd

HERE = Path(__file__).resolve().parent
RUN_LIMIT_S = 1800  # a safety net against a hung run, far above any normal duration


def env(**extra: str) -> dict[str, str]:
    """The environment of the runs: this folder importable (for the plugin) plus ``extra``."""
    path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(HERE)) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def readme_cmd(workdir: Path, *args: str, configfile: Path = TINY) -> list[str]:
    """The README's command (``make run``: ``snakemake --cores 2 --configfile ...``), no flags
    beyond it: resuming must work as documented."""
    return snakemake_cmd(workdir, configfile, "--cores", "2", *args)


def run(workdir: Path, *args: str, configfile: Path = TINY, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        readme_cmd(workdir, *args, configfile=configfile),
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT_S,
        check=False,
        env=kw.pop("env", None) or env(),
        **kw,
    )


def start(workdir: Path, log: Path, *args: str, configfile: Path = TINY) -> subprocess.Popen:
    """A run in the background, in its own process group (so that kill -9 takes its jobs)."""
    fh = open(log, "ab")  # noqa: SIM115 - closed by the child's exit; the file stays readable
    return subprocess.Popen(
        readme_cmd(workdir, *args, configfile=configfile),
        stdout=fh,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env(),
    )


def kill9(proc: subprocess.Popen) -> None:
    """kill -9 the run and every job it started (its process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=120)


def wait_until(event: Callable[[], bool], what: str, limit_s: float = RUN_LIMIT_S) -> None:
    deadline = time.monotonic() + limit_s
    while not event():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.2)


def stray_files(results: Path) -> list[Path]:
    """Half-written files: temporary ``.part`` files of atomic writes."""
    return sorted(results.rglob("*.part"))
