"""Sampling: deterministic by seed; folders with odd files and odd image modes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from semcom_core.bundled import BUNDLED
from semcom_core.imageio import ImageError, load_rgb
from semcom_pipeline.sample import load_original, select_images


def test_bundled_selection_is_deterministic_and_seeded():
    s = {"source": "bundled", "count": 3}
    a, b = select_images(s, 0), select_images(s, 0)
    assert a == b and len(a) == 3
    picks = {tuple(select_images(s, seed)) for seed in range(10)}
    assert len(picks) > 1  # the seed matters
    with pytest.warns(UserWarning, match="99 images asked for, but only 7"):
        everything = select_images({"source": "bundled", "count": 99, "on_shortfall": "warn"}, 0)
    assert set(everything) == set(BUNDLED)


def test_bundled_images_are_real_rgb_photographs():
    for name in BUNDLED:
        img = load_original(f"bundled:{name}", 512)
        assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
        assert max(img.shape[:2]) <= 512 and img.std() > 20


@pytest.fixture
def odd_folder(tmp_path):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    Image.fromarray(rgb[:, :, 0]).save(tmp_path / "gray.png")
    rgba = np.dstack([rgb, np.full((20, 30), 255, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(tmp_path / "rgba.png")
    Image.fromarray(rgb).convert("P").save(tmp_path / "palette.png")
    Image.fromarray(rgb[:, :, 0].astype(np.uint16) * 257).save(tmp_path / "gray16.png")
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 definitely not a jpeg")
    return tmp_path, rgb


def test_folder_skips_non_images_with_a_warning(odd_folder):
    folder, _ = odd_folder
    with pytest.warns(UserWarning, match="notes.txt"):
        chosen = select_images({"source": "folder", "folder": str(folder), "count": 6}, 0)
    assert "notes" not in chosen and {"rgb", "gray", "rgba", "palette", "gray16", "broken"} <= set(
        chosen
    )


def test_unreadable_image_is_named(odd_folder):
    folder, _ = odd_folder
    with pytest.raises(ImageError, match="broken.jpg"):
        load_rgb(folder / "broken.jpg")
    with pytest.raises(ImageError, match="missing.png"):
        load_rgb(folder / "missing.png")


def test_modes_convert_consistently_to_8bit_rgb(odd_folder):
    folder, rgb = odd_folder
    assert np.array_equal(load_rgb(folder / "rgb.png"), rgb)
    assert np.array_equal(load_rgb(folder / "rgba.png"), rgb)  # opaque alpha: unchanged
    gray = load_rgb(folder / "gray.png")
    assert gray.shape == (20, 30, 3) and np.array_equal(gray[:, :, 0], rgb[:, :, 0])
    assert np.array_equal(gray[:, :, 0], gray[:, :, 2])
    g16 = load_rgb(folder / "gray16.png")
    assert g16.dtype == np.uint8 and np.array_equal(
        g16, gray
    )  # 16-bit scaled back to the same 8-bit values
    pal = load_rgb(folder / "palette.png")
    assert pal.shape == (20, 30, 3) and pal.dtype == np.uint8


def test_transparent_pixels_composite_over_white(tmp_path):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 200
    Image.fromarray(rgba, "RGBA").save(tmp_path / "t.png")
    assert (load_rgb(tmp_path / "t.png") == 255).all()


def test_one_pixel_image_loads(tmp_path):
    Image.fromarray(np.array([[[1, 2, 3]]], np.uint8)).save(tmp_path / "px.png")
    assert load_rgb(tmp_path / "px.png").shape == (1, 1, 3)
