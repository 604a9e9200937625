"""Glue for ``workflow/scripts``: logging to the rule's log file and reproducible per-job seeds."""

from __future__ import annotations

import atexit
import hashlib
import logging
import sys
import time
from typing import Any

__all__ = ["derive_seed", "setup_logging"]


class _BarSafeHandler(logging.StreamHandler):
    """Writes through ``tqdm.write``: a progress bar is cleared first, so a log line never
    shares a line with a bar (the bar is redrawn below it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from tqdm import tqdm

            tqdm.write(self.format(record), file=self.stream)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


def _job_name(smk: Any) -> str:
    wc = getattr(smk, "wildcards", None)
    items = list(wc.items()) if wc is not None and hasattr(wc, "items") else []
    shown = " ".join(f"{k}={v}" for k, v in items if not str(k).startswith("_"))
    return f"{smk.rule}{' ' + shown if shown else ''}"


def setup_logging(smk: Any) -> logging.Logger:
    """Send log records and warnings of this job to its ``log:`` file (and stderr).

    The log starts with one line ``start <rule> <wildcards>`` and ends with one line
    ``done <rule> ... in N s`` or ``FAILED <rule> ...: <error>``.
    """
    handlers: list[logging.Handler] = [_BarSafeHandler(sys.stderr)]
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
    name = _job_name(smk)
    n_in = len(list(getattr(smk, "input", []) or []))
    log.info("start %s (%d input files)", name, n_in)
    t0 = time.monotonic()
    failed: list[str] = []
    previous = sys.excepthook

    def hook(kind, exc, tb):  # the job failed: say so on the last line, then the traceback
        failed.append(f"{kind.__name__}: {exc}")
        previous(kind, exc, tb)

    sys.excepthook = hook

    def end() -> None:
        took = time.monotonic() - t0
        if failed:
            log.error("FAILED %s after %.1f s: %s", name, took, failed[0])
        else:
            log.info("done %s in %.1f s", name, took)
        logging.shutdown()

    atexit.register(end)
    return log


def derive_seed(master: int, *parts: Any) -> int:
    """A 63-bit seed from the master seed and the job's wildcards; independent of job order."""
    text = "|".join([str(master), *map(str, parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1
