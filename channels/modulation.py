"""Modulations, the Experiment B modulation schedule, and the bpp budget a link carries.

Names map to Sionna constellations: BPSK is ``("pam", 1)``, QPSK ``("qam", 2)``,
16QAM ``("qam", 4)``, 64QAM ``("qam", 6)``; all Gray-labelled with unit average
energy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from semcom_channels.snr import validate_snr_db

__all__ = [
    "DEFAULT_SCHEDULE",
    "MODULATIONS",
    "Modulation",
    "ScheduleEntry",
    "bits_per_symbol",
    "bpp_budget",
    "get_modulation",
    "modulation_for_snr",
]


@dataclass(frozen=True)
class Modulation:
    """A named constellation: Sionna ``constellation_type`` and bits per symbol."""

    name: str
    constellation_type: str
    bits_per_symbol: int


MODULATIONS: dict[str, Modulation] = {
    "bpsk": Modulation("bpsk", "pam", 1),
    "qpsk": Modulation("qpsk", "qam", 2),
    "16qam": Modulation("16qam", "qam", 4),
    "64qam": Modulation("64qam", "qam", 6),
}
_ALIASES = {"qam4": "qpsk", "4qam": "qpsk", "qam16": "16qam", "qam64": "64qam"}


def get_modulation(name: str) -> Modulation:
    """Look up a modulation by name (case-insensitive; ``qam16`` etc. accepted).

    Raises ``ValueError`` listing the valid names for anything else.
    """
    key = str(name).strip().lower() if isinstance(name, str) else None
    key = _ALIASES.get(key, key)
    if key not in MODULATIONS:
        raise ValueError(
            f"unknown modulation {name!r}; valid: {', '.join(MODULATIONS)} "
            f"(aliases: {', '.join(_ALIASES)})"
        )
    return MODULATIONS[key]


def bits_per_symbol(name: str) -> int:
    """Bits per channel use of modulation ``name``."""
    return get_modulation(name).bits_per_symbol


@dataclass(frozen=True)
class ScheduleEntry:
    """Use ``modulation`` from ``from_snr_db`` (Es/N0, dB) upwards."""

    from_snr_db: float
    modulation: str

    def to_dict(self) -> dict:
        return {"from_snr_db": self.from_snr_db, "modulation": self.modulation}


# Es/N0 thresholds (dB) for rate-1/2 5G LDPC (20 BP iterations, boxplus-phi, APP
# demapping): each modulation takes over 1 dB above the Es/N0 where its BLER drops
# to <= 1e-2 at k = 2000 (measured with benchmarks/bler_channels.py, 100 blocks per
# point: BPSK -1.5, QPSK 1.5, 16QAM 7.0, 64QAM 11.5 dB; k = 8448 is 0.25-0.5 dB
# better). See docs/channels.md. The lowest entry also applies below its threshold; its
# threshold is finite so that the schedule can be written into a run's config file
# (the config's default is this tuple: semcom_pipeline.config).
DEFAULT_SCHEDULE: tuple[ScheduleEntry, ...] = (
    ScheduleEntry(-100.0, "bpsk"),
    ScheduleEntry(2.5, "qpsk"),
    ScheduleEntry(8.0, "16qam"),
    ScheduleEntry(12.5, "64qam"),
)


def _normalise_schedule(schedule) -> list[ScheduleEntry]:
    entries = []
    for e in schedule:
        if isinstance(e, ScheduleEntry):
            entries.append(e)
        elif isinstance(e, dict):
            try:
                entries.append(ScheduleEntry(float(e["from_snr_db"]), e["modulation"]))
            except KeyError as err:
                raise ValueError(
                    f"schedule entry {e!r} needs keys 'from_snr_db' and 'modulation'"
                ) from err
        elif isinstance(e, Sequence) and len(e) == 2:
            entries.append(ScheduleEntry(float(e[0]), e[1]))
        else:
            raise ValueError(f"schedule entry {e!r} is not (from_snr_db, modulation)")
    if not entries:
        raise ValueError("modulation schedule is empty")
    for e in entries:
        get_modulation(e.modulation)
        if math.isnan(e.from_snr_db):
            raise ValueError(f"schedule threshold is NaN in {e!r}")
    return sorted(entries, key=lambda e: e.from_snr_db)


def modulation_for_snr(snr_db: float, schedule=DEFAULT_SCHEDULE) -> str:
    """The modulation the schedule picks at ``snr_db`` (Es/N0, dB).

    ``schedule`` is a sequence of :class:`ScheduleEntry`, ``{"from_snr_db", "modulation"}``
    dicts or ``(from_snr_db, modulation)`` pairs, in any order. The entry with the
    largest threshold ``<= snr_db`` wins; below every threshold the lowest entry is used.
    """
    snr = validate_snr_db(snr_db)
    entries = _normalise_schedule(schedule)
    chosen = entries[0].modulation
    for e in entries:
        if snr >= e.from_snr_db:
            chosen = e.modulation
    return get_modulation(chosen).name


def bpp_budget(channel_uses_per_pixel: float, modulation: str, code_rate: float = 0.5) -> float:
    """Bits per pixel the link carries: ``cpp * bits_per_symbol * code_rate``.

    The source codec is asked for exactly this rate so every system in
    Experiment B spends the same channel uses per pixel.
    """
    cpp = float(channel_uses_per_pixel)
    if not math.isfinite(cpp) or cpp <= 0:
        raise ValueError(f"channel_uses_per_pixel must be a positive number, got {cpp}")
    rate = float(code_rate)
    if not 0 < rate <= 1:
        raise ValueError(f"code_rate must be in (0, 1], got {rate}")
    return cpp * get_modulation(modulation).bits_per_symbol * rate
