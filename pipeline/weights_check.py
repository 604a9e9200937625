"""Which pretrained weights a configured run needs, where each lives, and fetching them.

Two stores hold weights: the project's weights folder (``weights_dir``, e.g. the
SAM checkpoint) and the Hugging Face hub cache (OpenCLIP, timm: ``$HF_HOME`` or
``~/.cache/huggingface``, or a configured ``cache_dir``). Every message names the
store, the path and the config key, so moving weights to an offline machine
means copying the folders listed, nothing else.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from semcom_core.weights import Requirement
from semcom_metrics.registry import build_metric

__all__ = [
    "MissingWeightsConfigError",
    "WeightStatus",
    "check_weights",
    "describe_missing",
    "missing_weights",
    "reachable",
    "requirements_for",
    "status_of",
]

HF_SOURCE = "https://huggingface.co/"


class MissingWeightsConfigError(RuntimeError):
    """The configured run needs weights that are not on this machine."""


def requirements_for(config: dict[str, Any]) -> list[Requirement]:
    """Every weight file the configured metrics need (deduplicated by location).

    Builds each metric without loading any model and without touching the network.
    """

    os.environ.setdefault("SEESS_WEIGHTS", config.get("weights_dir", "resources/weights"))
    found: dict[str, Requirement] = {}
    for name in config.get("metrics", []):
        options = dict(config.get("metric_options", {}).get(name, {}))
        metric = build_metric(name, device="cpu", **options)
        for req in metric.required_weights():
            found.setdefault(req.location, req)
    c = config.get("experiments", {}).get("C", {})
    if c.get("enabled"):  # Experiment C's unCLIP pipeline
        from semcom_generation.settings import DEFAULT_MODEL
        from semcom_generation.weights import unclip_requirement

        req = unclip_requirement(c.get("model") or DEFAULT_MODEL)
        found.setdefault(req.location, req)
    return list(found.values())


def store_of(req: Requirement) -> str:
    """Where the file lives: ``Hugging Face cache``, ``weights folder`` or ``local file``."""
    if req.source.startswith(HF_SOURCE):
        return "Hugging Face cache"
    if req.source.startswith(("http://", "https://")):
        return "weights folder"
    return "local file"


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():  # a hub cache entry: blobs hold the bytes, snapshots only link to them
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())
    return 0


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return f"{n} B"


@dataclass(frozen=True)
class WeightStatus:
    """One requirement with what is known locally (no network): present, store, size."""

    req: Requirement
    present: bool
    store: str
    size: int

    def line(self) -> str:
        state = "present" if self.present else "MISSING"
        size = human_size(self.size) if self.present else "-"
        return f"{state:8s} {size:>9s}  {self.req.name} [{self.store}]: {self.req.location}"


def status_of(req: Requirement) -> WeightStatus:
    present = bool(req.is_present())
    size = _size(Path(req.location)) if present else 0
    return WeightStatus(req, present, store_of(req), size)


def missing_weights(config: dict[str, Any]) -> list[Requirement]:
    return [r for r in requirements_for(config) if not r.is_present()]


def describe_missing(missing: list[Requirement], config_name: str = "<your config>") -> str:
    lines = [
        f"  - {r.name}: expected in the {store_of(r)} at {r.location}\n"
        f"    (from {r.source}; config key `{r.config_key}`)"
        for r in missing
    ]
    stores = []
    if any(store_of(r) == "weights folder" for r in missing):
        folder = Path(os.environ.get("SEESS_WEIGHTS", "resources/weights"))
        stores.append(f"the weights folder ({folder}; config key `weights_dir`)")
    if any(store_of(r) == "Hugging Face cache" for r in missing):
        stores.append(
            "the Hugging Face cache ($HF_HOME/hub, default ~/.cache/huggingface/hub, or the "
            "configured cache_dir)"
        )
    copy = " and ".join(stores) or "the files listed"
    return (
        "pretrained weights needed by this configuration are missing:\n"
        + "\n".join(lines)
        + f"\nRun `semcom fetch-weights --config {config_name}` on a machine with internet access "
        f"(it needs no dataset), then copy {copy} to this machine."
    )


def reachable(url: str, timeout: float = 5.0) -> str | None:
    """``None`` when ``url``'s host accepts a connection within ``timeout`` s, else the reason."""
    u = urlparse(url)
    host = u.hostname or ""
    port = u.port or (443 if u.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"cannot reach {host}:{port} ({exc.strerror or type(exc).__name__})"


def check_weights(config: dict[str, Any]) -> None:
    """Raise :class:`MissingWeightsConfigError` listing every missing weight file."""
    missing = missing_weights(config)
    if missing:
        raise MissingWeightsConfigError(describe_missing(missing))
