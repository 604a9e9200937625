"""Process-wide model cache and device selection.

Models are built lazily, once per process, and shared: SeSS and ClipScore use
the same OpenCLIP instance when both run in one job. Nothing is loaded at
import time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["cached_model", "clear_model_cache", "resolve_device"]

T = TypeVar("T")
_CACHE: dict[Hashable, Any] = {}
_LOCK = threading.Lock()


def resolve_device(device: str | None = "auto") -> str:
    """Map ``auto | cpu | cuda | cuda:N`` to a torch device string.

    ``auto`` picks ``cuda`` when a GPU is visible, else ``cpu``. Asking for
    ``cuda`` on a machine without one is an error, never a silent fallback.
    """
    import torch

    dev = (device or "auto").strip().lower()
    if dev == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if dev == "cpu":
        return "cpu"
    if dev == "cuda" or dev.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise RuntimeError(
                f"device '{device}' was requested but torch sees no CUDA device "
                "(set `device: cpu` or `auto` in config.yaml)"
            )
        return dev
    raise ValueError(f"unknown device '{device}': expected auto, cpu, cuda or cuda:N")


def cached_model(key: Hashable, factory: Callable[[], T]) -> T:
    """Return the model stored under ``key``, building it with ``factory`` once."""
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = factory()
        return _CACHE[key]


def clear_model_cache() -> None:
    """Forget every cached model (tests use this to count loads)."""
    with _LOCK:
        _CACHE.clear()
