"""sess-lite's object segmenter: objects, a partition, stability under mild changes."""

from __future__ import annotations

import numpy as np
import pytest

from seess.offline_segment import ObjectSegmenter, absorb_small_regions, normalise_colour
from seess.segment import mask_iou_matrix, mean_matched_iou
from semcom_pipeline.ordering import synthetic_scene


def _shape_masks(seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """A synthetic scene and the pixel masks of its flat-coloured shapes (from the ordering
    suite's palette; the textured background never takes those exact colours)."""
    from semcom_pipeline.ordering import SCENE_COLOURS

    img = synthetic_scene(seed)
    shapes = [np.all(img == c, axis=2) for c in SCENE_COLOURS]
    return img, [m for m in shapes if m.sum() > 100]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_regions_follow_the_flat_shapes(seed):
    """A partition into at most ``max_regions`` regions, none straddling a shape's edge:
    the regions lying mostly inside a shape make up that shape (a shape may keep two
    regions, e.g. its core and its blurred rim, when the count allows it). Regions are
    found at 128 px after a 2-px blur, so their edges are coarse: IoU 0.62-0.90 (mean
    0.81) over the 30 shapes of scenes 0-7."""
    img, shapes = _shape_masks(seed)
    seg = ObjectSegmenter()
    masks = seg.segment(img)
    assert 3 <= len(shapes) <= 4
    assert len(masks) <= seg.max_regions
    assert (masks.sum(0) == 1).all()  # every pixel in exactly one region
    assert (masks.reshape(len(masks), -1).mean(1) >= seg.min_area).all()
    area = masks.reshape(len(masks), -1).sum(1)
    for shape in shapes:
        inside = (masks & shape).reshape(len(masks), -1).sum(1) / area > 0.5
        assert inside.any()
        assert mask_iou_matrix(masks[inside].any(0)[None], shape[None])[0, 0] > 0.6


def test_regions_ignore_a_global_colour_cast():
    img = synthetic_scene(5)
    cast = np.clip(0.6 * img.astype(np.float64) + (10, 40, 90), 0, 255).astype(np.uint8)
    seg = ObjectSegmenter()
    assert np.abs(normalise_colour(img) - normalise_colour(cast)).max() < 0.05
    assert mean_matched_iou(seg.segment(img), seg.segment(cast)) > 0.95


def test_regions_survive_mild_jpeg_on_a_photograph():
    """SLIC's grid-started k-means moves boundaries a little under mild JPEG instead of
    re-deciding them (Felzenszwalb's greedy merging did; docs/seess.md)."""
    from semcom_codecs import build_codec
    from semcom_pipeline.sample import load_original

    img = load_original("bundled:chelsea", 320)
    codec = build_codec("jpeg")
    jpeg = codec.decode(codec.encode(img, 2.0).data, img.shape)
    seg = ObjectSegmenter()
    a, b = seg.segment(img), seg.segment(jpeg)
    assert len(a) == len(b) == seg.max_regions
    assert mean_matched_iou(a, b) > 0.9 and mean_matched_iou(b, a) > 0.9


def test_grid_offset_moves_slic_grid_and_keeps_the_frame():
    """``grid_offset`` crops the working image at the top-left for the steps and gives the
    cropped pixels their neighbours' labels: a partition of the whole frame, <= 8 regions,
    the same objects (the shapes of a flat scene), other cuts of the background."""
    img, shapes = _shape_masks(1)
    base, moved = ObjectSegmenter(), ObjectSegmenter(grid_offset=(3, 5))
    a, b = base.labels(img), moved.labels(img)
    assert a.shape == b.shape and b.min() == 0 and b.max() < moved.max_regions
    assert np.array_equal(b[:3], np.repeat(b[3:4], 3, axis=0))  # cropped rows: row 3's labels
    assert np.array_equal(b[:, :5], np.repeat(b[:, 5:6], 5, axis=1))
    assert not np.array_equal(a, b)
    mb = moved.segment(img)
    for shape in shapes:  # each flat shape is still mostly one region (best IoU > 0.5); the
        assert mask_iou_matrix(shape[None], mb).max() > 0.5  # background is cut otherwise
    assert ObjectSegmenter(grid_offset=(9, 9)).segment(np.full((4, 4, 3), 9, np.uint8)).all()
    assert moved.describe()["grid_offset"] == [3, 5] and base.describe()["grid_offset"] == [0, 0]


def test_blank_and_tiny_images():
    seg = ObjectSegmenter()
    assert seg.segment(np.zeros((1, 1, 3), np.uint8)).shape == (0, 1, 1)
    for shape in [(2, 2), (5, 7), (40, 50)]:
        masks = seg.segment(np.full((*shape, 3), 77, np.uint8))
        assert masks.shape == (1, *shape) and masks.all()


@pytest.mark.parametrize(
    "kw",
    [
        {"work_side": 8},
        {"n_segments": 0},
        {"compactness": 0},
        {"max_regions": 0},
        {"min_area": 1},
        {"grid_offset": (-1, 0)},
        {"grid_offset": (3,)},
    ],
)
def test_bad_options_are_refused(kw):
    with pytest.raises(ValueError, match="objects"):
        ObjectSegmenter(**kw)


@pytest.mark.parametrize("thin_px", [1, 2, 3])
def test_thin_regions_are_those_scipy_erosion_finds(thin_px):
    """A region is thin when under a quarter of it survives ``thin_px`` erosions by the
    4-neighbour cross (outside the image counting as inside); the reference is
    scipy's ``binary_erosion`` of each region's mask. Thin regions are the only ones
    absorbed when ``min_pixels`` is 1."""
    from scipy import ndimage

    rng = np.random.default_rng(thin_px)
    struct = ndimage.generate_binary_structure(2, 1)
    for case in range(60):
        h, w = rng.integers(3, 30, 2)
        block = 1 + case % 3
        lab = rng.integers(0, rng.integers(2, 6), (h // block + 1, w // block + 1))
        lab = np.kron(lab, np.ones((block, block), np.int64))[:h, :w]
        if case % 2:
            lab[rng.integers(0, h), :] = 99  # a one-pixel band across the image
        _, lab = np.unique(lab, return_inverse=True)
        lab = lab.reshape(h, w)
        thin = []
        for i in range(lab.max() + 1):
            m = lab == i
            core = ndimage.binary_erosion(m, struct, iterations=thin_px, border_value=1)
            thin.append(core.sum() < 0.25 * m.sum())
        out = absorb_small_regions(lab, np.zeros((h, w, 1)), 1, thin_px=thin_px)
        kept = {i for i in range(lab.max() + 1) if not thin[i]}
        # every region that is not thin keeps all its pixels in one output region of its own
        for i in kept:
            assert np.unique(out[lab == i]).size == 1
        owners = [int(out[lab == i][0]) for i in kept]
        assert len(set(owners)) == len(owners)
        if kept:
            assert out.max() + 1 == len(kept)
