"""JPEG2000 through glymur / OpenJPEG, driven to a target bpp.

Settings: irreversible 9/7 wavelet with the multi-component transform
(``mct``), one quality layer, untiled, ``numres = min(6, floor(log2(min side)) + 1)``
so small images are accepted (OpenJPEG needs ``min(H, W) >= 2^(numres-1)``).
The rate is first set through OpenJPEG's own rate control
(``cratios = [24 / bpp]``, 24 = bits of a raw RGB pixel), which lands within a
few percent; a short secant/bisection on the ratio then brings the whole file
to at most the target and, where the codec can, within the tolerance
(see ``shared/CODEC_FACTS.md``).

glymur cannot read from or write to memory, so every encode and decode goes
through files in a private temporary directory that is removed afterwards.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from semcom_codecs.base import Codec, RateSearch

__all__ = ["JPEG2000", "j2k_bytes", "j2k_payload_bytes", "numres_for"]

JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
SOC = b"\xff\x4f\xff\x51"  # start of codestream + SIZ
MAX_ENCODES = 10


def numres_for(shape: tuple[int, ...]) -> int:
    """Resolution levels OpenJPEG accepts for an image of ``shape``: ``min(6, floor(log2 m) + 1)``."""
    return int(min(6, math.floor(math.log2(max(1, min(shape[0], shape[1])))) + 1))


@contextlib.contextmanager
def _tmpdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="semcom-j2k-") as d:
        yield Path(d)


def j2k_bytes(image: np.ndarray, ratio: float, *, container: str = "jp2") -> bytes:
    """Encode uint8 ``(H, W, 3)`` ``image`` at compression ratio ``ratio`` (>= 1) with glymur."""
    import glymur

    with _tmpdir() as d, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = d / f"image.{container}"
        glymur.Jp2k(
            str(path),
            data=np.ascontiguousarray(image),
            cratios=[max(1.0, float(ratio))],
            irreversible=True,
            mct=True,
            numres=numres_for(image.shape),
        )
        return path.read_bytes()


def j2k_payload_bytes(data: bytes) -> int:
    """Bytes of the codestream after its main header (first SOT marker to the end).

    This excludes the JP2 boxes and the codestream main header (SIZ, COD, QCD...).
    Returns ``len(data)`` when no SOT marker is found.
    """
    cs = data.find(SOC)
    sot = data.find(b"\xff\x90", max(cs, 0))
    return len(data) - sot if sot >= 0 else len(data)


@contextlib.contextmanager
def _non_strict_openjpeg() -> Iterator[None]:
    """Decode in OpenJPEG's non-strict mode (``opj_decoder_set_strict_mode(codec, 0)``, 2.5.0+).

    Non-strict mode decodes truncated codestreams progressively instead of
    refusing them. glymur has no option for it, so its ``setup_decoder``
    wrapper is patched for the duration of the block (not thread-safe; the
    safe decoder runs this in its own child process).
    """
    import ctypes

    from glymur.lib import openjp2 as opj2

    fn = getattr(opj2.OPENJP2, "opj_decoder_set_strict_mode", None)
    if fn is None:  # OpenJPEG < 2.5: nothing to do
        yield
        return
    fn.argtypes = [opj2.CODEC_TYPE, ctypes.c_int]
    fn.restype = ctypes.c_int
    original = opj2.setup_decoder

    def setup(codec, dparams):
        original(codec, dparams)
        fn(codec, 0)

    opj2.setup_decoder = setup
    try:
        yield
    finally:
        opj2.setup_decoder = original


def _decode_file(data: bytes, shape: tuple[int, int, int], strict: bool) -> np.ndarray:
    import glymur

    ext = "jp2" if data[: len(JP2_SIGNATURE)] == JP2_SIGNATURE else "j2k"
    with _tmpdir() as d, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = d / f"in.{ext}"
        path.write_bytes(data)
        jp = glymur.Jp2k(str(path))
        if tuple(jp.shape) != tuple(shape):  # checked before decoding: a flipped size field
            raise ValueError(
                f"jpeg2000: header shape {tuple(jp.shape)} differs from {tuple(shape)}"
            )
        ctx = contextlib.nullcontext() if strict else _non_strict_openjpeg()
        with ctx:
            arr = jp[:]
    if arr.dtype != np.uint8 or arr.shape != tuple(shape):
        raise ValueError(
            f"jpeg2000: decoded {arr.dtype} {arr.shape}, expected uint8 {tuple(shape)}"
        )
    return np.ascontiguousarray(arr)


class JPEG2000(Codec):
    """JPEG2000 (OpenJPEG via glymur): irreversible 9/7 + mct, untiled, one layer.

    Args:
        container: ``jp2`` (JP2 file with boxes, +85 B) or ``j2k`` (raw codestream).
    """

    name = "jpeg2000"
    display_name = "JPEG2000"
    kind = "digital"

    def __init__(self, container: str = "jp2") -> None:
        if container not in ("jp2", "j2k"):
            raise ValueError(f"jpeg2000: container must be 'jp2' or 'j2k', got '{container}'")
        self.container = container

    rate_param = "ratio"

    def rate_key(self, param: float) -> float:
        return -param  # a lower compression ratio is a higher rate

    def encode_at(self, image: np.ndarray, param: float) -> bytes:
        try:
            return j2k_bytes(image, param, container=self.container)
        except Exception as exc:  # noqa: BLE001 - OpenJPEG refuses some tiny images
            raise ValueError(
                f"jpeg2000: OpenJPEG cannot encode a {image.shape} image "
                f"({type(exc).__name__}: {exc})"
            ) from None

    def search_rate(self, search: RateSearch, target_bpp: float) -> None:
        """Secant steps on ``log(bpp) ~ -log(ratio)`` inside a bracket, from OpenJPEG's
        own estimate ``24 / bpp``; stops within 2 % under the target (or after
        :data:`MAX_ENCODES`). Every ratio tried is a candidate."""

        def bpp(r: float) -> float:
            return search.bpp(max(1.0, r))

        lo_ok = target_bpp * (1 - self.tolerance / 2.5)  # aim within 2% before stopping early
        r_over, r_under = 1.0, math.inf  # ratio bracket: r_over gives > target, r_under <= target
        r = max(1.0, 24.0 / target_bpp)
        for _ in range(MAX_ENCODES):
            b = bpp(r)
            if b > target_bpp:
                r_over = max(r_over, r)
            else:
                r_under = min(r_under, r)
                if b >= lo_ok or r <= 1.0:
                    break
            # secant step on log(bpp) ~ -log(ratio), kept strictly inside the bracket
            nxt = r * (b / target_bpp) * (1.004 if b > target_bpp else 0.998)
            hi = r_under if math.isfinite(r_under) else r_over * 64
            if not r_over < nxt < hi:
                nxt = math.sqrt(r_over * hi) if r_over > 1.0 else (1.0 + hi) / 2
            if abs(nxt - r) / r < 1e-4:
                break
            r = nxt

    def payload_bytes(self, data: bytes) -> int:
        return j2k_payload_bytes(data)

    def settings(self, image: np.ndarray, param: float, search: RateSearch) -> dict[str, Any]:
        return {
            "ratio": round(param, 4),
            "encodes": len(search.tried),
            "wavelet": "9/7 irreversible",
            "mct": True,
            "numres": numres_for(image.shape),
            "container": self.container,
        }

    def decode(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        return _decode_file(data, shape, strict=True)

    def decode_damaged(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        """Non-strict OpenJPEG decode: salvages truncated codestreams progressively."""
        return _decode_file(data, shape, strict=False)

    def coded_bytes(self, data: bytes) -> int | None:
        """Packet bytes after the first start-of-data marker (SOD, ``FF93``), the end-of-codestream
        marker excluded (0 for a stream that stops at or before its first SOD)."""
        sod = data.find(b"\xff\x93", max(data.find(SOC), 0))
        if sod < 0:
            return 0
        end = len(data) - 2 if data.endswith(b"\xff\xd9") else len(data)
        return max(0, end - (sod + 2))

    def describe(self) -> dict[str, Any]:
        import glymur

        return {
            **super().describe(),
            "library": f"glymur {glymur.__version__} / OpenJPEG {glymur.version.openjpeg_version}",
            "container": self.container,
        }
