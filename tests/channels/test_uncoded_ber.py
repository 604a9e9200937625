"""Uncoded BER over AWGN against the closed-form Gray-mapped expressions.

Reference: K. Cho and D. Yoon, "On the general BER expression of one- and
two-dimensional amplitude modulations", IEEE Trans. Commun. 50(7), 2002, eq. (14)
(exact for Gray-coded square M-QAM with minimum-distance detection); BPSK is
Q(sqrt(2 Es/N0)). Hard decisions on max-log LLRs are exactly minimum-distance
decisions, so the link is run with ``demapping="maxlog"`` and ``coding="none"``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from semcom_channels import DigitalLink


def q_func(x: float) -> float:
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def ber_gray_qam(esno_db: float, m: int) -> float:
    """Exact BER of Gray square M-QAM (unit Es) in AWGN, Cho & Yoon (2002)."""
    esno = 10 ** (esno_db / 10)
    sqm = round(math.sqrt(m))
    levels = round(math.log2(sqm))
    total = 0.0
    for k in range(1, levels + 1):
        pk = 0.0
        for i in range(int((1 - 2.0**-k) * sqm)):
            w = (-1) ** math.floor(i * 2 ** (k - 1) / sqm) * (
                2 ** (k - 1) - math.floor(i * 2 ** (k - 1) / sqm + 0.5)
            )
            pk += w * math.erfc((2 * i + 1) * math.sqrt(3 * esno / (2 * (m - 1))))
        total += pk / sqm
    return total / levels


def ber_closed_form(modulation: str, esno_db: float) -> float:
    if modulation == "bpsk":
        return q_func(math.sqrt(2 * 10 ** (esno_db / 10)))
    return ber_gray_qam(esno_db, {"qpsk": 4, "16qam": 16, "64qam": 64}[modulation])


def test_closed_form_reduces_to_textbook_qpsk():
    for snr in (0.0, 5.0, 9.0):
        assert ber_gray_qam(snr, 4) == pytest.approx(q_func(math.sqrt(10 ** (snr / 10))), rel=1e-12)


CASES = {
    "bpsk": (0.0, 4.0, 7.0),
    "qpsk": (3.0, 7.0, 10.0),
    "16qam": (8.0, 12.0, 16.0),
    "64qam": (14.0, 18.0, 22.0),
}
N_BYTES = 30_000  # 240k bits per SNR point


@pytest.mark.parametrize("modulation", list(CASES))
def test_uncoded_ber_matches_closed_form(modulation):
    rng = np.random.default_rng(11)
    payload = rng.integers(0, 256, N_BYTES, dtype=np.uint8).tobytes()
    link = DigitalLink(modulation, coding="none", demapping="maxlog", progress=False)
    bps = link.modulation.bits_per_symbol
    for j, snr in enumerate(CASES[modulation]):
        received, rec = link.transmit(payload, snr, seed=100 + j)
        n = rec.bits
        measured = rec.bit_errors / n
        expected = ber_closed_form(modulation, snr)
        # binomial std of the BER estimate; bits sharing a symbol are correlated, which
        # inflates the variance by at most bits_per_symbol -> 5 sigma * sqrt(bps)
        sigma = math.sqrt(expected * (1 - expected) / n) * math.sqrt(bps)
        assert abs(measured - expected) < 5 * sigma, (modulation, snr, measured, expected, sigma)
        assert 1e-4 < expected < 0.2  # the points are informative
        assert rec.bit_errors_uncoded >= rec.bit_errors and not rec.payload_intact
        assert len(received) == len(payload)
