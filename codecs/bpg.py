"""BPG (Fabrice Bellard's HEVC-based image format) through the ``bpgenc`` / ``bpgdec`` binaries.

Optional: constructing :class:`BPG` without ``bpgenc`` and ``bpgdec`` on
``PATH`` (or given as arguments) raises :class:`FileNotFoundError` naming what
to install (https://bellard.org/bpg/, Debian has no package). The quantiser
``-q`` (0 = best .. 51 = smallest) is bisected for the largest file not above
the target; settings fixed to 4:2:0, 8 bit, x265 encoder's default effort.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from semcom_codecs.base import Codec, Encoded, bpp_of, check_image

__all__ = ["BPG"]

Q_BEST, Q_WORST = 0, 51


class BPG(Codec):
    """BPG at the best quantiser whose file is not above the target bpp."""

    name = "bpg"
    display_name = "BPG"
    kind = "digital"

    def __init__(
        self, bpgenc: str = "bpgenc", bpgdec: str = "bpgdec", timeout_s: float = 60
    ) -> None:
        enc, dec = shutil.which(bpgenc), shutil.which(bpgdec)
        if not enc or not dec:
            raise FileNotFoundError(
                f"bpg: '{bpgenc}' / '{bpgdec}' not found on PATH. Build libbpg from "
                "https://bellard.org/bpg/ (make; make install) or pass bpgenc=/path, bpgdec=/path "
                "under `codecs: bpg:` in config.yaml."
            )
        self.bpgenc, self.bpgdec, self.timeout_s = enc, dec, timeout_s

    def _encode_q(self, image: np.ndarray, q: int, d: Path) -> bytes:
        from seess.imageio import save_png

        src, out = d / "in.png", d / f"q{q}.bpg"
        if not src.exists():
            save_png(src, image)
        subprocess.run(
            [self.bpgenc, "-q", str(q), "-f", "420", "-o", str(out), str(src)],
            check=True,
            capture_output=True,
            timeout=self.timeout_s,
        )
        return out.read_bytes()

    def encode(self, image: np.ndarray, target_bpp: float) -> Encoded:
        check_image(image, self.name)
        if not target_bpp > 0:
            raise ValueError(f"bpg: target bpp must be positive, got {target_bpp}")
        with tempfile.TemporaryDirectory(prefix="semcom-bpg-") as tmp:
            d = Path(tmp)
            cache: dict[int, bytes] = {}

            def size(q: int) -> float:
                if q not in cache:
                    cache[q] = self._encode_q(image, q, d)
                return bpp_of(len(cache[q]), image.shape)

            lo, hi = Q_BEST, Q_WORST  # smallest q (best quality) with size <= target
            while lo < hi:
                mid = (lo + hi) // 2
                if size(mid) <= target_bpp:
                    hi = mid
                else:
                    lo = mid + 1
            q = lo
            achieved = size(q)
        data = cache[q]
        if achieved > target_bpp:
            reached, note = False, f"unreachable: q={Q_WORST} gives {achieved:.4f} bpp > target"
        else:
            reached = achieved >= target_bpp * (1 - self.tolerance)
            note = "" if reached else "closest quantiser below target"
        return Encoded(
            data,
            float(target_bpp),
            achieved,
            achieved,
            reached,
            {"q": q, "subsampling": "4:2:0"},
            note,
        )

    def decode(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        from seess.imageio import load_rgb

        with tempfile.TemporaryDirectory(prefix="semcom-bpg-") as tmp:
            src, out = Path(tmp) / "in.bpg", Path(tmp) / "out.png"
            src.write_bytes(data)
            subprocess.run(
                [self.bpgdec, "-o", str(out), str(src)],
                check=True,
                capture_output=True,
                timeout=self.timeout_s,
            )
            arr = load_rgb(out)
        if arr.shape != tuple(shape):
            raise ValueError(f"bpg: decoded shape {arr.shape} differs from expected {tuple(shape)}")
        return arr

    def describe(self) -> dict[str, Any]:
        r = subprocess.run([self.bpgenc], check=False, capture_output=True, text=True, timeout=10)
        first = (r.stdout or r.stderr).strip().splitlines()[:1]
        return {**super().describe(), "library": first[0] if first else "bpgenc"}
