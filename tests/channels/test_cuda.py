"""CPU/GPU parity (skipped without CUDA): same bits decoded, noise statistics alike."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from semcom_channels import AnalogLink, DigitalLink

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


def test_digital_link_on_gpu_matches_cpu_at_high_snr():
    payload = np.random.default_rng(0).integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    for mod in ("bpsk", "qpsk", "16qam", "64qam"):
        gpu, rg = DigitalLink(mod, device="cuda", progress=False).transmit(payload, 25.0, seed=1)
        cpu, rc = DigitalLink(mod, device="cpu", progress=False).transmit(payload, 25.0, seed=1)
        assert gpu == cpu == payload
        assert rg.device.startswith("cuda") and rc.device == "cpu"
        assert (rg.n_blocks, rg.channel_uses) == (rc.n_blocks, rc.channel_uses)


def test_digital_link_on_gpu_reproducible_and_errors_at_low_snr():
    payload = np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes()
    link = DigitalLink("qpsk", device="cuda", progress=False)
    a, ra = link.transmit(payload, 0.0, seed=3)
    b, rb = link.transmit(payload, 0.0, seed=3)
    assert a == b and ra == rb and not ra.payload_intact
    assert 0.1 < ra.ber_uncoded < 0.2  # QPSK at Es/N0 0 dB: Q(1) = 0.159


def test_analog_link_on_gpu():
    rng = np.random.default_rng(2)
    x = (rng.normal(size=100_000) + 1j * rng.normal(size=100_000)) / np.sqrt(2)
    x = (x / np.sqrt(np.mean(np.abs(x) ** 2))).astype(np.complex64)
    y, rec = AnalogLink(device="cuda").transmit(x, 10.0, seed=0)
    assert y.dtype == np.complex64
    assert rec.measured_snr_db == pytest.approx(10.0, abs=0.1)
