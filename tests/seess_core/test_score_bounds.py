"""The final SeSS never exceeds 1: identical images score exactly 1.0."""

from __future__ import annotations

import pytest

from seess.api import SeSS
from seess.score import clamp_unit
from semcom_core.bundled import load_bundled
from semcom_core.imageio import resize_longer_side

# images whose float64 sums gave 1.0000000000000002 before the cap (sess-lite, 128 px)
CASES = [("paper", "rocket"), ("paper", "china"), ("official", "coffee")]


@pytest.mark.parametrize(("preset", "name"), CASES)
def test_identical_images_score_exactly_one(preset, name):
    img = resize_longer_side(load_bundled(name), 128)
    r = SeSS(backend="sess-lite", preset=preset, device="cpu").score(img, img)
    assert r.score == 1.0


def test_cap_leaves_values_below_one_unchanged():
    for v in (0.0, 0.5, 0.9999999999999999, -0.25):
        assert clamp_unit(v) == v
    assert clamp_unit(1.0000000000000002) == 1.0
