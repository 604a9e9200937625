"""Bad input gets a clear error."""

from __future__ import annotations

import math

import numpy as np
import pytest

from semcom_channels import AnalogLink, DigitalLink, validate_snr_db


@pytest.mark.parametrize("bad", [-math.inf, math.inf, math.nan, "10", None, True, [3.0]])
def test_bad_snr_rejected(bad):
    with pytest.raises(ValueError, match="snr_db"):
        validate_snr_db(bad)
    with pytest.raises(ValueError, match="snr_db"):
        DigitalLink("qpsk", progress=False).transmit(b"x", bad, seed=0)
    with pytest.raises(ValueError, match="snr_db"):
        AnalogLink().transmit(np.ones(4, np.complex64), bad, seed=0)


def test_numpy_scalar_snr_accepted():
    assert validate_snr_db(np.float32(3.5)) == 3.5
    assert validate_snr_db(np.int64(-2)) == -2.0


def test_unknown_modulation_lists_valid_ones():
    with pytest.raises(ValueError, match="bpsk, qpsk, 16qam, 64qam"):
        DigitalLink("8psk")


def test_modulation_aliases():
    assert DigitalLink("QAM16").modulation.name == "16qam"
    assert DigitalLink("qam64").modulation.bits_per_symbol == 6


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"code_rate": 0.1}, "code_rate"),
        ({"code_rate": 1.0}, "code_rate"),
        ({"snr_def": "SNR"}, "snr_def"),
        ({"coding": "turbo"}, "coding"),
        ({"block_bits": 9000}, "block_bits"),
        ({"demapping": "exact"}, "demapping"),
        ({"device": "tpu"}, "device"),
        ({"max_chunk_bits": 0}, "max_chunk_bits"),
        ({"max_chunk_bits": 2.5}, "max_chunk_bits"),
    ],
)
def test_bad_link_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DigitalLink("qpsk", **kwargs)


def test_bad_payload_and_seed():
    link = DigitalLink("qpsk", progress=False)
    with pytest.raises(TypeError, match="payload 0 must be bytes"):
        link.transmit("text", 10.0, seed=0)
    with pytest.raises(ValueError, match="seed"):
        link.transmit(b"x", 10.0, seed=-1)
    with pytest.raises(ValueError, match="exactly one"):
        link.transmit_batch([b"x"], 10.0)
    with pytest.raises(ValueError, match="2 seeds for 1 payloads"):
        link.transmit_batch([b"x"], 10.0, seeds=[1, 2])


@pytest.mark.skipif(
    __import__("torch").cuda.is_available(), reason="checks the no-GPU error message"
)
def test_cuda_without_gpu_is_a_clear_error():
    with pytest.raises(RuntimeError, match="no CUDA device"):
        DigitalLink("qpsk", device="cuda")
