"""Logging of one job: records and warnings to stderr and, when given, to the job's log file."""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["LOG_FORMAT", "BarSafeHandler", "setup_logging"]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class BarSafeHandler(logging.StreamHandler):
    """Writes through ``tqdm.write``: a progress bar is cleared first, so a log line never
    shares a line with a bar (the bar is redrawn below it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from tqdm import tqdm

            tqdm.write(self.format(record), file=self.stream)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


def setup_logging(name: str, log_file: str | os.PathLike | None = None) -> logging.Logger:
    """Route log records and ``warnings`` to stderr (and ``log_file``); return logger ``name``.

    Replaces any handlers set earlier in the process (``force=True``), so each job
    logs once, in one format; stderr lines never share a line with a tqdm bar.
    """
    handlers: list[logging.Handler] = [BarSafeHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(str(log_file), mode="w"))
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers, force=True)
    logging.captureWarnings(True)
    return logging.getLogger(name)
