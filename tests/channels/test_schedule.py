"""Experiment B: the modulation schedule and the bpp budget."""

from __future__ import annotations

import pytest

from semcom_channels import DEFAULT_SCHEDULE, bpp_budget, modulation_for_snr


def test_default_schedule_is_monotone():
    order = ["bpsk", "qpsk", "16qam", "64qam"]
    picked = [modulation_for_snr(s) for s in range(-10, 31)]
    assert picked[0] == "bpsk" and picked[-1] == "64qam"
    assert [order.index(m) for m in picked] == sorted(order.index(m) for m in picked)
    assert set(picked) == set(order)
    for entry in DEFAULT_SCHEDULE[1:]:
        assert modulation_for_snr(entry.from_snr_db) == entry.modulation


def test_schedule_formats_and_order():
    sched = [{"from_snr_db": 10, "modulation": "16qam"}, {"from_snr_db": 0, "modulation": "qpsk"}]
    assert modulation_for_snr(-5, sched) == "qpsk"  # below every threshold: the lowest entry
    assert modulation_for_snr(5, sched) == "qpsk"
    assert modulation_for_snr(10, sched) == "16qam"
    assert modulation_for_snr(3, [(0, "bpsk"), (2, "QAM16")]) == "16qam"
    with pytest.raises(ValueError, match="valid"):
        modulation_for_snr(3, [(0, "8psk")])
    with pytest.raises(ValueError, match="empty"):
        modulation_for_snr(3, [])
    with pytest.raises(ValueError, match="snr_db"):
        modulation_for_snr(float("nan"))


def test_bpp_budget():
    assert bpp_budget(0.25, "bpsk", 0.5) == pytest.approx(0.125)
    assert bpp_budget(0.25, "64qam", 0.5) == pytest.approx(0.75)
    assert bpp_budget(1 / 12, "16qam") == pytest.approx(1 / 6)
    with pytest.raises(ValueError, match="channel_uses_per_pixel"):
        bpp_budget(0, "qpsk")
    with pytest.raises(ValueError, match="code_rate"):
        bpp_budget(0.1, "qpsk", 1.5)
