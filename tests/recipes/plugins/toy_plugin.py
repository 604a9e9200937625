"""A codec and a metric added from outside the library, exactly as docs/architecture.md says.

Listed under ``plugins:`` in a config; importing it registers both names.
"""

from __future__ import annotations

import numpy as np

from semcom_codecs.base import Codec, Encoded, bpp_of, check_image
from semcom_codecs.registry import register_codec
from semcom_metrics.base import Metric
from semcom_metrics.registry import register_metric


class Posterize(Codec):
    """Keep the top ``b`` bits of each channel (1..8, the most that fit ``target_bpp`` with the
    one-byte header), bit-packed."""

    name = "posterize"
    display_name = "Posterize"
    kind = "digital"

    def encode(self, image: np.ndarray, target_bpp: float) -> Encoded:
        check_image(image, self.name)
        pixels = image.shape[0] * image.shape[1]
        bits = int(min(8, max(1, (target_bpp * pixels - 8) // (3 * pixels))))
        planes = (image >> (8 - bits)).astype(np.uint8)
        packed = np.unpackbits(planes[..., None], axis=-1)[..., 8 - bits :]
        data = bytes([bits]) + np.packbits(packed.ravel()).tobytes()
        achieved = bpp_of(len(data), image.shape)
        return Encoded(
            data=data,
            target_bpp=float(target_bpp),
            achieved_bpp=achieved,
            payload_bpp=achieved,
            reached=achieved <= target_bpp * (1 + self.tolerance),
            params={"bits": bits},
        )

    def decode(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        bits = data[0]
        n = int(np.prod(shape)) * bits
        flat = np.unpackbits(np.frombuffer(data[1:], dtype=np.uint8))[:n]
        if flat.size != n:
            raise ValueError(f"posterize: stream too short for {shape}")
        planes = np.packbits(
            np.concatenate([np.zeros((n // bits, 8 - bits), np.uint8), flat.reshape(-1, bits)], 1),
            axis=1,
        )
        return (planes.reshape(shape) << (8 - bits)).astype(np.uint8)


class MeanAbsDiff(Metric):
    """Mean absolute difference in grey levels (0 for identical images)."""

    name = "mad"
    display_name = "Mean abs. difference"
    unit = "grey levels"
    higher_is_better = False
    value_range = (0.0, 255.0)

    def _score_pairs(self, pairs):
        return [float(np.abs(r.astype(float) - t.astype(float)).mean()) for r, t in pairs]


register_codec("posterize", Posterize)
register_metric("mad", MeanAbsDiff)
