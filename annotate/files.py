"""Atomic writes that follow the umask (``mkstemp`` alone would leave files at 0600)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from semcom_core.fsutil import atomic_path

__all__ = ["copy_file", "write_text"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically, with mode ``0666 & ~umask``."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o666 & ~_umask())
    return Path(path)


def copy_file(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """Copy ``src`` to ``dst`` atomically (parents created), with mode ``0666 & ~umask``."""
    with atomic_path(dst) as tmp:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, 0o666 & ~_umask())
    return Path(dst)
