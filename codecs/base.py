"""The codec interface: images in, bitstreams (or channel symbols) out, driven by bits per pixel.

``bpp`` always counts every byte of the file the codec writes, headers included:
``len(data) * 8 / (H * W)``.

Rate control is shared (CompressAI's ``find_closest`` idea): a codec supplies
:meth:`Codec.encode_at` (its bytes at one setting of its rate parameter) and, where
the default bisection over an integer range does not fit, :meth:`Codec.search_rate`;
the base class's :meth:`Codec.encode` runs the search through a cached
:class:`RateSearch` and :func:`pick_closest` chooses the file and records
``reached`` / ``note`` the same way for every codec.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

__all__ = [
    "Codec",
    "Encoded",
    "RatePick",
    "RateSearch",
    "bisect_int",
    "bpp_of",
    "check_image",
    "check_target",
    "pick_closest",
]


def bpp_of(n_bytes: int, shape: tuple[int, ...]) -> float:
    """Bits per pixel of ``n_bytes`` for an image of ``shape`` ``(H, W, ...)``."""
    return n_bytes * 8.0 / (shape[0] * shape[1])


def check_image(image: np.ndarray, who: str = "codec") -> None:
    """Raise ``ValueError`` unless ``image`` is a uint8 ``(H, W, 3)`` array with H, W >= 1."""
    if not isinstance(image, np.ndarray):
        raise TypeError(f"{who}: expected a numpy array, got {type(image).__name__}")
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(
            f"{who}: expected a uint8 (H, W, 3) image, got {image.dtype} {image.shape}"
        )
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"{who}: empty image {image.shape}")


def check_target(target_bpp: object, who: str = "codec", name: str = "target_bpp") -> float:
    """``target_bpp`` as a float; TypeError for a non-number (a string, a bool), ValueError
    for one that is not finite and positive. The message names the argument and the value."""
    if isinstance(target_bpp, (bool, np.bool_)) or not isinstance(
        target_bpp, (int, float, np.integer, np.floating)
    ):
        raise TypeError(
            f"{who}: {name} must be a number (bits per pixel), got "
            f"{type(target_bpp).__name__} {target_bpp!r}"
        )
    value = float(target_bpp)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{who}: {name} must be a finite positive number, got {target_bpp!r}")
    return value


@dataclass(frozen=True)
class RatePick:
    """The setting chosen for a target: its parameter, bpp, and whether the target was met."""

    param: Any
    bpp: float
    reached: bool
    note: str


def pick_closest(
    bpps: Mapping[Any, float],
    target_bpp: float,
    tolerance: float,
    *,
    rate_key: Callable[[Any], Any] = lambda p: p,
    top: Any = None,
    label: str = "parameter",
) -> RatePick:
    """The largest rate not above ``target_bpp`` among ``bpps`` (parameter -> bpp).

    ``rate_key`` orders parameters by rate (ties of bpp go to the higher rate);
    ``top`` is the parameter of the codec's highest rate. When no parameter is at or
    under the target the smallest file is returned with ``reached=False`` and a note
    starting ``unreachable``; a pick under the target counts as reached when it is
    within ``tolerance`` (relative) of it.
    """
    if not bpps:
        raise ValueError("pick_closest: no rate was tried")
    under = [p for p, b in bpps.items() if b <= target_bpp]
    if not under:
        smallest = min(bpps.values())  # ties: the higher rate (same size, better setting)
        p = max((q for q in bpps if bpps[q] == smallest), key=rate_key)
        return RatePick(
            p,
            bpps[p],
            False,
            f"unreachable: the smallest file ({label} {p}) is {bpps[p]:.4f} bpp > target",
        )
    p = max(under, key=lambda q: (bpps[q], rate_key(q)))
    if bpps[p] >= target_bpp * (1 - tolerance):
        return RatePick(p, bpps[p], True, "")
    if p == top or bpps[p] >= max(bpps.values()):
        return RatePick(p, bpps[p], False, f"target above the codec's highest rate ({label} {p})")
    return RatePick(p, bpps[p], False, f"closest rate below target ({label} {p})")


def bisect_int(bpp: Callable[[int], float], target_bpp: float, lo: int, hi: int) -> int:
    """The highest-rate integer parameter in ``[lo, hi]`` whose bpp is not above the target.

    ``lo`` is the lowest-rate end (``lo > hi`` when the rate falls as the parameter
    grows, as for a quantiser). Assumes bpp monotone in the parameter; returns ``lo``
    when even it is above the target.
    """
    step = 1 if hi >= lo else -1
    a, b = (lo, hi) if step == 1 else (hi, lo)
    # invariant: the answer lies in [a, b]
    while a < b:
        if step == 1:
            mid = (a + b + 1) // 2
            a, b = (mid, b) if bpp(mid) <= target_bpp else (a, mid - 1)
        else:
            mid = (a + b) // 2
            a, b = (a, mid) if bpp(mid) <= target_bpp else (mid + 1, b)
    return a


class RateSearch:
    """Encodes of one image at the parameters a search tries, each made once.

    ``encode_at(param) -> bytes``; :meth:`bpp` encodes (or reuses) and returns the bpp.
    """

    def __init__(self, encode_at: Callable[[Any], bytes], shape: tuple[int, ...]) -> None:
        self._encode_at = encode_at
        self.shape = shape
        self.tried: dict[Hashable, bytes] = {}

    def bpp(self, param: Hashable) -> float:
        if param not in self.tried:
            self.tried[param] = self._encode_at(param)
        return bpp_of(len(self.tried[param]), self.shape)

    def bpps(self, params: Iterable[Hashable] | None = None) -> dict[Any, float]:
        """Parameter -> bpp of ``params`` (default: everything tried)."""
        return {p: self.bpp(p) for p in (self.tried if params is None else params)}


@dataclass
class Encoded:
    """One encoded image.

    data: the whole file as written (container and headers included).
    target_bpp: what was asked for.
    achieved_bpp: ``len(data) * 8 / pixels``.
    payload_bpp: bpp without container headers (equals achieved_bpp when there are none).
    reached: True when achieved_bpp is within the codec's tolerance of the target,
        False when the codec cannot reach it and returned the closest it could.
    params: the codec settings chosen (quality, ratio...).
    note: a human-readable remark (why a target was unreachable...).
    """

    data: bytes
    target_bpp: float
    achieved_bpp: float
    payload_bpp: float
    reached: bool
    params: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    def record(self) -> dict[str, Any]:
        """Flat provenance for result tables (no bitstream)."""
        return {
            "target_bpp": self.target_bpp,
            "achieved_bpp": self.achieved_bpp,
            "payload_bpp": self.payload_bpp,
            "bytes": len(self.data),
            "reached": self.reached,
            "note": self.note,
            **{f"param_{k}": v for k, v in self.params.items()},
        }


class Codec(abc.ABC):
    """An image codec driven by a target bits-per-pixel.

    ``kind`` is ``digital`` (the bitstream goes through a digital link) or
    ``analog`` (channel symbols go through the channel directly).
    """

    name: ClassVar[str]
    display_name: ClassVar[str] = ""  # figure titles and legends (``JPEG2000``); default ``name``
    kind: ClassVar[str] = "digital"
    #: relative tolerance within which a target counts as reached
    tolerance: ClassVar[float] = 0.05
    #: run decodes of untrusted data in a guarded child process (see ``semcom_codecs.safe``)
    guard_decode: ClassVar[bool] = True

    #: rate parameter: its name in ``Encoded.params`` and its integer range, lowest rate
    #: first (``(1, 95)`` for JPEG quality, ``(51, 0)`` for a quantiser); see :meth:`search_rate`
    rate_param: ClassVar[str] = "parameter"
    rate_range: ClassVar[tuple[int, int] | None] = None

    def encode(self, image: np.ndarray, target_bpp: float) -> Encoded:
        """Encode a uint8 ``(H, W, 3)`` image at (or just below) ``target_bpp``.

        The template: check the input, :meth:`search_rate` over :meth:`encode_at`,
        :func:`pick_closest` among the parameters the search returns, then
        :meth:`settings` and :meth:`payload_bytes` describe the chosen file.
        """
        check_image(image, self.name)
        target = check_target(target_bpp, self.name)
        search = RateSearch(lambda p: self.encode_at(image, p), image.shape)
        candidates = self.search_rate(search, target)
        pick = pick_closest(
            search.bpps(candidates),
            target,
            self.tolerance,
            rate_key=self.rate_key,
            top=self.rate_range[1] if self.rate_range else None,
            label=self.rate_param,
        )
        data = search.tried[pick.param]
        return Encoded(
            data=data,
            target_bpp=target,
            achieved_bpp=pick.bpp,
            payload_bpp=bpp_of(self.payload_bytes(data), image.shape),
            reached=pick.reached,
            params=self.settings(image, pick.param, search),
            note=pick.note,
        )

    def encode_at(self, image: np.ndarray, param: Any) -> bytes:
        """The file of ``image`` at one setting of the rate parameter (codecs with a search)."""
        raise NotImplementedError(f"{self.name}: no encode_at; the codec overrides encode()")

    def search_rate(self, search: RateSearch, target_bpp: float) -> Iterable[Hashable] | None:
        """Try parameters through ``search``; return those to choose from (None: all tried).

        Default: :func:`bisect_int` over :attr:`rate_range`, choosing its answer.
        """
        if self.rate_range is None:
            raise NotImplementedError(f"{self.name}: set rate_range or override search_rate")
        lo, hi = self.rate_range
        return [bisect_int(search.bpp, target_bpp, lo, hi)]

    def rate_key(self, param: Any) -> Any:
        """Orders parameters by the rate they give (default: by :attr:`rate_range`'s direction)."""
        if self.rate_range and self.rate_range[1] < self.rate_range[0]:
            return -param
        return param

    def payload_bytes(self, data: bytes) -> int:
        """Bytes of ``data`` without container headers (default: all of them)."""
        return len(data)

    def settings(self, image: np.ndarray, param: Any, search: RateSearch) -> dict[str, Any]:
        """``Encoded.params`` for the chosen parameter (default: just the parameter)."""
        return {self.rate_param: param}

    @abc.abstractmethod
    def decode(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        """Decode ``data`` to a uint8 image of ``shape``; raise on failure."""

    def decode_damaged(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        """Best-effort decode of a damaged stream (library salvage modes); raise when hopeless.

        Defaults to :meth:`decode`; codecs whose library can salvage truncated or
        corrupt data override it. Used by :func:`semcom_codecs.safe.safe_decode`.
        """
        return self.decode(data, shape)

    def coded_bytes(self, data: bytes) -> int | None:
        """Bytes of coded image data in ``data`` (headers and markers excluded), or None
        when the codec cannot tell. ``0`` means a headers-only stream: whatever a decoder
        makes of it carries nothing of the image, so
        :func:`semcom_codecs.safe.safe_decode` counts it as a failed decode."""
        return None

    def describe(self) -> dict[str, Any]:
        """Name, kind and library version, for provenance."""
        return {"codec": self.name, "kind": self.kind}
