"""Experiment D's transformations."""

from __future__ import annotations

import numpy as np
import pytest

from semcom_pipeline.transforms import TRANSFORMS, apply_transform


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_strength_zero_is_identity(name, astronaut):
    out = apply_transform(name, astronaut, 0)
    assert out is not astronaut and np.array_equal(out, astronaut)


@pytest.mark.parametrize(
    "name, strength",
    [
        ("translation", 16),
        ("rotation", 30),
        ("reflection", 1),
        ("scaling", 16),
        ("color_filter", 0.4),
    ],
)
def test_size_kept_and_image_changed(name, strength, astronaut):
    out = apply_transform(name, astronaut, strength)
    assert out.shape == astronaut.shape and out.dtype == np.uint8
    assert not np.array_equal(out, astronaut)


def test_reflection_twice_is_identity(astronaut):
    once = apply_transform("reflection", astronaut, 1)
    assert np.array_equal(apply_transform("reflection", once, 1), astronaut)


def test_translation_shifts_left(astronaut):
    out = apply_transform("translation", astronaut, 10)
    assert np.array_equal(out[:, :-10], astronaut[:, 10:]) and (out[:, -10:] == 0).all()


def test_colour_filter_full_is_blue(astronaut):
    out = apply_transform("color_filter", astronaut, 1.0)
    assert (out[..., 2] == 255).all() and (out[..., :2] == 0).all()


def test_rotation_is_counter_clockwise():
    img = np.zeros((41, 41, 3), np.uint8)
    img[20, 30:] = 255  # a bar pointing right from the centre
    out = apply_transform("rotation", img, 90)
    assert out[5:15, 20].mean() > 100  # now points up
    assert out[25:, 20].mean() < 10


@pytest.mark.parametrize(
    "name, strength",
    [
        ("color_filter", 1.5),
        ("reflection", 0.5),
        ("rotation", -5),
        ("scaling", 200),
        ("translation", float("nan")),
        ("unknown", 1),
    ],
)
def test_bad_strength_is_rejected(name, strength, astronaut):
    with pytest.raises(ValueError):
        apply_transform(name, astronaut, strength)
