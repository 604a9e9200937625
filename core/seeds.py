"""The one seed derivation of the toolkit: a child seed from the run's master seed and names.

Every random draw of a run (channel noise, a seeded sample, a training crop) takes its
seed from :func:`derive_seed` with the names that identify the work: the experiment, the
grid point (system and SNR, codec and rate, ...) and the image id. The seed then depends
only on *what* is computed, never on job order, batch position or ``sample.count``:
adding images to a run leaves every result already computed unchanged.
"""

from __future__ import annotations

import hashlib
from numbers import Integral

__all__ = ["SEED_BITS", "derive_seed", "validate_seed"]

#: Derived seeds fit in 63 bits, so NumPy, ``torch.Generator.manual_seed`` and JSON take them.
SEED_BITS = 63


def validate_seed(seed: object) -> int:
    """Return ``seed`` as an int in ``[0, 2**64)`` or raise ``ValueError`` naming the problem."""
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        raise ValueError(f"seed must be an integer, got {seed!r}")  # noqa: TRY004
    value = int(seed)
    if not 0 <= value < 2**64:
        raise ValueError(f"seed must be in [0, 2**64), got {value}")
    return value


def derive_seed(master: int, *parts: object) -> int:
    """A 63-bit seed from ``master`` and the names of the work, e.g. ``("B", grid_point, image_id)``.

    The parts are joined as text (``str``), so ``1.0`` and ``"1.0"`` give the same seed;
    name grid points with their canonical labels (``f"{snr_db:g}"``). SHA-256 makes the
    result identical across processes, machines and Python versions, and unrelated for
    any two different part lists.

    >>> derive_seed(0, "B", "jpeg2000+ldpc-16qam", "snr=4dB", "astronaut")
    7053840794711681997
    >>> derive_seed(0, "B", "a") != derive_seed(0, "B", "b")
    True
    """
    text = "|".join([str(validate_seed(master)), *map(str, parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> (64 - SEED_BITS)
