"""Segmenters, mask post-processing, and the SAM checkpoint loader."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from seess.offline_segment import FelzenszwalbSegmenter
from seess.sam_model import SAM_WEIGHTS, load_sam
from seess.segment import SamSegmenter, mask_iou_matrix, postprocess_masks
from semcom_core.imageio import resize_longer_side
from semcom_core.weights import MissingWeightsError


def _box(h, w, r0, c0, r1, c1):
    m = np.zeros((h, w), bool)
    m[r0:r1, c0:c1] = True
    return m


def test_postprocess_sorts_dedups_and_caps():
    small = _box(20, 20, 0, 0, 4, 4)
    big = _box(20, 20, 0, 0, 10, 10)
    near_big = _box(20, 20, 0, 0, 10, 9)  # IoU 0.9 with big -> dropped
    mid = _box(20, 20, 10, 10, 17, 17)
    empty = np.zeros((20, 20), bool)
    out = postprocess_masks(np.stack([small, near_big, big, empty, mid]))
    areas = out.reshape(len(out), -1).sum(1)
    assert list(areas) == [100, 49, 16]  # largest first, near-duplicate and empty gone
    assert np.array_equal(out[0], big)
    # IoU exactly at the threshold is kept (rule is "> 0.8")
    a, b = _box(10, 10, 0, 0, 10, 10), _box(10, 10, 0, 0, 8, 10)
    assert mask_iou_matrix(a[None], b[None])[0, 0] == pytest.approx(0.8)
    assert len(postprocess_masks(np.stack([a, b]))) == 2
    many = np.stack([_box(30, 30, i, 0, i + 1, 30) for i in range(30)])
    assert len(postprocess_masks(many, max_masks=7)) == 7


def test_resize_longer_side_only_shrinks():
    img = np.zeros((300, 1200, 3), np.uint8)
    assert resize_longer_side(img, 800).shape == (200, 800, 3)
    assert resize_longer_side(img[:10, :10], 800).shape == (10, 10, 3)


def test_felzenszwalb_finds_each_shape(scenes):
    img = scenes["ref"]
    masks = postprocess_masks(FelzenszwalbSegmenter().segment(img))
    assert masks.dtype == np.bool_ and masks.shape[1:] == img.shape[:2]
    red = np.all(img == (220, 30, 30), axis=2)
    yellow = np.all(img == (240, 220, 40), axis=2)
    for target in (red, yellow):
        assert mask_iou_matrix(masks, target[None]).max() > 0.95


def test_felzenszwalb_blank_and_tiny_images():
    seg = FelzenszwalbSegmenter()
    assert seg.segment(np.zeros((1, 1, 3), np.uint8)).shape == (0, 1, 1)
    blank = postprocess_masks(seg.segment(np.full((32, 32, 3), 128, np.uint8)))
    assert blank.shape[0] <= 1  # one whole-image region at most


def test_tiny_sam_loads_from_checkpoint_and_segments(tiny_sam_checkpoint, scenes):
    seg = SamSegmenter(
        "seess-tiny-sam",
        tiny_sam_checkpoint,
        points_per_side=4,
        pred_iou_thresh=0.0,
        stability_score_thresh=0.0,
    )
    masks = seg.segment(scenes["ref"])
    assert masks.dtype == np.bool_ and masks.ndim == 3 and masks.shape[1:] == (96, 96)
    assert masks.shape[0] >= 1
    model = load_sam("seess-tiny-sam", tiny_sam_checkpoint)
    assert not model.training
    # the loaded weights are the saved ones
    import torch

    saved = torch.load(tiny_sam_checkpoint, map_location="cpu", weights_only=True)
    for k, v in model.state_dict().items():
        assert torch.equal(v.cpu(), saved[k]), k
    assert seg.describe()["segmenter"] == "sam-seess-tiny-sam"


def test_sam_release_loader_uses_cache_file_and_checks_sha256(tmp_path, tiny_sam_checkpoint):
    spec = SAM_WEIGHTS["vit_b"]
    fake = tmp_path / spec.filename
    fake.write_bytes(tiny_sam_checkpoint.read_bytes())
    with pytest.raises(MissingWeightsError, match="SHA-256"):
        load_sam("vit_b", weights_dir=tmp_path)


def test_missing_sam_checkpoint_message_names_file_url_and_key(tmp_path):
    with pytest.raises(MissingWeightsError) as err:
        SamSegmenter("vit_h", weights_dir=tmp_path).segment(np.zeros((8, 8, 3), np.uint8))
    msg = str(err.value)
    assert "sam_vit_h_4b8939.pth" in msg
    assert "https://dl.fbaipublicfiles.com/segment_anything/sam_vit_h_4b8939.pth" in msg
    assert "metric_options.seess.sam_checkpoint" in msg
    with pytest.raises(MissingWeightsError, match="nope.pth"):
        load_sam("vit_l", tmp_path / "nope.pth")


def test_wrong_architecture_checkpoint_is_a_clear_error(tmp_path, tiny_sam_checkpoint):
    import torch

    sd = torch.load(tiny_sam_checkpoint, map_location="cpu", weights_only=True)
    sd.pop(next(iter(sd)))
    bad = tmp_path / "bad.pth"
    torch.save(sd, bad)
    with pytest.raises(ValueError, match="does not fit SAM architecture"):
        load_sam("seess-tiny-sam", bad)
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(MissingWeightsError, match="not a readable SAM checkpoint"):
        load_sam("seess-tiny-sam", junk)


def test_release_table_matches_official_names():
    for model_type, spec in SAM_WEIGHTS.items():
        assert spec.url.endswith(spec.filename) and model_type in spec.filename
        assert len(spec.sha256) == 64 and int(spec.sha256, 16) >= 0
    assert hashlib.sha256(b"").hexdigest() not in {s.sha256 for s in SAM_WEIGHTS.values()}
