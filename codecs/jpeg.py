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

from semcom_codecs.base import Codec, Encoded, bpp_of, check_image

__all__ = ["JPEG", "jpeg_bytes", "jpeg_payload_bytes"]

Q_MIN, Q_MAX = 1, 95


def jpeg_bytes(image: np.ndarray, quality: int, *, restart_marker_rows: int = 0) -> bytes:
    """Encode ``image`` with Pillow at ``quality`` (4:2:0, optimised Huffman tables)."""
    buf = io.BytesIO()
    kwargs: dict[str, Any] = {"quality": int(quality), "subsampling": 2, "optimize": True}
    if restart_marker_rows:
        kwargs["restart_marker_rows"] = int(restart_marker_rows)
    Image.fromarray(image, "RGB").save(buf, format="JPEG", **kwargs)
    return buf.getvalue()


def jpeg_payload_bytes(data: bytes) -> int:
    """Entropy-coded bytes: from the end of the first SOS header to the end (EOI excluded).

    Excludes the JFIF/quantisation/Huffman header segments. Returns ``len(data)``
    when no SOS marker is found.
    """
    sos = data.find(b"\xff\xda")
    if sos < 0 or sos + 4 > len(data):
        return len(data)
    header_end = sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")
    end = len(data) - 2 if data.endswith(b"\xff\xd9") else len(data)
    return max(0, end - header_end)


def _decode_jpeg(data: bytes, shape: tuple[int, int, int], truncated_ok: bool) -> np.ndarray:
    from PIL import ImageFile

    h, w = int(shape[0]), int(shape[1])
    with Image.open(io.BytesIO(data)) as img:
        # checked before decoding: a flipped frame-header bit can change the size or mode
        if img.size != (w, h) or img.mode != "RGB":
            raise ValueError(
                f"jpeg: stream says {img.mode} {img.size[1]}x{img.size[0]}, expected RGB {h}x{w}"
            )
        old = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok
        try:
            img.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = old
        arr = np.asarray(img)
    if arr.shape != tuple(shape) or arr.dtype != np.uint8:
        raise ValueError(f"jpeg: decoded shape {arr.shape} differs from expected {tuple(shape)}")
    return arr


class JPEG(Codec):
    """JPEG (Pillow / libjpeg-turbo) at the highest quality whose file is not above the target bpp."""

    name = "jpeg"
    display_name = "JPEG"
    kind = "digital"

    def __init__(self, restart_marker_rows: int = 0) -> None:
        self.restart_marker_rows = restart_marker_rows

    def _encode_q(self, image: np.ndarray, q: int, cache: dict[int, bytes]) -> bytes:
        if q not in cache:
            cache[q] = jpeg_bytes(image, q, restart_marker_rows=self.restart_marker_rows)
        return cache[q]

    def encode(self, image: np.ndarray, target_bpp: float) -> Encoded:
        check_image(image, self.name)
        if not target_bpp > 0:
            raise ValueError(f"jpeg: target bpp must be positive, got {target_bpp}")
        cache: dict[int, bytes] = {}
        size = lambda q: bpp_of(len(self._encode_q(image, q, cache)), image.shape)
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
            note = (
                ""
                if reached
                else (
                    "target above what quality 95 reaches"
                    if best == Q_MAX
                    else "closest quality below target"
                )
            )
        else:
            best = min(candidates, key=lambda q: (size(q), -q))  # smallest file (not always q=1)
            data = self._encode_q(image, best, cache)
            achieved = bpp_of(len(data), image.shape)
            reached = False
            note = f"unreachable: the smallest file (quality {best}) is {achieved:.4f} bpp > target"
        return Encoded(
            data=data,
            target_bpp=float(target_bpp),
            achieved_bpp=achieved,
            payload_bpp=bpp_of(jpeg_payload_bytes(data), image.shape),
            reached=reached,
            params={
                "quality": best,
                "subsampling": "4:2:0",
                "optimize": True,
                "restart_marker_rows": self.restart_marker_rows,
            },
            note=note,
        )

    def decode(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        return _decode_jpeg(data, shape, truncated_ok=False)

    def decode_damaged(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        """Decode with Pillow's ``LOAD_TRUNCATED_IMAGES``: missing data comes out grey/black."""
        return _decode_jpeg(data, shape, truncated_ok=True)

    def describe(self) -> dict[str, Any]:
        import PIL

        return {
            **super().describe(),
            "library": f"Pillow {PIL.__version__}",
            "restart_marker_rows": self.restart_marker_rows,
        }
