"""Validation of ``config.yaml`` against the workflow's JSON schema, plus checks a schema cannot express.

:func:`validate_config` fills defaults and raises :class:`ConfigError` naming the
offending key (``experiments.A.bpp[1]: -0.5 is less than or equal to the minimum of 0``)
before any job runs.

What a config means (no silent layering):

- The defaults come from the schema only. ``config.yaml`` is the default *run*,
  read only when no ``--configfile`` is given; a config passed with
  ``--configfile`` is complete on its own.
- Layering is explicit: ``base: other.yaml`` merges this config over
  ``other.yaml`` (mappings merge key by key, lists and values replace); see
  :func:`resolve_base`.
- Under ``experiments``, only the experiments named run (a named block runs
  unless it says ``enabled: false``); without an ``experiments`` key the
  schema's defaults apply (A and D).
- ``run_name`` chooses the run's folder, ``<results_dir>/<run_name>/``
  (:func:`run_dir`); the graph cache stays shared in ``<results_dir>/cache/``.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "EXPERIMENTS",
    "ConfigError",
    "cache_dir",
    "default_schema_path",
    "load_config",
    "merge_configs",
    "resolve_base",
    "run_dir",
    "validate_config",
]

#: The experiment blocks of a config (C needs a model and stays off unless asked for).
EXPERIMENTS = ("A", "B", "C", "D")


class ConfigError(ValueError):
    """The configuration is invalid; the message names the key and the problem."""


def default_schema_path() -> Path:
    """The schema shipped in ``workflow/schemas`` of this checkout."""
    return Path(__file__).resolve().parent.parent / "workflow" / "schemas" / "config.schema.yaml"


def _key_path(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _fill_defaults(instance: Any, schema: Mapping[str, Any]) -> None:
    """Insert schema defaults into ``instance`` in place, recursively."""
    if not isinstance(instance, dict):
        return
    for key, sub in schema.get("properties", {}).items():
        if key not in instance and "default" in sub:
            instance[key] = copy.deepcopy(sub["default"])
        if key in instance:
            _fill_defaults(instance[key], sub)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for key, value in instance.items():
            if key not in schema.get("properties", {}):
                _fill_defaults(value, extra)


def _non_finite(node: Any, path: tuple = ()) -> list[tuple[tuple, float]]:
    """``(key path, value)`` of every NaN or infinite float in ``node`` (YAML ``.nan``,
    ``.inf``): JSON schema bounds never reject NaN, so no number anywhere may be non-finite."""
    if isinstance(node, float) and not math.isfinite(node):
        return [(path, node)]
    if isinstance(node, Mapping):
        return [hit for k, v in node.items() for hit in _non_finite(v, (*path, k))]
    if isinstance(node, list | tuple):
        return [hit for i, v in enumerate(node) for hit in _non_finite(v, (*path, i))]
    return []


def merge_configs(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: mappings merge key by key; lists and values replace."""
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_configs(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_yaml(p: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(p.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: the top level must be a mapping")
    return raw


def resolve_base(
    config: Mapping[str, Any], search: Sequence[str | os.PathLike] = (".",)
) -> dict[str, Any]:
    """Apply ``base:`` (a YAML file this config is merged over), recursively.

    A relative ``base`` is looked up in each folder of ``search`` in turn (the
    working directory, then the workflow's folder). The result has no ``base`` key.
    """
    cfg = dict(config)
    seen: list[Path] = []
    while "base" in cfg:
        name = cfg.pop("base")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"base: expected the path of a YAML config, got {name!r}")
        candidates = [Path(name).expanduser()]
        if not candidates[0].is_absolute():
            candidates = [Path(d) / name for d in search]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise ConfigError(
                f"base: config file '{name}' not found (looked in {', '.join(map(str, search))})"
            )
        if found.resolve() in seen:
            raise ConfigError(f"base: '{found}' includes itself")
        seen.append(found.resolve())
        cfg = merge_configs(_read_yaml(found), cfg)
    return cfg


def run_dir(cfg: Mapping[str, Any]) -> str:
    """The run's output folder: ``<results_dir>/<run_name>`` (``<results_dir>`` without a name)."""
    root = str(cfg.get("results_dir") or "results").rstrip("/") or "."
    name = cfg.get("run_name")
    return f"{root}/{name}" if name else root


def cache_dir(cfg: Mapping[str, Any]) -> str:
    """The cache shared by every run under the same ``results_dir``."""
    return f"{str(cfg.get('results_dir') or 'results').rstrip('/') or '.'}/cache"


def _unlisted_experiments_off(cfg: dict[str, Any]) -> None:
    """Only the experiments a config names run (a config asking for A runs only A)."""
    exps = cfg.get("experiments")
    if not isinstance(exps, dict):
        return
    for name in EXPERIMENTS:
        if name not in exps:
            exps[name] = {"enabled": False}


def _schedule(cfg: dict[str, Any]) -> None:
    """``experiments.B.schedule``: the code's default when absent (one source of truth,
    ``semcom_channels.DEFAULT_SCHEDULE``); every modulation name checked against
    ``semcom_channels.MODULATIONS``."""
    from semcom_channels.modulation import DEFAULT_SCHEDULE, MODULATIONS

    b = cfg.get("experiments", {}).get("B")
    if not isinstance(b, dict):
        return
    if "schedule" not in b:
        b["schedule"] = [e.to_dict() for e in DEFAULT_SCHEDULE]
    for i, entry in enumerate(b["schedule"]):
        if entry["modulation"] not in MODULATIONS:
            raise ConfigError(
                f"experiments.B.schedule[{i}].modulation: unknown modulation "
                f"'{entry['modulation']}'; available: {', '.join(MODULATIONS)}"
            )


def _semantic_checks(cfg: dict[str, Any], check_paths: bool = True) -> None:
    sample = cfg["sample"]
    if sample["source"] == "folder" and check_paths:
        folder = sample.get("folder")
        if not folder:
            raise ConfigError("sample.folder: required when sample.source is 'folder'")
        if not Path(os.path.expanduser(folder)).is_dir():
            raise ConfigError(f"sample.folder: directory '{folder}' does not exist")
    c = cfg.get("experiments", {}).get("C", {})
    if c.get("enabled"):
        from semcom_pipeline.experiment_c import check_generation_config

        check_generation_config(cfg)
    from semcom_pipeline.plugins import load_plugins
    from semcom_pipeline.registry_check import check_metric_options, check_names

    load_plugins(cfg.get("plugins", []))  # plugins register codecs / metrics / links first
    check_names(cfg)
    check_metric_options(cfg)


def validate_config(
    config: Mapping[str, Any],
    schema_path: str | os.PathLike | None = None,
    *,
    check_paths: bool = True,
) -> dict[str, Any]:
    """Return a validated copy of ``config`` with defaults filled; raise :class:`ConfigError`.

    ``check_paths=False`` skips checks of data on this machine (the image folder), for
    tools that need the config but not the data (``semcom fetch-weights``).
    """
    import jsonschema

    schema = yaml.safe_load(Path(schema_path or default_schema_path()).read_text())
    cfg = copy.deepcopy(dict(config))
    if "base" in cfg:
        cfg = resolve_base(cfg)
    _unlisted_experiments_off(cfg)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(cfg), key=lambda e: (list(e.absolute_path), e.message))
    non_finite = [
        f"{_key_path(path)}: {value} is not a finite number (NaN and infinity are not allowed)"
        for path, value in _non_finite(cfg)
    ]
    if errors or non_finite:
        lines = list(non_finite)
        for err in errors:
            where = _key_path(err.absolute_path)
            if err.validator == "additionalProperties":
                lines.append(f"{where}: {err.message} (unknown key: check for a typo)")
            else:
                lines.append(f"{where}: {err.message}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines))
    _fill_defaults(cfg, schema)
    _schedule(cfg)
    # Defaults may add nested mappings whose own defaults need filling, and must still validate.
    jsonschema.validate(cfg, schema, cls=jsonschema.Draft202012Validator)
    _semantic_checks(cfg, check_paths)
    return cfg


def load_config(
    path: str | os.PathLike,
    schema_path: str | os.PathLike | None = None,
    *,
    check_paths: bool = True,
) -> dict[str, Any]:
    """Read a YAML config file and validate it."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file '{p}' not found")
    raw = resolve_base(
        _read_yaml(p), search=[p.parent, Path.cwd(), default_schema_path().parents[2]]
    )
    return validate_config(raw, schema_path, check_paths=check_paths)
