"""A content-addressed store for expensive outputs (trained checkpoints).

Snakemake deletes a job's outputs before it reruns the job, and reruns a job
when its script changes even if the result would be the same. An output whose
file name already carries a hash of everything that determines it (a training
config) is kept in a store beside it; a rerun with the same name copies it back
instead of recomputing it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from semcom_core.fsutil import atomic_path

__all__ = ["reuse_or_build"]


def reuse_or_build(
    outputs: Sequence[str | os.PathLike], build: Callable[[], object], store: str | os.PathLike
) -> bool:
    """Fill ``outputs`` from ``store`` when all are there; else ``build()`` them and store copies.

    Returns True when the outputs were reused.
    """
    store = Path(store)
    kept = [store / Path(o).name for o in outputs]
    if all(k.is_file() for k in kept):
        for k, o in zip(kept, outputs):
            with atomic_path(o) as tmp:
                shutil.copyfile(k, tmp)
        return True
    build()
    store.mkdir(parents=True, exist_ok=True)
    for k, o in zip(kept, outputs):
        with atomic_path(k) as tmp:
            shutil.copyfile(o, tmp)
    return False
