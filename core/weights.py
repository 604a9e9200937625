"""Pretrained weights: where they live, how they are checked, and what to say when they are missing.

Nothing here downloads at import time. :func:`resolve_checkpoint` returns a
verified local file: the explicit path when one is given, else the file in the
cache directory, else (when ``allow_download``) a download from the official
URL with its SHA-256 checked. When none works it raises
:class:`MissingWeightsError`, whose message names the file, where to get it,
where to put it and which config key points at it.
"""

from __future__ import annotations

import hashlib
import os
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from semcom_core.fsutil import atomic_path

__all__ = [
    "MissingWeightsError",
    "Requirement",
    "WeightSpec",
    "default_cache_dir",
    "file_requirement",
    "resolve_checkpoint",
    "sha256_of",
]


class MissingWeightsError(FileNotFoundError):
    """Pretrained weights are needed but absent; the message says what to fetch and where to put it."""


@dataclass(frozen=True)
class WeightSpec:
    """One downloadable checkpoint: file name, official URL, SHA-256, and its config key.

    ``sha256`` is the full hex digest, a prefix of it (torchvision publishes the first
    8 hex digits in its file names, ``name-<hash8>.pth``) or None (nothing to check).
    """

    filename: str
    url: str
    sha256: str | None
    config_key: str
    description: str = ""


def default_cache_dir() -> Path:
    """``$SEESS_WEIGHTS`` if set, else ``resources/weights`` under the current directory."""
    return Path(os.environ.get("SEESS_WEIGHTS", "resources/weights")).expanduser()


def sha256_of(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _missing(spec: WeightSpec, where: Path, reason: str) -> MissingWeightsError:
    return MissingWeightsError(
        f"{spec.description or spec.filename}: {reason}.\n"
        f"  Download {spec.url}\n"
        f"  and put it at {where} (or set `{spec.config_key}` in config.yaml to its path;\n"
        f"  `semcom fetch-weights` does this on a machine with internet access)."
    )


def _verify(path: Path, spec: WeightSpec) -> Path:
    if spec.sha256:
        digest = sha256_of(path)
        if not digest.startswith(spec.sha256.lower()):
            raise MissingWeightsError(
                f"{path}: SHA-256 {digest} does not match the expected {spec.sha256} for "
                f"{spec.filename}; the file is corrupt or a different checkpoint. Re-download {spec.url}."
            )
    return path


def resolve_checkpoint(
    spec: WeightSpec,
    path: str | os.PathLike | None = None,
    *,
    cache_dir: str | os.PathLike | None = None,
    allow_download: bool = False,
    verify: bool = True,
) -> Path:
    """A verified local checkpoint file for ``spec`` (see module docstring)."""
    if path:
        p = Path(path).expanduser()
        if not p.is_file():
            raise _missing(spec, p, f"checkpoint file '{p}' not found")
        return _verify(p, spec) if verify else p
    target = Path(cache_dir or default_cache_dir()) / spec.filename
    if target.is_file():
        return _verify(target, spec) if verify else target
    if not allow_download:
        raise _missing(spec, target, "weights not found and downloads are disabled")
    try:
        with atomic_path(target) as tmp, urllib.request.urlopen(spec.url, timeout=60) as resp:
            with open(tmp, "wb") as fh:
                while block := resp.read(1 << 20):
                    fh.write(block)
            if spec.sha256 and not sha256_of(tmp).startswith(spec.sha256.lower()):
                raise MissingWeightsError(f"downloaded {spec.url} but its SHA-256 does not match")
    except MissingWeightsError:
        raise
    except Exception as exc:  # noqa: BLE001 - network errors of every kind
        raise _missing(spec, target, f"download failed ({type(exc).__name__}: {exc})") from None
    return target


@dataclass(frozen=True)
class Requirement:
    """A pretrained file a configured run needs: how to tell it is there, and how to fetch it.

    ``fetch`` downloads into ``location`` (network needed) and verifies the checksum
    where one is known; ``is_present`` never touches the network.
    """

    name: str
    config_key: str
    location: str
    source: str
    is_present: Callable[[], bool]
    fetch: Callable[[], object]


def file_requirement(
    spec: WeightSpec, path: str | os.PathLike | None, cache_dir: str | os.PathLike | None
) -> Requirement:
    """The :class:`Requirement` of a single checkpoint file described by ``spec``."""
    target = (
        Path(path).expanduser() if path else Path(cache_dir or default_cache_dir()) / spec.filename
    )
    return Requirement(
        name=spec.description or spec.filename,
        config_key=spec.config_key,
        location=str(target),
        source=spec.url,
        is_present=target.is_file,
        fetch=lambda: resolve_checkpoint(spec, path, cache_dir=cache_dir, allow_download=True),
    )
