"""JPEG through Pillow, with the quality found by bisection for a target bpp.

Settings are fixed to 4:2:0 chroma subsampling with optimised Huffman tables
(``optimize=True``): this reaches the lowest rates Pillow can (about 0.07-0.2
bpp at quality 1) and avoids the 4 dB loss of picking 4:4:4 at low rates (see
``shared/CODEC_FACTS.md``).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image

from semcom_codecs.base import Codec, Encoded, bpp_of

__all__ = ["JPEG", "jpeg_bytes"]

Q_MIN, Q_MAX = 1, 95


def jpeg_bytes(image: np.ndarray, quality: int, *, restart_marker_rows: int = 0) -> bytes:
    """Encode ``image`` with Pillow at ``quality`` (4:2:0, optimised Huffman tables)."""
    buf = io.BytesIO()
    kwargs: dict[str, Any] = {"quality": int(quality), "subsampling": 2, "optimize": True}
    if restart_marker_rows:
        kwargs["restart_marker_rows"] = int(restart_marker_rows)
    Image.fromarray(image, "RGB").save(buf, format="JPEG", **kwargs)
    return buf.getvalue()


class JPEG(Codec):
    """JPEG (Pillow / libjpeg-turbo) at the highest quality whose file is not above the target bpp."""

    name = "jpeg"
    kind = "digital"

    def __init__(self, restart_marker_rows: int = 0) -> None:
        self.restart_marker_rows = restart_marker_rows

    def _encode_q(self, image: np.ndarray, q: int, cache: dict[int, bytes]) -> bytes:
        if q not in cache:
            cache[q] = jpeg_bytes(image, q, restart_marker_rows=self.restart_marker_rows)
        return cache[q]

    def encode(self, image: np.ndarray, target_bpp: float) -> Encoded:
        if not target_bpp > 0:
            raise ValueError(f"jpeg: target bpp must be positive, got {target_bpp}")
        cache: dict[int, bytes] = {}
        size = lambda q: bpp_of(len(self._encode_q(image, q, cache)), image.shape)  # noqa: E731
        lo, hi = Q_MIN, Q_MAX
        # invariant: the answer lies in [lo, hi]; find the largest q with size(q) <= target
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if size(mid) <= target_bpp:
                lo = mid
            else:
                hi = mid - 1
        # bpp is not strictly monotone in quality (rare one-step dips): check neighbours
        candidates = [q for q in range(max(Q_MIN, lo - 2), min(Q_MAX, lo + 3) + 1)]
        under = [q for q in candidates if size(q) <= target_bpp]
        if under:
            best = max(under, key=lambda q: (size(q), q))
            data = self._encode_q(image, best, cache)
            achieved = bpp_of(len(data), image.shape)
            reached = achieved >= target_bpp * (1 - self.tolerance)
            note = "" if reached else (
                "target above what quality 95 reaches" if best == Q_MAX else "closest quality below target"
            )
        else:
            best = Q_MIN
            data = self._encode_q(image, best, cache)
            achieved = bpp_of(len(data), image.shape)
            reached = False
            note = f"unreachable: quality 1 gives {achieved:.4f} bpp > target"
        return Encoded(
            data=data,
            target_bpp=float(target_bpp),
            achieved_bpp=achieved,
            payload_bpp=achieved,
            reached=reached,
            params={"quality": best, "subsampling": "4:2:0", "optimize": True},
            note=note,
        )

    def decode(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            arr = np.asarray(img.convert("RGB"))
        if arr.shape != tuple(shape):
            raise ValueError(f"jpeg: decoded shape {arr.shape} differs from expected {tuple(shape)}")
        return arr

    def describe(self) -> dict[str, Any]:
        import PIL

        return {**super().describe(), "library": f"Pillow {PIL.__version__}"}
