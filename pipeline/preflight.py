"""Checks run in Snakemake's main process before any job: can the results be written at all?"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["OutputFolderError", "check_output_folder"]


class OutputFolderError(RuntimeError):
    """The results folder cannot be created or written; nothing was run."""


def check_output_folder(folder: str | os.PathLike) -> Path:
    """Create ``folder`` if missing and prove it writable by creating and removing a file.

    Raises :class:`OutputFolderError` naming the folder and the system's reason (a read-only
    file system, no permission, a file in the way, a full disk) before any job starts, instead
    of every job failing on its first write.
    """
    p = Path(folder)
    try:
        p.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-probe.", dir=p)
        try:
            os.write(fd, b"ok")
        finally:
            os.close(fd)
            Path(probe).unlink(missing_ok=True)
    except OSError as exc:
        raise OutputFolderError(
            f"results folder '{p}' (in {Path.cwd()}) is not writable: "
            f"{exc.strerror or exc}; nothing was run. Make it writable or run elsewhere "
            "(snakemake --directory <folder>)."
        ) from None
    return p.resolve()
