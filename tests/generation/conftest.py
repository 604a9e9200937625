"""A tiny random Stable unCLIP pipeline saved once per session (no hub access)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_unclip_dir(tmp_path_factory) -> Path:
    """A ``save_pretrained`` folder of :func:`semcom_generation.tiny.build_tiny_unclip`."""
    from semcom_generation.tiny import save_tiny_unclip

    return save_tiny_unclip(tmp_path_factory.mktemp("models") / "tiny-unclip")


@pytest.fixture(scope="session")
def tiny_unclip(tiny_unclip_dir):
    """The saved tiny pipeline loaded back through the library's loader (CPU)."""
    from semcom_generation.unclip import build_unclip

    return build_unclip(str(tiny_unclip_dir), device="cpu")
