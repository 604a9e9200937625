"""Glue for ``workflow/scripts``: logging to the rule's log file and reproducible per-job seeds."""

from __future__ import annotations

import hashlib
import logging
import sys
from typing import Any

__all__ = ["derive_seed", "setup_logging"]


def setup_logging(smk: Any) -> logging.Logger:
    """Send log records and warnings of this job to its ``log:`` file (and stderr).

    Also imports the config's ``plugins`` (codecs, metrics, links registered outside
    this repository), since every job script starts here.
    """
    from semcom_pipeline.plugins import load_plugins

    load_plugins((getattr(smk, "config", None) or {}).get("plugins", []))
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
    return logging.getLogger(f"semcom.{smk.rule}")


def derive_seed(master: int, *parts: Any) -> int:
    """A 63-bit seed from the master seed and the job's wildcards; independent of job order."""
    text = "|".join([str(master), *map(str, parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1
