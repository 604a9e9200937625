"""Fixtures for the baseline-metric tests: real photos and degraded copies."""

from __future__ import annotations

import numpy as np
import pytest


def add_noise(image: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noisy = image.astype(np.float64) + rng.normal(0.0, sigma, image.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def photo_pair(bundled_images):
    """(reference, noisy copy) of a 256x256 photograph."""
    ref = bundled_images["astronaut"]
    return ref, add_noise(ref, 20.0, seed=1)
