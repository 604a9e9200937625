"""Glue for ``workflow/scripts``: logging to the rule's log file and reproducible per-job seeds."""

from __future__ import annotations

import hashlib
import logging
import sys
from pathlib import Path
from typing import Any

__all__ = ["derive_seed", "remove_stale_parts", "setup_logging"]


def remove_stale_parts(outputs: Any) -> list[Path]:
    """Delete the temporary files (``.<name>.*.part``, see :func:`seess.fsutil.atomic_path`)
    that an earlier, killed attempt of this job left beside its outputs.

    Snakemake runs one job per output file, so such files belong to no live writer. Returns
    the paths removed.
    """
    removed = []
    for out in map(Path, outputs or []):
        if out.parent.is_dir():
            for part in out.parent.glob(f".{out.name}.*.part"):
                part.unlink(missing_ok=True)
                removed.append(part)
    return removed


def setup_logging(smk: Any) -> logging.Logger:
    """Send log records and warnings of this job to its ``log:`` file (and stderr); remove what
    a killed earlier attempt of the job left half-written (:func:`remove_stale_parts`)."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if getattr(smk, "log", None):
        handlers.append(logging.FileHandler(str(smk.log[0]), mode="w"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    logging.captureWarnings(True)
    log = logging.getLogger(f"semcom.{smk.rule}")
    for part in remove_stale_parts(getattr(smk, "output", None)):
        log.info("removed %s, left by a killed earlier attempt", part)
    return log


def derive_seed(master: int, *parts: Any) -> int:
    """A 63-bit seed from the master seed and the job's wildcards; independent of job order."""
    text = "|".join([str(master), *map(str, parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1
