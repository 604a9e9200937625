"""One definition of a failed decode for every codec; bpp arguments checked by type and value."""

from __future__ import annotations

import numpy as np
import pytest

from semcom_codecs.registry import build_codec
from semcom_codecs.safe import safe_decode

CODECS = ("jpeg", "jpeg2000")


def headers_only(name: str, data: bytes) -> bytes:
    """The stream cut just after its headers: JPEG up to the end of the first scan header
    (SOS), JPEG2000 up to its first start-of-data marker (SOD)."""
    if name == "jpeg":
        sos = data.find(b"\xff\xda")
        return data[: sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")]
    return data[: data.find(b"\xff\x93") + 2]


@pytest.fixture(scope="module")
def encoded(astronaut):
    return {n: build_codec(n).encode(astronaut, 1.0).data for n in CODECS}


@pytest.mark.parametrize("name", CODECS)
@pytest.mark.parametrize("with_end_marker", [False, True])
def test_headers_only_stream_is_a_failed_decode(name, with_end_marker, encoded, astronaut):
    codec = build_codec(name)
    data = headers_only(name, encoded[name]) + (b"\xff\xd9" if with_end_marker else b"")
    assert codec.coded_bytes(data) == 0
    r = safe_decode(codec, data, astronaut.shape, fallback="black")
    assert r.decode_failed, r.reason
    assert "headers only" in r.reason
    assert not r.salvaged
    assert (r.image == 0).all()  # the fallback, not the decoder's fill


@pytest.mark.parametrize("name", CODECS)
def test_half_a_stream_is_salvaged_with_content(name, encoded, astronaut):
    codec = build_codec(name)
    data = encoded[name]
    r = safe_decode(codec, data[: len(data) // 2], astronaut.shape, fallback="black")
    assert not r.decode_failed and r.salvaged, r.reason
    assert np.unique(r.image.reshape(-1, 3), axis=0).shape[0] > 1
    assert codec.coded_bytes(data) > 0


@pytest.mark.parametrize("name", CODECS)
def test_whole_stream_decodes_cleanly(name, encoded, astronaut):
    r = safe_decode(build_codec(name), encoded[name], astronaut.shape)
    assert not r.decode_failed and not r.salvaged and r.reason == ""


@pytest.mark.parametrize("name", CODECS)
@pytest.mark.parametrize("bad", ["0.5", True, None, [0.5]])
def test_bpp_of_the_wrong_type_is_a_type_error_naming_it(name, bad, astronaut):
    with pytest.raises(TypeError, match=r"target_bpp must be a number"):
        build_codec(name).encode(astronaut, bad)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf")])
def test_bpp_out_of_range_is_a_value_error_naming_it(bad, astronaut):
    with pytest.raises(ValueError, match=r"target_bpp must be a finite positive number"):
        build_codec("jpeg").encode(astronaut, bad)


def test_numpy_numbers_are_accepted(astronaut):
    e = build_codec("jpeg").encode(astronaut, np.float32(0.5))
    assert 0 < e.achieved_bpp <= 0.5
