"""On-disk cache of scene graphs: each image's graph is built once per settings.

A graph is stored under ``<dir>/<settings-hash>/<image-hash>.npz`` where the
image hash is the SHA-256 of the uint8 RGB array's shape and bytes and the
settings hash is the SHA-256 of the canonical JSON of everything that changes
a graph (backend set, models, segmentation and embedding settings, and
:func:`graph_code_version`, the fingerprint of the code that builds graphs, so graphs
cached by an older version are not reused after an update or an edit). Writes are
atomic, so parallel jobs sharing one cache never read a partial file.

Jobs on several nodes may share the cache on NFS / Lustre, where ``fcntl.flock``
is unreliable. The lock that keeps two jobs from building the same graph is a
``filelock.SoftFileLease``: a marker file created with ``O_EXCL`` (atomic on NFS)
and refreshed by its holder; a holder that died (kill -9, a lost node) lets its
claim expire after :attr:`GraphCache.LEASE_S` seconds. Correctness never rests
on the lock: a graph is written atomically whoever builds it, the lock only
saves duplicate work.

Every computed graph is counted: :attr:`GraphCache.computed` (this instance)
and one line appended to ``<dir>/computed.log`` (all processes; see
:meth:`GraphCache.total_computed`), which the workflow tests read.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from seess.graph import image_hash, load_graph, save_graph
from seess.scene import SceneGraph
from semcom_core.imageio import to_rgb_uint8

__all__ = ["GRAPH_INDEPENDENT", "GraphCache", "graph_code_version", "settings_hash"]

#: modules of ``seess`` that cannot change a graph (scoring, matching, presets' scoring
#: constants, explanation, caching): editing them keeps cached graphs. Every other file of
#: the package, a new one included, is part of :func:`graph_code_version`.
GRAPH_INDEPENDENT = (
    "batch_score.py",
    "cache.py",
    "explain.py",
    "kuhn_munkres.py",
    "match.py",
    "presets.py",
    "score.py",
    "views.py",
)


@functools.cache
def graph_code_version() -> str:
    """Fingerprint (16 hex digits) of the code that builds scene graphs: the ``seess``
    package's files except :data:`GRAPH_INDEPENDENT`, and ``semcom_core.imageio`` (image
    conversion and resizing). Computed once per process."""
    from semcom_core import imageio
    from semcom_core.fsutil import source_fingerprint

    return source_fingerprint(
        [Path(__file__).parent, Path(imageio.__file__)], exclude=GRAPH_INDEPENDENT
    )


def settings_hash(settings: Mapping[str, Any] | str) -> str:
    """First 16 hex digits of the SHA-256 of ``settings`` as canonical JSON (or of the string)."""
    text = (
        settings if isinstance(settings, str) else json.dumps(settings, sort_keys=True, default=str)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class GraphCache:
    """Graphs on disk keyed by (image content, graph settings).

    Parameters
    ----------
    directory: cache root (created on first write).
    settings: what identifies the graph builder (a dict or a string); graphs
        built with other settings live in another sub-folder.

    Example
    -------
    >>> import tempfile, numpy as np
    >>> c = GraphCache(tempfile.mkdtemp(), {"backend": "demo"})
    >>> c.computed, c.hits
    (0, 0)
    """

    LOG = "computed.log"
    #: seconds after which the build lease of a holder that stopped refreshing it expires
    LEASE_S = 60.0

    def __init__(
        self, directory: str | os.PathLike, settings: Mapping[str, Any] | str = ""
    ) -> None:
        self.directory = Path(directory).expanduser()
        self.settings_key = settings_hash(settings)
        self.computed = 0
        self.hits = 0

    def path_for(self, image: np.ndarray) -> Path:
        """Where the graph of ``image`` (uint8 RGB) lives."""
        return self.directory / self.settings_key / f"{image_hash(to_rgb_uint8(image))}.npz"

    def get(self, image: np.ndarray) -> SceneGraph | None:
        """The cached graph of ``image``, or None (an unreadable entry counts as absent)."""
        p = self.path_for(image)
        if not p.is_file():
            return None
        try:
            return load_graph(p)
        except ValueError:
            return None

    def get_or_build(
        self, image: np.ndarray, build_fn: Callable[[np.ndarray], SceneGraph]
    ) -> SceneGraph:
        """The cached graph of ``image``, else ``build_fn(image)`` stored and returned."""
        img = to_rgb_uint8(image)
        g = self.get(img)
        if g is not None:
            self.hits += 1
            return g
        p = self.path_for(img)
        # Parallel jobs share the cache: one builds, the others wait and read its result.
        with self._lock(p.stem):
            g = self.get(img)
            if g is not None:
                self.hits += 1
                return g
            g = build_fn(img)
            save_graph(p, g)
            self.computed += 1
            # one short O_APPEND write per graph: atomic on POSIX for lines this small
            fd = os.open(self.directory / self.LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, f"{self.settings_key}/{p.name}\n".encode())
            finally:
                os.close(fd)
        return g

    @contextlib.contextmanager
    def _lock(self, key: str) -> Iterator[None]:
        """An exclusive lease shared by all processes on all hosts for ``key`` (one marker file
        per image hash, under ``<dir>/locks``; see the module docstring)."""
        from filelock import SoftFileLease

        d = self.directory / "locks"
        d.mkdir(parents=True, exist_ok=True)
        with SoftFileLease(d / f"{key}.lock", lease_duration=self.LEASE_S):
            yield

    def total_computed(self) -> int:
        """Graphs computed into this cache directory by every process so far."""
        log = self.directory / self.LOG
        return len(log.read_text().splitlines()) if log.is_file() else 0
