"""Validation of ``config.yaml`` against the workflow's JSON schema, plus checks a schema cannot express.

:func:`validate_config` fills defaults and raises :class:`ConfigError` naming the
offending key (``experiments.A.bpp[1]: -0.5 is less than or equal to the minimum of 0``)
before any job runs.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ConfigError", "default_schema_path", "load_config", "validate_config"]


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


def _semantic_checks(cfg: dict[str, Any]) -> None:
    sample = cfg["sample"]
    if sample["source"] == "folder":
        folder = sample.get("folder")
        if not folder:
            raise ConfigError("sample.folder: required when sample.source is 'folder'")
        if not Path(os.path.expanduser(folder)).is_dir():
            raise ConfigError(f"sample.folder: directory '{folder}' does not exist")
    c = cfg.get("experiments", {}).get("C", {})
    if c.get("enabled"):
        model = c.get("model")
        where = (
            f"the model '{model}' was not found"
            if model
            else "no model is configured (experiments.C.model)"
        )
        raise ConfigError(
            "experiments.C: unCLIP regeneration needs a Stable Diffusion image-variation pipeline "
            "(diffusers' StableUnCLIPImg2ImgPipeline with e.g. stabilityai/stable-diffusion-2-1-unclip) "
            f"downloaded to a local folder; {where}, and this version of the workflow ships no "
            "regeneration stage. Set experiments.C.enabled: false."
        )
    from semcom_pipeline.plugins import load_plugins
    from semcom_pipeline.registry_check import check_names

    load_plugins(cfg.get("plugins", []))  # plugins register codecs / metrics / links first
    check_names(cfg)


def validate_config(
    config: Mapping[str, Any], schema_path: str | os.PathLike | None = None
) -> dict[str, Any]:
    """Return a validated copy of ``config`` with defaults filled; raise :class:`ConfigError`."""
    import jsonschema

    schema = yaml.safe_load(Path(schema_path or default_schema_path()).read_text())
    cfg = copy.deepcopy(dict(config))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(cfg), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        lines = []
        for err in errors:
            where = _key_path(err.absolute_path)
            if err.validator == "additionalProperties":
                lines.append(f"{where}: {err.message} (unknown key: check for a typo)")
            else:
                lines.append(f"{where}: {err.message}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines))
    _fill_defaults(cfg, schema)
    # Defaults may add nested mappings whose own defaults need filling, and must still validate.
    jsonschema.validate(cfg, schema, cls=jsonschema.Draft202012Validator)
    _semantic_checks(cfg)
    return cfg


def load_config(
    path: str | os.PathLike, schema_path: str | os.PathLike | None = None
) -> dict[str, Any]:
    """Read a YAML config file and validate it."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file '{p}' not found")
    try:
        raw = yaml.safe_load(p.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: the top level must be a mapping")
    return validate_config(raw, schema_path)
