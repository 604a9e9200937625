"""Every baseline metric is registered with its direction and range."""

from __future__ import annotations

import pytest

from semcom_metrics.registry import available_metrics, get_metric_class

EXPECTED = {
    "psnr": (True, "dB"),
    "ssim": (True, ""),
    "ms_ssim": (True, ""),
    "lpips": (False, ""),
    "lpips_score": (True, ""),
    "vitscore": (True, ""),
    "clipscore": (True, ""),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_registered(name):
    assert name in available_metrics()
    cls = get_metric_class(name)
    assert cls.name == name
    assert (cls.higher_is_better, cls.unit) == EXPECTED[name]
    low, high = cls.value_range
    assert low < high
