"""Channels for semantic-communication experiments, built on Sionna 2.x PHY blocks.

- :class:`DigitalLink`: bytes -> 5G LDPC -> constellation -> AWGN -> LLRs -> LDPC BP -> bytes.
- :class:`AnalogLink`: complex JSCC symbols -> AWGN (optionally snapped to 16QAM first).
- :func:`modulation_for_snr`, :data:`DEFAULT_SCHEDULE`, :func:`bpp_budget`: Experiment B.

SNR is Es/N0 in dB with unit symbol energy (``N0 = 10**(-snr/10)``) unless a link
is built with ``snr_def="Eb/N0"``. Sionna is imported on first use.
"""

from semcom_channels.analog import AnalogLink, AnalogRecord
from semcom_channels.digital import DigitalLink, LinkRecord
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
