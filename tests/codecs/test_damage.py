"""Damaged bitstreams: safe_decode never raises, never hangs, and flags failures."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from semcom_codecs.registry import build_codec
from semcom_codecs.safe import DecodeResult, fallback_image, safe_decode, shutdown_worker

HERE = Path(__file__).resolve().parent


def flip_bytes(data: bytes, n: int, rng: np.random.Generator) -> bytes:
    """XOR ``n`` distinct random bytes with a random non-zero mask."""
    buf = bytearray(data)
    for i in rng.choice(len(buf), size=min(n, len(buf)), replace=False):
        buf[int(i)] ^= int(rng.integers(1, 256))
    return bytes(buf)


@pytest.fixture(scope="module")
def streams(bundled_images):
    out = {}
    for name in ("jpeg", "jpeg2000"):
        codec = build_codec(name)
        for img in ("astronaut", "coffee"):
            im = bundled_images[img]
            out[(name, img)] = (codec, im, codec.encode(im, 0.5).data)
    return out


def check_result(r: DecodeResult, shape, fallback: str, mean=None):
    assert isinstance(r.decode_failed, bool)
    if fallback == "skip" and r.decode_failed:
        assert r.image is None
        return
    assert r.image.shape == shape and r.image.dtype == np.uint8
    if r.decode_failed:
        assert r.reason and r.fallback == fallback
        expected, _ = fallback_image(fallback, shape, mean)
        assert np.array_equal(r.image, expected)


def test_clean_streams_decode(streams):
    for codec, im, data in streams.values():
        r = safe_decode(codec, data, im.shape)
        assert not r.decode_failed and not r.salvaged and r.reason == "", codec.name
        assert np.array_equal(r.image, codec.decode(data, im.shape))


@pytest.mark.parametrize("n_flips", [1, 10, 100])
def test_random_byte_flips(streams, n_flips):
    rng = np.random.default_rng(n_flips)
    failed = 0
    for codec, im, data in streams.values():
        mean = np.full(im.shape, 77, np.uint8)
        for _ in range(4):
            r = safe_decode(codec, flip_bytes(data, n_flips, rng), im.shape, mean_image=mean)
            check_result(r, im.shape, "mean", mean)
            failed += r.decode_failed
    if n_flips == 100:
        assert failed > 0  # 100 flipped bytes break some streams, and they are flagged


def test_truncation_salvage_and_failure(streams):
    for (name, _), (codec, im, data) in streams.items():
        half = safe_decode(codec, data[: len(data) // 2], im.shape, fallback="black")
        # Pillow (LOAD_TRUNCATED_IMAGES) and OpenJPEG non-strict mode salvage half a stream
        assert not half.decode_failed and half.salvaged, (name, half.reason)
        tiny = safe_decode(codec, data[:20], im.shape, fallback="black")
        check_result(tiny, im.shape, "black")
        assert tiny.decode_failed, name
        empty = safe_decode(codec, b"", im.shape, fallback="skip")
        assert empty.decode_failed and empty.image is None


def test_size_or_mode_change_is_failure(streams, bundled_images):
    codec, im, data = streams[("jpeg", "astronaut")]
    r = safe_decode(codec, data, (128, 256, 3), fallback="black")  # wrong size expected
    assert r.decode_failed and "expected" in r.reason
    # a grayscale JPEG where RGB is expected: mode differs
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(im[..., 0], "L").save(buf, format="JPEG")
    r = safe_decode(codec, buf.getvalue(), im.shape, fallback="black")
    assert r.decode_failed and "L" in r.reason


def test_fallback_policies():
    shape = (4, 6, 3)
    assert fallback_image("skip", shape)[0] is None
    assert not fallback_image("black", shape)[0].any()
    grey, note = fallback_image("mean", shape)
    assert (grey == 128).all() and note
    other = np.zeros((2, 2, 3), np.uint8)
    other[0, :, 1] = 200  # mean 100 in channel 1
    img, note = fallback_image("mean", shape, other)  # mean image of another size: its colour
    assert img.shape == shape and (img[..., 1] == 100).all() and note == "mean colour"
    with pytest.raises(ValueError, match="fallback"):
        fallback_image("zeros", shape)


@pytest.mark.timeout(150)
def test_fuzz_hundreds_of_streams(streams):
    """300 corrupted streams (flips, bursts, truncations, spliced headers) under a time bound."""
    rng = np.random.default_rng(1234)
    items = list(streams.values())
    failed = salvaged = 0
    for i in range(300):
        codec, im, data = items[i % len(items)]
        kind = i % 4
        if kind == 0:
            bad = flip_bytes(data, int(rng.integers(1, 50)), rng)
        elif kind == 1:  # a burst of garbage
            s = int(rng.integers(0, len(data) - 16))
            bad = data[:s] + rng.bytes(16) + data[s + 16 :]
        elif kind == 2:
            bad = data[: int(rng.integers(1, len(data)))]
        else:  # header region flips
            bad = flip_bytes(data[:300], int(rng.integers(1, 5)), rng) + data[300:]
        r = safe_decode(codec, bad, im.shape, fallback="mean", timeout_s=10)
        check_result(r, im.shape, "mean")
        failed += r.decode_failed
        salvaged += r.salvaged
    print(f"\nfuzz: 300 streams, {failed} failed (fallback), {salvaged} salvaged")


@pytest.fixture
def helper_codecs(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), *sys.path]))
    shutdown_worker()  # the next child inherits PYTHONPATH
    import guard_helpers

    yield guard_helpers
    shutdown_worker()


@pytest.mark.timeout(120)
def test_hanging_decoder_is_killed(helper_codecs, astronaut):
    codec = helper_codecs.HangingJPEG()
    data = build_codec("jpeg").encode(astronaut, 0.5).data
    r = safe_decode(codec, data, astronaut.shape, fallback="black", timeout_s=2)
    assert r.decode_failed and "timeout" in r.reason and r.seconds < 30
    # the worker restarts: the next decode works
    ok = safe_decode(build_codec("jpeg"), data, astronaut.shape)
    assert not ok.decode_failed


@pytest.mark.timeout(120)
def test_crashing_decoder_is_contained(helper_codecs, astronaut):
    data = build_codec("jpeg").encode(astronaut, 0.5).data
    r = safe_decode(helper_codecs.CrashingJPEG(), data, astronaut.shape, fallback="black")
    assert r.decode_failed and "died" in r.reason
    assert not safe_decode(build_codec("jpeg"), data, astronaut.shape).decode_failed
