"""Codec registry: name -> class. Adding a codec is one class plus one line here."""

from __future__ import annotations

import importlib
from typing import Any

from semcom_codecs.base import Codec

__all__ = ["available_codecs", "build_codec"]

_CODECS: dict[str, str] = {
    "jpeg": "semcom_codecs.jpeg:JPEG",
    "jpeg2000": "semcom_codecs.jpeg2000:JPEG2000",
    "bpg": "semcom_codecs.bpg:BPG",
    "deepjscc": "semcom_codecs.deepjscc:DeepJSCCCodec",
}


def available_codecs() -> list[str]:
    return sorted(_CODECS)


def build_codec(name: str, **options: Any) -> Codec:
    """Instantiate codec ``name``; an unknown name lists the valid ones."""
    key = name.strip().lower()
    if key not in _CODECS:
        raise KeyError(f"unknown codec '{name}'; available: {', '.join(available_codecs())}")
    module, cls = _CODECS[key].split(":")
    klass = getattr(importlib.import_module(module), cls)
    try:
        return klass(**options)
    except TypeError as exc:
        raise TypeError(f"codec '{key}': bad options {sorted(options)}: {exc}") from None
