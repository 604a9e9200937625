"""Child process of test_locks.py: build one image's graph through a shared GraphCache.

argv: cache_dir image.npy gate_dir name. ``fcntl.flock`` is disabled (it raises ENOLCK,
"No locks available", as on an NFS mount without a lock daemon) so that only a lock which
needs no flock can serve. The builder announces itself (``<gate>/<name>.building``) and
waits for ``<gate>/go``; a cache miss before the lock is announced as ``<name>.missed``.
"""

from __future__ import annotations

import errno
import fcntl
import json
import sys
import time
from pathlib import Path

import numpy as np


def _no_flock(*_a, **_k):
    raise OSError(errno.ENOLCK, "No locks available")


fcntl.flock = _no_flock
fcntl.lockf = _no_flock

from seess.api import SeSS
from seess.cache import GraphCache


def main() -> None:
    cache_dir, image_path, gate, name = sys.argv[1:5]
    gate_dir = Path(gate)
    img = np.load(image_path)
    lite = SeSS(backend="sess-lite", device="cpu", lazy=True)
    cache = GraphCache(cache_dir, "race-test")
    first_get = cache.get

    def get(image):
        g = first_get(image)
        if g is None:
            (gate_dir / f"{name}.missed").touch()
        return g

    cache.get = get  # type: ignore[method-assign]

    def build(image):
        (gate_dir / f"{name}.building").touch()
        while not (gate_dir / "go").exists():
            time.sleep(0.05)
        return lite.graph(image)

    g = cache.get_or_build(img, build)
    print(json.dumps({"computed": cache.computed, "hits": cache.hits, "nodes": len(g.features)}))


if __name__ == "__main__":
    main()
