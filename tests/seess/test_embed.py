"""Embedders, crops and relation similarity."""

from __future__ import annotations

import numpy as np
import pytest

from seess.api import relation_similarity
from seess.embed import ClipEmbedder, mask_boxes, node_crops
from seess.offline_embed import DescriptorEmbedder


def _patch(colour, size=(20, 30)):
    img = np.zeros((*size, 3), np.uint8)
    img[:] = colour
    return img


def test_descriptor_unit_norm_deterministic_and_meaningful():
    e = DescriptorEmbedder()
    imgs = [
        _patch((220, 30, 30)),
        _patch((230, 40, 35)),
        _patch((30, 30, 220)),
        _patch((1, 2, 3), (1, 1)),
    ]
    f = e.embed_images(imgs)
    assert f.shape == (4, e.dim) and f.dtype == np.float32
    assert np.allclose(np.linalg.norm(f, axis=1), 1.0, atol=1e-6)
    assert np.array_equal(f, e.embed_images(imgs))
    cos = f @ f.T
    assert cos[0, 1] > cos[0, 2] + 0.2  # similar red patches are closer than red vs blue
    assert e.embed_images([]).shape == (0, e.dim)
    assert not e.has_text and e.text_key() is None


def test_descriptor_texture_separates_stripes_from_flat():
    e = DescriptorEmbedder()
    flat = _patch((128, 128, 128), (32, 32))
    stripes = flat.copy()
    stripes[:, ::4] = 255
    stripes[:, 1::4] = 0
    hstripes = np.ascontiguousarray(stripes.transpose(1, 0, 2))
    f = e.embed_images([flat, stripes, hstripes])
    assert f[1] @ f[2] < 0.999 and f[0] @ f[1] < 0.99


def test_node_crops_bbox_and_masked():
    img = np.arange(10 * 12 * 3, dtype=np.uint8).reshape(10, 12, 3)
    m = np.zeros((1, 10, 12), bool)
    m[0, 2:5, 3:9] = True
    m[0, 2, 3] = False
    boxes = mask_boxes(m)
    assert boxes.tolist() == [[2, 3, 5, 9]]
    (crop,) = node_crops(img, m, boxes, "bbox")
    assert np.array_equal(crop, img[2:5, 3:9])
    (masked,) = node_crops(img, m, boxes, "masked")
    assert masked[0, 0].tolist() == [0, 0, 0] and np.array_equal(masked[1:], img[3:5, 3:9])
    with pytest.raises(ValueError, match="crop mode"):
        node_crops(img, m, boxes, "circle")


def test_descriptor_relation_similarity_is_identity():
    assert np.array_equal(relation_similarity(DescriptorEmbedder()), np.eye(56))


def test_tiny_clip_embedder_images_texts_and_relation_similarity():
    e = ClipEmbedder("seess-tiny-clip", None, device="cpu", batch_size=2)
    f = e.embed_images(
        [_patch((200, 10, 10)), _patch((10, 10, 200), (50, 7)), _patch((0, 0, 0), (1, 1))]
    )
    assert f.shape == (3, 64) and np.allclose(np.linalg.norm(f, axis=1), 1, atol=1e-5)
    R = relation_similarity(e)
    assert R.shape == (56, 56)
    assert np.allclose(np.diag(R), 1.0, atol=1e-5) and np.allclose(R, R.T, atol=1e-6)
    assert relation_similarity(e) is R  # computed once per text encoder
    assert e.describe()["clip_model"] == "seess-tiny-clip"


def test_object_descriptor_colour_histogram_is_the_soft_joint_histogram():
    """The sparse colour codes (8 bins per pixel) sum, over any pixel set, to the dense
    joint histogram of per-channel triangular memberships (the reference below)."""
    from seess.offline_embed import ObjectDescriptorEmbedder, _histogram

    rng = np.random.default_rng(3)
    unit = rng.random((17, 23, 3))
    unit[0, :5] = [0.0, 1.0, 0.5]  # bin edges and centres exactly
    for bins in (2, 4, 5):
        emb = ObjectDescriptorEmbedder(bins=bins)
        codes = emb._hist_codes(unit)
        centres = np.linspace(0.0, 1.0, bins)
        tri = np.clip(1.0 - np.abs(unit[..., None] - centres) * (bins - 1), 0.0, None)
        dense = np.einsum("hwi,hwj,hwk->hwijk", tri[..., 0, :], tri[..., 1, :], tri[..., 2, :])
        dense = dense.reshape(-1, bins**3)
        mask = rng.random(unit.shape[0] * unit.shape[1]) < 0.3
        assert np.allclose(_histogram(codes, mask, bins**3), dense[mask].sum(0), atol=1e-12)
        idx = np.flatnonzero(mask)
        assert np.allclose(_histogram(codes, idx, bins**3), dense[idx].sum(0), atol=1e-12)
        assert np.isclose(_histogram(codes, np.ones(mask.size, bool), bins**3).sum(), mask.size)
