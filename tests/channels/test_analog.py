"""Analog (JSCC) link: the noise power matches the SNR definition; 16QAM snapping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from semcom_channels import AnalogLink


def unit_symbols(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n) + 1j * rng.normal(size=n)
    return (x / np.sqrt(np.mean(np.abs(x) ** 2))).astype(np.complex64)


@pytest.mark.parametrize("snr", [-5.0, 0.0, 10.0, 20.0])
def test_noise_power_matches_esno(snr):
    n = 200_000
    x = unit_symbols(n, seed=1)
    y, rec = AnalogLink().transmit(x, snr, seed=3)
    assert y.dtype == np.complex64 and y.shape == x.shape
    noise = y.astype(np.complex128) - x
    no = 10 ** (-snr / 10)
    # |noise|^2 ~ no * Exp(1): its mean has relative std 1/sqrt(n)
    assert np.mean(np.abs(noise) ** 2) == pytest.approx(no, rel=5 / math.sqrt(n))
    # N0/2 per real dimension, independent real and imaginary parts
    assert np.var(noise.real) == pytest.approx(no / 2, rel=8 / math.sqrt(n))
    assert np.var(noise.imag) == pytest.approx(no / 2, rel=8 / math.sqrt(n))
    assert abs(np.corrcoef(noise.real, noise.imag)[0, 1]) < 5 / math.sqrt(n)
    assert rec.measured_snr_db == pytest.approx(snr, abs=0.05)
    assert (rec.snr_db, rec.snr_def, rec.mode, rec.channel_uses) == (snr, "Es/N0", "analog", n)


def test_qam16_mode_snaps_to_constellation():
    x = unit_symbols(50_000, seed=2)
    y, rec = AnalogLink(mode="qam16").transmit(x, 100.0, seed=0)
    levels = np.array([-3, -1, 1, 3]) / math.sqrt(10)
    for part in (y.real, y.imag):
        assert np.abs(part[:, None] - levels[None, :]).min(axis=1).max() < 1e-3
    # nearest point: the sign and the inner/outer ring follow the input
    assert np.array_equal(np.sign(y.real), np.sign(x.real))
    outer = np.abs(x.real) > 2 / math.sqrt(10)
    assert np.array_equal(np.abs(y.real) > 2 / math.sqrt(10), outer)
    assert rec.mode == "qam16" and rec.measured_snr_db > 95


def test_reproducible_and_seed_dependent():
    x = unit_symbols(1000)
    link = AnalogLink()
    a, _ = link.transmit(x, 5.0, seed=9)
    b, _ = AnalogLink().transmit(x, 5.0, seed=9)
    c, _ = link.transmit(x, 5.0, seed=10)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_input_checks():
    link = AnalogLink()
    with pytest.raises(ValueError, match="1-D"):
        link.transmit(unit_symbols(8).reshape(2, 4), 5.0, seed=0)
    with pytest.raises(ValueError, match="complex"):
        link.transmit(np.ones(8, np.float32), 5.0, seed=0)
    with pytest.raises(ValueError, match="unit mean power"):
        link.transmit(3 * unit_symbols(8), 5.0, seed=0)
    with pytest.raises(ValueError, match="NaN or inf"):
        link.transmit(np.array([np.nan + 0j, 1 + 0j], np.complex64), 5.0, seed=0)
    with pytest.raises(ValueError, match="analog, qam16"):
        AnalogLink(mode="64qam")
    with pytest.raises(ValueError, match="Es/N0"):
        AnalogLink(snr_def="Eb/N0")
    y, rec = link.transmit(np.zeros(0, np.complex64), 5.0, seed=0)
    assert y.size == 0 and rec.channel_uses == 0
