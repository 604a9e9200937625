"""Graph cache and GPU pinning locks that need no fcntl.flock (unreliable on NFS / Lustre)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from seess.api import SeSS
from seess.cache import GraphCache
from seess.graph import load_graph

WORKER = Path(__file__).with_name("race_worker.py")


def _start(cache: Path, image: Path, gate: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(cache), str(image), str(gate), name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def _wait_for(path: Path, procs: list[subprocess.Popen], limit_s: float = 600) -> None:
    """Until ``path`` exists (an event, not a duration); fails early if a process ended."""
    deadline = time.monotonic() + limit_s
    while not path.exists():
        for p in procs:
            if p.poll() is not None:
                out, err = p.communicate()
                pytest.fail(f"worker ended before {path.name}: rc {p.returncode}\n{out}\n{err}")
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def test_two_processes_racing_for_one_graph_compute_it_once(tmp_path, astronaut):
    cache_dir, gate = tmp_path / "cache", tmp_path / "gate"
    gate.mkdir()
    image = tmp_path / "img.npy"
    img = astronaut[:96, :96].copy()
    np.save(image, img)
    a = _start(cache_dir, image, gate, "a")
    _wait_for(gate / "a.building", [a])  # a holds the lock, its graph not yet written
    b = _start(cache_dir, image, gate, "b")
    _wait_for(gate / "b.missed", [a, b])  # b found no graph: it goes for the lock
    (gate / "go").touch()
    results = {}
    for name, p in (("a", a), ("b", b)):
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-3000:]
        results[name] = json.loads(out.strip().splitlines()[-1])
    assert not (gate / "b.building").exists()  # b never built it
    assert results["a"]["computed"] == 1 and results["b"]["computed"] == 0
    assert results["b"]["hits"] == 1
    cache = GraphCache(cache_dir, "race-test")
    assert cache.total_computed() == 1
    stored = load_graph(cache.path_for(img))  # whole: it loads and equals a fresh build
    fresh = SeSS(backend="sess-lite", device="cpu", lazy=True).graph(img)
    np.testing.assert_array_equal(stored.features, fresh.features)
    np.testing.assert_array_equal(stored.masks, fresh.masks)
    assert results["a"]["nodes"] == results["b"]["nodes"] == len(fresh.features)
    leftovers = [p.name for p in cache_dir.rglob("*") if p.is_file()]
    assert sorted(leftovers) == sorted([cache.path_for(img).name, GraphCache.LOG])


def test_gpu_claim_is_a_filelock_held_until_released(tmp_path, monkeypatch):
    """Two claims on a one-GPU node: the first pins GPU 0, the second finds none free. (GPU
    locks live in the node's own $TMPDIR, where filelock's FileLock is reliable.)"""
    from filelock import FileLock

    from semcom_pipeline import gpu

    monkeypatch.setattr(gpu, "count_gpus", lambda: 1)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(gpu, "_HELD", [])
    assert gpu.claim_gpu("cuda") == "0"
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "0"
    assert isinstance(gpu._HELD[0], FileLock) and gpu._HELD[0].is_locked
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    with pytest.raises(RuntimeError, match="no free GPU among 1"):
        gpu.claim_gpu("cuda", wait_s=0)
    for lock in gpu._HELD:
        lock.release()
    assert gpu.claim_gpu("cuda") == "0"  # released: free again
    for lock in gpu._HELD:
        lock.release()
