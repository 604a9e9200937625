"""Glue for the workflow: logging to the rule's log file (``workflow/scripts``), stale
partial outputs, and the code fingerprint a rule's ``params`` carry (``workflow/rules``)."""

from __future__ import annotations

import atexit
import functools
import importlib.util
import logging
import sys
import time
from pathlib import Path
from typing import Any

from semcom_core.logs import setup_logging as _setup

__all__ = ["code_version", "remove_stale_parts", "setup_logging"]


@functools.cache
def code_version(*names: str) -> str:
    """Fingerprint of the source of the importable packages or modules ``names`` (found, not
    imported; a dotted module name imports its parent packages):
    :func:`semcom_core.fsutil.source_fingerprint` of their folders or files. A rule that
    carries it in its ``params`` is rerun by Snakemake (its default rerun triggers include
    ``params``) after an edit or an update of that code, instead of keeping results the old
    code made."""
    from semcom_core.fsutil import source_fingerprint

    roots = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            spec = None
        folders = list(spec.submodule_search_locations or []) if spec else []
        origin = spec.origin if spec else None
        if folders:
            roots += [Path(p) for p in folders]
        elif origin:
            roots.append(Path(origin))
        else:
            raise ValueError(f"code_version: '{name}' is not an importable package or module")
    return source_fingerprint(roots)


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


def _job_name(smk: Any) -> str:
    wc = getattr(smk, "wildcards", None)
    items = list(wc.items()) if wc is not None and hasattr(wc, "items") else []
    shown = " ".join(f"{k}={v}" for k, v in items if not str(k).startswith("_"))
    return f"{smk.rule}{' ' + shown if shown else ''}"


def setup_logging(smk: Any) -> logging.Logger:
    """Send log records and warnings of this job to its ``log:`` file (and stderr).

    Also imports the config's ``plugins`` (codecs, metrics, links registered outside
    this repository), since every job script starts here.

    Removes what a killed earlier attempt of the job left half-written
    (:func:`remove_stale_parts`). The log starts with one line ``start <rule> <wildcards>``
    and ends with one line ``done <rule> ... in N s`` or ``FAILED <rule> ...: <error>``.
    """
    from semcom_pipeline.plugins import load_plugins

    load_plugins((getattr(smk, "config", None) or {}).get("plugins", []))
    log = _setup(f"semcom.{smk.rule}", smk.log[0] if getattr(smk, "log", None) else None)
    for part in remove_stale_parts(getattr(smk, "output", None)):
        log.info("removed %s, left by a killed earlier attempt", part)
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
