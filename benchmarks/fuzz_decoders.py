"""Fuzzing at scale: damaged bitstreams through the safe decoding path, random bytes through
the image loader. Run: ``make fuzz`` or ``.venv/bin/python benchmarks/fuzz_decoders.py [N]``.

1. For each byte-stream codec (JPEG, JPEG2000; BPG when its binaries are installed): at least
   ``N`` (default 1000) corrupted streams, made from real encodings of the bundled photographs
   at several rates by five kinds of damage (bit flips, truncations, zeroed ranges, garbage
   ranges or whole garbage, headers only), each decoded with
   :func:`semcom_codecs.safe.safe_decode`. Counted: exceptions (must be 0: it never raises for
   bad data), hangs (decodes killed at the timeout; must be 0), failed decodes (fallback used),
   salvaged decodes; decode time percentiles.
2. ``N`` random byte strings (half of them behind a real image signature: PNG, JPEG, GIF, BMP,
   TIFF, WebP) written as files and read with :func:`semcom_core.imageio.load_rgb`, the loader of the
   CLI and the workflow: every failure must be the documented ``ImageError``; anything else is
   counted as an exception, a read taking over the limit as a hang (SIGALRM).

Exit status 1 when any exception or hang was counted. Seeded: the same streams every run.
"""

from __future__ import annotations

import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from semcom_codecs.registry import available_codecs, build_codec
from semcom_codecs.safe import safe_decode, shutdown_worker
from semcom_core.bundled import BUNDLED, load_bundled
from semcom_core.imageio import ImageError, load_rgb, resize_longer_side

KINDS = ("bitflip", "truncate", "zeros", "garbage", "headers")
RATES = (0.25, 0.5, 1.0, 2.0)
HANG_S = 10.0
SIGNATURES = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
)


