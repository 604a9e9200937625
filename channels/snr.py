"""SNR validation and conversion, shared by the digital and the analog link.

One definition everywhere (also used by the learned JSCC codec):

- ``Es/N0`` in dB with unit average symbol energy ``Es = 1``, so the noise
  power per complex channel use is ``N0 = 10 ** (-snr_db / 10)``, i.e. complex
  Gaussian noise with variance ``N0 / 2`` per real dimension (Sionna's ``AWGN``).
- ``Eb/N0`` (energy per *information* bit) is offered for coded links:
  ``Es/N0 [dB] = Eb/N0 [dB] + 10 log10(bits_per_symbol * code_rate)``,
  the same relation Sionna's ``ebnodb2no`` implements.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from semcom_core.phy import esno_db_to_no

__all__ = [
    "SNR_DEFS",
    "check_snr_def",
    "ebno_to_esno_db",
    "esno_db_to_no",
    "validate_snr_db",
]

SNR_DEFS = ("Es/N0", "Eb/N0")


def validate_snr_db(snr_db: object) -> float:
    """Return ``snr_db`` as a finite float or raise a ``ValueError`` naming the problem.

    Strings, booleans, NaN and +-inf are rejected (use a large finite value,
    e.g. 100 dB, for a practically noiseless reference).
    """
    if isinstance(snr_db, bool) or not isinstance(snr_db, Real | np.number):
        raise ValueError(  # noqa: TRY004 - the links promise ValueError for any bad SNR
            f"snr_db must be a real number in dB, got {snr_db!r} ({type(snr_db).__name__})"
        )
    value = float(snr_db)
    if math.isnan(value):
        raise ValueError("snr_db is NaN; give a finite SNR in dB")
    if math.isinf(value):
        raise ValueError(
            f"snr_db must be finite, got {value}; use a large finite value (e.g. 100 dB) "
            "for a noiseless reference"
        )
    return value


def check_snr_def(snr_def: str) -> str:
    """Return ``snr_def`` if it is ``"Es/N0"`` or ``"Eb/N0"``, else raise ``ValueError``."""
    if snr_def not in SNR_DEFS:
        raise ValueError(f"unknown snr_def {snr_def!r}; valid: {', '.join(SNR_DEFS)}")
    return snr_def


def ebno_to_esno_db(ebno_db: float, bits_per_symbol: int, code_rate: float) -> float:
    """``Es/N0 = Eb/N0 + 10 log10(bits_per_symbol * code_rate)`` (all in dB)."""
    return float(ebno_db) + 10.0 * math.log10(bits_per_symbol * code_rate)
