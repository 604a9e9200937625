"""The effective config of a run, written into its folder (``results/<run_name>/config.yaml``).

The file is complete (schema defaults filled, ``base:`` applied), so
``snakemake --configfile results/<run_name>/config.yaml`` reproduces the run or
builds its report without any other config file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from semcom_core.fsutil import atomic_path

__all__ = ["write_run_config"]

_HEADER = (
    "# Effective configuration of this run (defaults filled in), written by the workflow.\n"
    "# Re-run or report with: snakemake --configfile {path}\n"
)


def _plain(obj: Any) -> Any:
    """Plain YAML types (Snakemake hands the config over as its own mapping classes)."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def write_run_config(path: str | os.PathLike, config: Mapping[str, Any]) -> Path:
    """Write ``config`` as YAML to ``path`` atomically, with a header saying how to reuse it."""
    text = _HEADER.format(path=path) + yaml.safe_dump(
        _plain(config), sort_keys=False, default_flow_style=None
    )
    with atomic_path(path) as tmp:
        tmp.write_text(text)
    return Path(path)