def damage(data: bytes, kind: str, rng: np.random.Generator, header_len: int) -> bytes:
    """One corrupted copy of ``data``."""
    buf = bytearray(data)
    n = len(buf)
    if kind == "bitflip":
        for i in rng.integers(0, n, size=int(rng.integers(1, 33))):
            buf[int(i)] ^= 1 << int(rng.integers(8))
        return bytes(buf)
    if kind == "truncate":
        return bytes(buf[: int(rng.integers(0, n))])
    if kind == "zeros":
        a = int(rng.integers(0, n))
        m = len(buf[a : a + int(rng.integers(1, max(2, n // 4)))])
        buf[a : a + m] = b"\x00" * m
        return bytes(buf)
    if kind == "garbage":
        if rng.random() < 0.2:
            return rng.integers(0, 256, size=int(rng.integers(1, 2 * n)), dtype=np.uint8).tobytes()
        a = int(rng.integers(0, n))
        m = int(rng.integers(1, max(2, n // 4)))
        buf[a : a + m] = rng.integers(0, 256, size=len(buf[a : a + m]), dtype=np.uint8).tobytes()
        return bytes(buf)
    # headers only: the stream up to the end of its headers, sometimes with a bit flipped there
    head = bytearray(buf[:header_len])
    if head and rng.random() < 0.5:
        i = int(rng.integers(0, len(head)))
        head[i] ^= 1 << int(rng.integers(8))
    return bytes(head)


def header_length(name: str, data: bytes) -> int:
    """Bytes before the coded image data (JPEG: end of the first scan header; JPEG2000: first
    start-of-data marker; else the first 10 %)."""
    if name == "jpeg":
        sos = data.find(b"\xff\xda")
        if sos >= 0:
            return sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")
    if name == "jpeg2000":
        sod = data.find(b"\xff\x93")
        if sod >= 0:
            return sod + 2
    return max(1, len(data) // 10)


def percentiles(seconds: list[float]) -> str:
    ms = np.asarray(seconds) * 1e3
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    return f"decode ms p50 {p50:.2f}, p90 {p90:.2f}, p99 {p99:.2f}, max {ms.max():.2f}"


def fuzz_codec(name: str, images: dict[str, np.ndarray], n: int, rng) -> dict:
    codec = build_codec(name)
    sources = []
    for img in images.values():
        for bpp in RATES:
            data = codec.encode(img, bpp).data
            sources.append((img.shape, data, header_length(name, data)))
    stats: Counter = Counter()
    seconds: list[float] = []
    errors: list[str] = []
    for k in range(n):
        shape, data, hlen = sources[k % len(sources)]
        kind = KINDS[k % len(KINDS)]
        bad = damage(data, kind, rng, hlen)
        t0 = time.perf_counter()
        try:
            r = safe_decode(codec, bad, shape, fallback="mean", timeout_s=HANG_S)
        except Exception as exc:  # noqa: BLE001 - counted: safe_decode must never raise
            stats["exceptions"] += 1
            errors.append(f"{kind}: {type(exc).__name__}: {exc}"[:200])
            continue
        finally:
            seconds.append(time.perf_counter() - t0)
        stats[f"{kind}"] += 1
        stats["hangs"] += r.reason.startswith("timeout")
        stats["failed"] += r.decode_failed
        stats["salvaged"] += r.salvaged
        stats["clean"] += not r.decode_failed and not r.salvaged
        assert r.image is not None and r.image.shape == shape and r.image.dtype == np.uint8
    return {"stats": stats, "seconds": seconds, "errors": errors}


class _Hang(Exception):
    pass


def _alarm(_sig, _frame):
    raise _Hang


def fuzz_loader(n: int, rng, folder: Path) -> dict:
    stats: Counter = Counter()
    seconds: list[float] = []
    errors: list[str] = []
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for k in range(n):
            body = rng.integers(0, 256, size=int(rng.integers(0, 4096)), dtype=np.uint8).tobytes()
            if k % 2:
                body = SIGNATURES[(k // 2) % len(SIGNATURES)] + body
            path = folder / f"fuzz{k}.img"
            path.write_bytes(body)
            t0 = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, HANG_S)
            try:
                load_rgb(path)
                stats["loaded"] += 1
            except ImageError:
                stats["image_error"] += 1
            except _Hang:
                stats["hangs"] += 1
            except Exception as exc:  # noqa: BLE001 - counted: only ImageError is documented
                stats["exceptions"] += 1
                errors.append(f"{path.name}: {type(exc).__name__}: {exc}"[:200])
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                seconds.append(time.perf_counter() - t0)
            path.unlink()
    finally:
        signal.signal(signal.SIGALRM, old)
    return {"stats": stats, "seconds": seconds, "errors": errors}


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = np.random.default_rng(20261202)
    images = {name: resize_longer_side(load_bundled(name), 128) for name in BUNDLED}
    bad = 0
    for name in available_codecs():
        try:
            codec = build_codec(name)
            if codec.kind != "digital" or not codec.guard_decode:
                print(f"== {name}: skipped (no byte-stream decoder to fuzz)")
                continue
            codec.encode(next(iter(images.values())), 1.0)
        except Exception as exc:  # noqa: BLE001 - e.g. BPG binaries not installed
            print(f"== {name}: skipped ({type(exc).__name__}: {str(exc)[:120]})")
            continue
        t0 = time.perf_counter()
        res = fuzz_codec(name, images, n, rng)
        s = res["stats"]
        print(
            f"== {name}: {n} corrupted streams ({', '.join(f'{k} {s[k]}' for k in KINDS)}) "
            f"in {time.perf_counter() - t0:.1f} s\n"
            f"   exceptions {s['exceptions']}, hangs {s['hangs']}, failed (fallback) "
            f"{s['failed']}, salvaged {s['salvaged']}, clean {s['clean']}\n"
            f"   {percentiles(res['seconds'])}"
        )
        for e in res["errors"][:5]:
            print("   !", e)
        bad += s["exceptions"] + s["hangs"]
    shutdown_worker()
    with tempfile.TemporaryDirectory(prefix="semcom-fuzz-") as tmp:
        t0 = time.perf_counter()
        res = fuzz_loader(n, rng, Path(tmp))
    s = res["stats"]
    print(
        f"== image loader (semcom_core.imageio.load_rgb): {n} random files "
        f"in {time.perf_counter() - t0:.1f} s\n"
        f"   exceptions other than ImageError {s['exceptions']}, hangs {s['hangs']}, "
        f"ImageError {s['image_error']}, loaded {s['loaded']}\n"
        f"   {percentiles(res['seconds']).replace('decode', 'load')}"
    )
    for e in res["errors"][:5]:
        print("   !", e)
    bad += s["exceptions"] + s["hangs"]
    print("OK: no exception, no hang" if bad == 0 else f"FAILED: {bad} exceptions or hangs")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
