"""GPU selection for jobs: Snakemake counts a ``gpu`` resource but assigns no GPU ids.

A job that runs on CUDA calls :func:`claim_gpu` before torch initialises CUDA.
If ``CUDA_VISIBLE_DEVICES`` is already set (SLURM with ``--gres``/``--gpus``
does this) it is respected. Otherwise the job takes an exclusive lock file per
GPU (``$TMPDIR/semcom-gpu-<i>.lock``, a ``filelock.FileLock``: the GPUs belong to
this node, so the lock lives on its local disk) and sets ``CUDA_VISIBLE_DEVICES=<i>``;
the lock is released when the process exits, also when it is killed. Because Snakemake runs at most as many
``gpu=1`` jobs as ``--resources gpu=N`` allows, a free GPU is always found.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from filelock import FileLock, Timeout

__all__ = ["claim_gpu", "count_gpus"]

_HELD: list[FileLock] = []  # locks held for the process lifetime


def count_gpus() -> int:
    """GPUs on this node per ``nvidia-smi -L`` (0 when absent), without initialising CUDA."""
    try:
        out = subprocess.run(
            ["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(1 for line in out.splitlines() if line.startswith("GPU "))


def claim_gpu(device: str, wait_s: float = 600.0) -> str | None:
    """Pin this process to one free GPU when ``device`` is ``cuda`` or ``auto`` with GPUs present.

    Returns the value of ``CUDA_VISIBLE_DEVICES`` in force, or ``None`` on CPU.
    """
    if device == "cpu":
        return None
    if os.environ.get("CUDA_VISIBLE_DEVICES"):
        return os.environ["CUDA_VISIBLE_DEVICES"]
    n = count_gpus()
    if n == 0:
        return None  # resolve_device reports the problem when cuda was demanded
    lock_dir = Path(os.environ.get("TMPDIR", tempfile.gettempdir()))
    deadline = time.monotonic() + wait_s
    while True:
        for i in range(n):
            lock = FileLock(lock_dir / f"semcom-gpu-{i}.lock", timeout=0)
            try:
                lock.acquire()
            except Timeout:
                continue
            _HELD.append(lock)
            os.environ["CUDA_VISIBLE_DEVICES"] = str(i)
            return str(i)
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"no free GPU among {n} after {wait_s:.0f} s (is --resources gpu=N larger than N?)"
            )
        time.sleep(2.0)
