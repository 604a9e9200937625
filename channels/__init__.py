"""Channels for semantic-communication experiments, built on Sionna 2.x PHY blocks.

- :class:`DigitalLink`: bytes -> 5G LDPC -> constellation -> AWGN -> LLRs -> LDPC BP -> bytes.
- :class:`AnalogLink`: complex JSCC symbols -> AWGN (optionally snapped to 16QAM first).
- :func:`modulation_for_snr`, :data:`DEFAULT_SCHEDULE`, :func:`bpp_budget`: Experiment B.

SNR is Es/N0 in dB with unit symbol energy (``N0 = 10**(-snr/10)``) unless a link
is built with ``snr_def="Eb/N0"``. Sionna is imported on first use. The links (and with
them torch) are imported on first access, so the modulation list and the default
schedule can be read where torch must not load (the workflow's config check).
"""

from __future__ import annotations

import importlib
from typing import Any

from semcom_channels.modulation import (
    DEFAULT_SCHEDULE,
    MODULATIONS,
    ScheduleEntry,
    bits_per_symbol,
    bpp_budget,
    get_modulation,
    modulation_for_snr,
)
from semcom_channels.snr import validate_snr_db

_LAZY = {
    "AnalogLink": "semcom_channels.analog",
    "AnalogRecord": "semcom_channels.analog",
    "DigitalLink": "semcom_channels.digital",
    "LinkRecord": "semcom_channels.digital",
}

__all__ = [
    "DEFAULT_SCHEDULE",
    "MODULATIONS",
    "AnalogLink",
    "AnalogRecord",
    "DigitalLink",
    "LinkRecord",
    "ScheduleEntry",
    "bits_per_symbol",
    "bpp_budget",
    "get_modulation",
    "modulation_for_snr",
    "validate_snr_db",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'semcom_channels' has no attribute {name!r}")
