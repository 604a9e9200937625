"""Codec registry: name -> class. Adding a codec is one class plus one line here."""

from __future__ import annotations

import importlib
from typing import Any

from semcom_codecs.base import Codec

__all__ = ["available_codecs", "build_codec", "get_codec_class", "register_codec"]

_CODECS: dict[str, str] = {
    "jpeg": "semcom_codecs.jpeg:JPEG",
    "jpeg2000": "semcom_codecs.jpeg2000:JPEG2000",
    "bpg": "semcom_codecs.bpg:BPG",
    "deepjscc": "semcom_codecs.deepjscc:DeepJSCCCodec",
}


def available_codecs() -> list[str]:
    return sorted(_CODECS)


def register_codec(name: str, target: str | type[Codec]) -> None:
    """Register a codec class (or ``"module:Class"``) under ``name``, e.g. from a plugin module."""
    _CODECS[name] = target if isinstance(target, str) else f"{target.__module__}:{target.__name__}"


def get_codec_class(name: str) -> type[Codec]:
    """The class registered under ``name`` (imports its module); unknown names list the valid ones."""
    key = name.strip().lower()
    if key not in _CODECS:
        raise KeyError(f"unknown codec '{name}'; available: {', '.join(available_codecs())}")
    module, cls = _CODECS[key].split(":")
    return getattr(importlib.import_module(module), cls)


def build_codec(name: str, **options: Any) -> Codec:
    """Instantiate codec ``name``; an unknown name lists the valid ones."""
    key = name.strip().lower()
    klass = get_codec_class(key)
    try:
        return klass(**options)
    except TypeError as exc:
        raise TypeError(f"codec '{key}': bad options {sorted(options)}: {exc}") from None
