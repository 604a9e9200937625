"""Atomic file writes that follow the umask, the one "is this a path" test, and the
fingerprint of source files (what a cache or a workflow keys on to notice a code change)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["atomic_path", "current_umask", "is_path", "source_fingerprint"]


def is_path(x: object) -> bool:
    """True for a file-system path (``str`` or ``os.PathLike``), False for arrays and the rest."""
    return isinstance(x, str | os.PathLike)


def current_umask() -> int:
    """The process umask, read without changing it where Linux exposes it (``/proc/self/status``)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere: read by setting, then restore at once
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On any exception (or interrupt) the temporary file is removed and ``path``
    is left untouched, so no partial output is ever visible. The finished file gets
    the permissions a plain ``open(path, "w")`` would give (``0o666`` less the umask),
    not the private ``0o600`` of a temporary file.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (d / "a.txt").read_text()
    'done'
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part", dir=p.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.exists():
            tmp_path.chmod(0o666 & ~current_umask())
        os.replace(tmp_path, p)
    finally:
        tmp_path.unlink(missing_ok=True)


def source_fingerprint(
    roots: Iterable[str | os.PathLike],
    exclude: Iterable[str] = (),
    suffixes: tuple[str, ...] = (".py", ".json", ".yaml"),
) -> str:
    """First 16 hex digits of the SHA-256 of the files under ``roots`` (files or folders,
    searched recursively) whose names end in one of ``suffixes``, minus the file names in
    ``exclude`` and anything in ``__pycache__``: each file's path relative to its root and
    its bytes, in sorted order. Any edit to one of those files changes it; where the
    package is installed or checked out does not.
    """
    skip = set(exclude)
    h = hashlib.sha256()
    for root in map(Path, roots):
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for f in files:
            if f.suffix not in suffixes or f.name in skip or "__pycache__" in f.parts:
                continue
            rel = f.name if f == root else f.relative_to(root).as_posix()
            h.update(f"{root.name}/{rel}\0".encode())
            h.update(f.read_bytes())
            h.update(b"\0")
    return h.hexdigest()[:16]
