"""Shared fixtures: small real photographs from the bundled set."""

from __future__ import annotations

import numpy as np
import pytest

from semcom_pipeline.sample import BUNDLED, downscale, load_bundled


@pytest.fixture(scope="session")
def bundled_images() -> dict[str, np.ndarray]:
    """The seven bundled photographs, downscaled to a longer side of 256 px."""
    return {name: downscale(load_bundled(name), 256) for name in BUNDLED}


@pytest.fixture(scope="session")
def astronaut(bundled_images) -> np.ndarray:
    return bundled_images["astronaut"]
