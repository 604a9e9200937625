"""The codec interface: images in, bitstreams (or channel symbols) out, driven by bits per pixel.

``bpp`` always counts every byte of the file the codec writes, headers included:
``len(data) * 8 / (H * W)``.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

__all__ = ["Codec", "Encoded", "bpp_of", "check_image"]


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

    @abc.abstractmethod
    def encode(self, image: np.ndarray, target_bpp: float) -> Encoded:
        """Encode a uint8 ``(H, W, 3)`` image at (or just below) ``target_bpp``."""

    @abc.abstractmethod
    def decode(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        """Decode ``data`` to a uint8 image of ``shape``; raise on failure."""

    def decode_damaged(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        """Best-effort decode of a damaged stream (library salvage modes); raise when hopeless.

        Defaults to :meth:`decode`; codecs whose library can salvage truncated or
        corrupt data override it. Used by :func:`semcom_codecs.safe.safe_decode`.
        """
        return self.decode(data, shape)

    def describe(self) -> dict[str, Any]:
        """Name, kind and library version, for provenance."""
        return {"codec": self.name, "kind": self.kind}
