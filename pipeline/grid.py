"""One naming of grid points, used for both folder names and the ``condition`` column.

A grid point is written ``<key>=<value><unit>``: ``bpp=0.5`` (Experiment A),
``snr=4dB`` (Experiment B), ``noise=200,v=0`` (Experiment C: noise level and
variation), ``rotation=15`` (Experiment D, the transform's name as key). The same token names the folder ``results/<exp>/<system>/<token>/``
and fills the ``condition`` column of ``scores.csv``, so a row names its folder.
Values are written with :func:`fmt_num` (``%g``: ``1.0`` -> ``1``, ``-3`` -> ``-3``).
"""

from __future__ import annotations

import re

__all__ = [
    "bpp_point",
    "fmt_num",
    "noise_point",
    "parse_point",
    "point_value",
    "snr_point",
    "strength_point",
]

_POINT = re.compile(
    r"^(?P<key>[a-z_]+)=(?P<value>-?[0-9.]+(?:e[-+]?[0-9]+)?)(?P<unit>dB)?(?:,v=[0-9]+)?$"
)


def fmt_num(x: float) -> str:
    """Compact, stable text for a grid value (used in folder names, wildcards and rows)."""
    return f"{float(x):g}"


def bpp_point(bpp: float) -> str:
    """Experiment A: ``bpp=0.5``."""
    return f"bpp={fmt_num(bpp)}"


def snr_point(snr_db: float) -> str:
    """Experiment B: ``snr=4dB`` (the SNR definition is a column of its own)."""
    return f"snr={fmt_num(snr_db)}dB"


def noise_point(noise_level: int, variation: int) -> str:
    """Experiment C: ``noise=200,v=0`` (embedding-noise level, variation index)."""
    return f"noise={int(noise_level)},v={int(variation)}"


def strength_point(transform: str, strength: float) -> str:
    """Experiment D: ``rotation=15``."""
    return f"{transform}={fmt_num(strength)}"


def parse_point(token: str) -> tuple[str, float]:
    """``'snr=4dB'`` -> ``('snr', 4.0)``; a token not made by this module is an error."""
    m = _POINT.match(token)
    if not m:
        raise ValueError(f"'{token}' is not a grid point (expected e.g. bpp=0.5, snr=4dB)")
    return m.group("key"), float(m.group("value"))


def point_value(token: str) -> float:
    """The number of a grid point, for numeric sorting (NaN for a token of another form)."""
    try:
        return parse_point(token)[1]
    except ValueError:
        return float("nan")
