"""Krippendorff's alpha (interval) against the ``krippendorff`` package; split-half by hand."""

from __future__ import annotations

import numpy as np
import pytest

from semcom_annotate.agreement import krippendorff_alpha_interval, split_half


@pytest.mark.parametrize(("raters", "units", "missing"), [(2, 10, 0.0), (3, 25, 0.2), (7, 40, 0.4)])
def test_alpha_matches_the_krippendorff_package(raters, units, missing):
    krippendorff = pytest.importorskip(
        "krippendorff", reason="dev dependency: pip install krippendorff"
    )
    rng = np.random.default_rng(raters * 100 + units)
    truth = rng.uniform(0, 1, units)
    data = np.clip(truth + rng.normal(0, 0.15, (raters, units)), 0, 1)
    data[rng.uniform(size=data.shape) < missing] = np.nan
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    assert krippendorff_alpha_interval(data) == pytest.approx(ref, rel=1e-9, abs=1e-12)


def test_alpha_edge_cases():
    assert krippendorff_alpha_interval(np.array([[0.1, 0.5, 0.9], [0.1, 0.5, 0.9]])) == 1.0
    # disagreement as large as chance gives about 0; constant data has no expected disagreement
    assert np.isnan(krippendorff_alpha_interval(np.full((2, 4), 0.5)))
    assert np.isnan(krippendorff_alpha_interval(np.array([[0.1, np.nan], [0.2, np.nan]])))
    with pytest.raises(ValueError, match="raters, units"):
        krippendorff_alpha_interval(np.zeros(3))


def test_split_half_two_raters_is_their_correlation():
    rng = np.random.default_rng(0)
    data = rng.uniform(size=(2, 30))
    r, sb, n = split_half(data)
    expected = np.corrcoef(data[0], data[1])[0, 1]
    assert n == 1
    assert r == pytest.approx(expected)
    assert sb == pytest.approx(2 * expected / (1 + expected))


def test_split_half_of_consistent_raters_is_high_and_of_noise_is_low():
    rng = np.random.default_rng(1)
    truth = rng.uniform(size=50)
    good = truth + rng.normal(0, 0.05, (6, 50))
    noise = rng.uniform(size=(6, 50))
    assert split_half(good, n_splits=50)[0] > 0.95
    assert abs(split_half(noise, n_splits=50)[0]) < 0.4
    # 6 raters: C(6, 3) / 2 = 10 distinct splits at most
    assert split_half(good, n_splits=50)[2] == 10
    assert np.isnan(split_half(good[:1])[0])
