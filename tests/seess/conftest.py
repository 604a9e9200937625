"""Synthetic scenes for the SeSS tests: coloured shapes on a sky/grass background."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.draw import disk, polygon, rectangle

SKY, GRASS = (40, 120, 200), (60, 160, 60)


def draw_scene(shapes, bg=SKY, ground=GRASS, size=(96, 96)) -> np.ndarray:
    """``shapes``: ``(kind, (row, col), rgb)`` with kind ``disk`` / ``square`` / ``triangle``."""
    h, w = size
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = bg
    img[h * 2 // 3 :] = ground
    for kind, (r, c), col in shapes:
        if kind == "disk":
            rr, cc = disk((r, c), 12, shape=(h, w))
        elif kind == "square":
            rr, cc = rectangle((r - 10, c - 10), extent=(20, 20), shape=(h, w))
        else:
            rr, cc = polygon([r - 12, r + 10, r + 10], [c, c - 12, c + 12], shape=(h, w))
        img[rr, cc] = col
    return img


RED, YELLOW, PURPLE = (220, 30, 30), (240, 220, 40), (150, 40, 200)


@pytest.fixture(scope="session")
def scenes() -> dict[str, np.ndarray]:
    """Reference scene ``ref`` and its variants."""
    return {
        "ref": draw_scene([("disk", (30, 30), RED), ("square", (60, 70), YELLOW)]),
        "shifted": draw_scene([("disk", (32, 33), RED), ("square", (62, 72), YELLOW)]),
        "recoloured": draw_scene(
            [("disk", (30, 30), (235, 45, 45)), ("square", (60, 70), (250, 230, 55))]
        ),
        "replaced": draw_scene([("disk", (30, 30), RED), ("triangle", (60, 70), PURPLE)]),
        "different": draw_scene(
            [("triangle", (40, 60), (20, 20, 20)), ("triangle", (70, 20), (250, 250, 250))],
            bg=(200, 120, 40),
            ground=(90, 60, 30),
        ),
    }


@pytest.fixture(scope="session")
def lite():
    """One sess-lite SeSS for the whole session (models are cheap, graphs are not cached)."""
    from seess.api import SeSS

    return SeSS(backend="sess-lite", preset="paper", device="cpu")


@pytest.fixture(scope="session")
def tiny_sam_checkpoint(tmp_path_factory):
    """A randomly initialised seess-tiny-sam saved the way release checkpoints are (a state dict)."""
    import torch

    from seess.sam_model import build_sam_model

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("sam") / "tiny_sam.pth"
    torch.save(build_sam_model("seess-tiny-sam").state_dict(), path)
    return path
