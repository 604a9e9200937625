"""Glue for ``workflow/scripts``: logging to the rule's log file."""

from __future__ import annotations

import logging
from typing import Any

from semcom_core.logs import setup_logging as _setup

__all__ = ["setup_logging"]


def setup_logging(smk: Any) -> logging.Logger:
    """Send log records and warnings of this job to its ``log:`` file (and stderr)."""
    log = smk.log[0] if getattr(smk, "log", None) else None
    return _setup(f"semcom.{smk.rule}", log)
