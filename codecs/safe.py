"""Decoding untrusted (channel-damaged) bitstreams without crashing or hanging.

:func:`safe_decode` never raises for bad data and never hangs:

1. the decode runs in a persistent child process with a timeout;
   a decoder that loops is killed, one that crashes the interpreter
   (SIGSEGV/SIGABRT in a C library) only takes the child down; the child is
   restarted on the next call;
2. the strict :meth:`Codec.decode` is tried first, then the library's salvage
   mode :meth:`Codec.decode_damaged` (Pillow ``LOAD_TRUNCATED_IMAGES`` for
   JPEG, OpenJPEG non-strict mode for JPEG2000);
   one definition of a failed decode for every codec: no image came out, or no
   coded image data went in (:meth:`Codec.coded_bytes` is 0: headers only), or
   only the salvage mode produced an image and that image is uniform (one colour:
   the decoder's fill, nothing of the stream);
3. a result whose size, channel count or dtype differs from the original is a
   failure (codecs check the header before decoding, so a flipped size field
   cannot allocate a huge image);
4. on failure the configured fallback is returned and ``decode_failed`` is set:
   ``mean`` (the caller's mean image of the sample, or mid-grey 128 when none
   is given, said in ``reason``), ``black``, or ``skip`` (``image`` is None).

Codecs with ``guard_decode = False`` (the learned codec: fixed-size tensor
maths on any input) are decoded in-process, still inside ``try``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from semcom_codecs.base import Codec

__all__ = ["FALLBACKS", "DecodeResult", "fallback_image", "safe_decode", "shutdown_worker"]

FALLBACKS = ("mean", "black", "skip")
#: seconds allowed for the decode child to start (imports)
STARTUP_S = 120.0


@dataclass
class DecodeResult:
    """Outcome of :func:`safe_decode`.

    image: uint8 ``(H, W, 3)``; the fallback when ``decode_failed``; None for ``skip``.
    decode_failed: True when no valid image came out of the stream.
    salvaged: True when only the salvage mode decoded it (strict decode failed).
    reason: the error of the failed attempt(s) ("" on a clean decode).
    fallback: the fallback policy used (``""`` when not needed).
    seconds: wall time of the attempt.
    """

    image: np.ndarray | None
    decode_failed: bool
    salvaged: bool = False
    reason: str = ""
    fallback: str = ""
    seconds: float = 0.0

    def record(self) -> dict[str, Any]:
        return {
            "decode_failed": self.decode_failed,
            "decode_salvaged": self.salvaged,
            "decode_reason": self.reason,
            "decode_fallback": self.fallback,
            "decode_seconds": round(self.seconds, 4),
            "skip": self.image is None,
        }


def fallback_image(
    policy: str, shape: tuple[int, int, int], mean_image: np.ndarray | None = None
) -> tuple[np.ndarray | None, str]:
    """The fallback image for ``policy`` and a note (``mean`` without a mean image -> grey 128)."""
    if policy not in FALLBACKS:
        raise ValueError(f"safe_decode: unknown fallback '{policy}', expected one of {FALLBACKS}")
    if policy == "skip":
        return None, ""
    if policy == "black":
        return np.zeros(shape, np.uint8), ""
    if mean_image is not None:
        m = np.asarray(mean_image)
        if m.shape != tuple(shape) or m.dtype != np.uint8:
            # a sample mean of differently sized images: fall back to its mean colour
            colour = m.reshape(-1, m.shape[-1]).mean(axis=0) if m.ndim == 3 else np.full(3, 128.0)
            return np.broadcast_to(np.round(colour).astype(np.uint8), shape).copy(), "mean colour"
        return m.copy(), ""
    return np.full(shape, 128, np.uint8), "no mean image given: mid-grey"


def _attempt(codec: Codec, data: bytes, shape: tuple[int, int, int]) -> tuple:
    """(image, salvaged, reason) with image None on failure. Runs in the child (or in-process)."""
    if codec.coded_bytes(data) == 0:
        return None, False, "no coded image data: the stream holds headers only"
    tries = [(False, codec.decode)]
    if type(codec).decode_damaged is not Codec.decode_damaged:  # a real salvage mode exists
        tries.append((True, codec.decode_damaged))
    errors = []
    for salvage, fn in tries:
        try:
            img = np.asarray(fn(data, shape))
        except Exception as exc:  # noqa: BLE001 - any library error is a failed decode
            errors.append(
                f"{'salvage' if salvage else 'decode'}: {type(exc).__name__}: {exc}"[:300]
            )
            continue
        if img.shape != tuple(shape) or img.dtype != np.uint8:
            errors.append(f"decoded {img.dtype} {img.shape}, expected uint8 {tuple(shape)}")
            continue
        if salvage and _uniform(img):
            errors.append("salvage: a uniform image (the decoder's fill), no image data recovered")
            continue
        return img, salvage, "; ".join(errors)
    return None, False, "; ".join(errors)


def _uniform(img: np.ndarray) -> bool:
    """True when every pixel of ``img`` has the colour of the first one."""
    flat = img.reshape(-1, img.shape[-1]) if img.ndim == 3 else img.reshape(-1, 1)
    return bool((flat == flat[0]).all())


class _Worker:
    """One persistent child (``python -m semcom_codecs._decode_worker``) serving decode requests.

    A plain subprocess rather than ``multiprocessing``: spawn would re-import the
    caller's ``__main__`` (a Snakemake script), fork is unsafe with torch threads.
    Restarted after a timeout (killed) or a crash.
    """

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "semcom_codecs._decode_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        try:  # wait for the child's imports, so the decode timeout covers decoding only
            n = struct.unpack(">Q", self._read(8, time.monotonic() + STARTUP_S))[0]
            if pickle.loads(self._read(n, time.monotonic() + STARTUP_S)) != "ready":
                raise EOFError
        except (TimeoutError, EOFError, OSError, pickle.UnpicklingError):
            self.stop()
            raise RuntimeError("safe_decode: the decode worker process did not start") from None

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(timeout=10)
            for f in (self.proc.stdin, self.proc.stdout):
                if f is not None:  # always set: the child is started with PIPEs
                    with contextlib.suppress(OSError):
                        f.close()
        self.proc = None

    def _read(self, n: int, deadline: float) -> bytes:
        assert self.proc is not None and self.proc.stdout is not None, "worker not started"
        fd = self.proc.stdout.fileno()
        buf = bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, n - len(buf))
            if not chunk:
                raise EOFError
            buf.extend(chunk)
        return bytes(buf)

    def run(self, codec: Codec, data: bytes, shape, timeout_s: float) -> tuple:
        with self.lock:
            if not self.alive():
                self.stop()
                self._start()
            try:
                blob = pickle.dumps((codec, bytes(data), tuple(shape)), pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001
                raise RuntimeError(
                    f"safe_decode: codec cannot be sent to the worker ({exc})"
                ) from None
            deadline = time.monotonic() + timeout_s
            try:
                assert self.proc is not None and self.proc.stdin is not None  # set by _start
                self.proc.stdin.write(struct.pack(">Q", len(blob)) + blob)
                n = struct.unpack(">Q", self._read(8, deadline))[0]
                return pickle.loads(self._read(n, deadline))
            except TimeoutError:
                self.stop()
                return None, False, f"timeout: decode took longer than {timeout_s:.0f} s (killed)"
            except (EOFError, OSError, pickle.UnpicklingError) as exc:
                code = self.proc.poll() if self.proc is not None else None
                self.stop()
                return None, False, f"decoder process died ({type(exc).__name__}, exit code {code})"


_WORKER = _Worker()


def shutdown_worker() -> None:
    """Stop the decode child process (also run at interpreter exit)."""
    _WORKER.stop()


atexit.register(shutdown_worker)


def safe_decode(
    codec: Codec,
    data: bytes,
    shape: tuple[int, int, int],
    *,
    fallback: str = "mean",
    mean_image: np.ndarray | None = None,
    timeout_s: float = 10.0,
    isolate: bool | None = None,
) -> DecodeResult:
    """Decode ``data`` of an image of ``shape`` ``(H, W, 3)``; never raises for bad data, never hangs.

    Args:
        codec: the codec that produced the stream.
        fallback: ``mean`` | ``black`` | ``skip`` (see module docstring).
        mean_image: uint8 ``(H, W, 3)`` mean image of the sample for ``mean``.
        timeout_s: limit for one decode in the child (its start-up is not counted).
        isolate: run in the child process; default ``codec.guard_decode``.
    """
    if fallback not in FALLBACKS:
        raise ValueError(f"safe_decode: unknown fallback '{fallback}', expected one of {FALLBACKS}")
    shape = (int(shape[0]), int(shape[1]), int(shape[2]) if len(shape) > 2 else 3)
    t0 = time.perf_counter()
    if not data:
        img, salvaged, reason = None, False, "empty bitstream"
    elif isolate if isolate is not None else codec.guard_decode:
        try:
            img, salvaged, reason = _WORKER.run(codec, data, shape, timeout_s)
        except RuntimeError as exc:  # no child process: decode in-process, still guarded by try
            img, salvaged, reason = _attempt(codec, data, shape)
            reason = f"{exc}; decoded in-process" + (f"; {reason}" if reason else "")
    else:
        img, salvaged, reason = _attempt(codec, data, shape)
    seconds = time.perf_counter() - t0
    if img is not None:
        return DecodeResult(img, False, salvaged, reason, "", seconds)
    fb, note = fallback_image(fallback, shape, mean_image)
    return DecodeResult(fb, True, False, reason + (f" [{note}]" if note else ""), fallback, seconds)
