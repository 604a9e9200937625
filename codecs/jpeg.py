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

from semcom_codecs.base import Codec, RateSearch, bisect_int

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

    rate_param = "quality"
    rate_range = (Q_MIN, Q_MAX)

    def encode_at(self, image: np.ndarray, param: int) -> bytes:
        return jpeg_bytes(image, param, restart_marker_rows=self.restart_marker_rows)

    def search_rate(self, search: RateSearch, target_bpp: float) -> list[int]:
        """Bisect the quality, then look at its neighbours: bpp is not strictly monotone
        in quality (rare one-step dips)."""
        q = bisect_int(search.bpp, target_bpp, Q_MIN, Q_MAX)
        return list(range(max(Q_MIN, q - 2), min(Q_MAX, q + 3) + 1))

    def payload_bytes(self, data: bytes) -> int:
        return jpeg_payload_bytes(data)

    def settings(self, image: np.ndarray, param: int, search: RateSearch) -> dict[str, Any]:
        return {
            "quality": param,
            "subsampling": "4:2:0",
            "optimize": True,
            "restart_marker_rows": self.restart_marker_rows,
        }

    def decode(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        return _decode_jpeg(data, shape, truncated_ok=False)

    def decode_damaged(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        """Decode with Pillow's ``LOAD_TRUNCATED_IMAGES``: missing data comes out grey/black."""
        return _decode_jpeg(data, shape, truncated_ok=True)

    def coded_bytes(self, data: bytes) -> int | None:
        """Entropy-coded bytes after the first scan header (0 for a headers-only stream)."""
        if data.find(b"\xff\xda") < 0:
            return 0
        return jpeg_payload_bytes(data)

    def describe(self) -> dict[str, Any]:
        import PIL

        return {
            **super().describe(),
            "library": f"Pillow {PIL.__version__}",
            "restart_marker_rows": self.restart_marker_rows,
        }
