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

from semcom_codecs.base import Codec, RateSearch

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

    rate_param = "q"
    rate_range = (Q_WORST, Q_BEST)  # lowest rate first: the quantiser falls as the rate grows

    def encode_at(self, image: np.ndarray, param: int) -> bytes:
        from semcom_core.imageio import save_png

        with tempfile.TemporaryDirectory(prefix="semcom-bpg-") as tmp:
            src, out = Path(tmp) / "in.png", Path(tmp) / f"q{param}.bpg"
            save_png(src, image)
            subprocess.run(
                [self.bpgenc, "-q", str(param), "-f", "420", "-o", str(out), str(src)],
                check=True,
                capture_output=True,
                timeout=self.timeout_s,
            )
            return out.read_bytes()

    def settings(self, image: np.ndarray, param: int, search: RateSearch) -> dict[str, Any]:
        return {"q": param, "subsampling": "4:2:0"}

    def decode(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        from semcom_core.imageio import load_rgb

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
