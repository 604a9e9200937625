"""Glue for ``workflow/scripts``: logging to the rule's log file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from semcom_core.logs import setup_logging as _setup

__all__ = ["remove_stale_parts", "setup_logging"]


def remove_stale_parts(outputs: Any) -> list[Path]:
    """Delete the temporary files (``.<name>.*.part``, see :func:`semcom_core.fsutil.atomic_path`)
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
    log_file = smk.log[0] if getattr(smk, "log", None) else None
    log = _setup(f"semcom.{smk.rule}", log_file)
    for part in remove_stale_parts(getattr(smk, "output", None)):
        log.info("removed %s, left by a killed earlier attempt", part)
    return log
