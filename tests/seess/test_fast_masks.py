"""SAM's fast automatic-mask path equals the reference generator on the same weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seess.sam_model import build_sam_model
from seess.segment import SamSegmenter, mean_matched_iou
from semcom_core.bundled import BUNDLED, load_bundled
from semcom_core.imageio import resize_longer_side

# reference thresholds would drop every mask of a random model; the NMS stays on
OPTIONS = {"points_per_side": 4, "pred_iou_thresh": 0.0, "stability_score_thresh": 0.0}


@pytest.fixture(scope="module")
def varied_sam_checkpoint(tmp_path_factory):
    """A random seess-tiny-sam whose decoder is scaled so that masks depend on the prompt
    (a plain random decoder answers every point with the same mask)."""
    torch.manual_seed(0)
    model = build_sam_model("seess-tiny-sam")
    with torch.no_grad():
        for p in [*model.mask_decoder.parameters(), *model.prompt_encoder.parameters()]:
            p.mul_(4.0)
    path = tmp_path_factory.mktemp("sam") / "tiny_sam_varied.pth"
    torch.save(model.state_dict(), path)
    return path


@pytest.fixture(scope="module")
def images():
    return [resize_longer_side(load_bundled(name), 64) for name in sorted(BUNDLED)[:3]]


@pytest.mark.parametrize("crop_n_layers", [0, 1])
def test_fast_path_matches_reference_generator(varied_sam_checkpoint, images, crop_n_layers):
    opts = {**OPTIONS, "crop_n_layers": crop_n_layers}
    ref = SamSegmenter("seess-tiny-sam", varied_sam_checkpoint, **opts)
    fast = SamSegmenter(
        "seess-tiny-sam",
        varied_sam_checkpoint,
        fast=True,
        fast_options={"encoder_batch": 2},  # 3 images: a full and a partial encoder batch
        **opts,
    )
    expected = [ref.segment(im) for im in images]
    got = fast.segment_batch(images)
    for im, e, g in zip(images, expected, got):
        assert e.shape[0] >= 5, "the test model must produce several masks"
        assert g.shape == e.shape and g.shape[1:] == im.shape[:2]
        assert mean_matched_iou(e, g) >= 0.95
        assert mean_matched_iou(g, e) >= 0.95
    # one image at a time through the fast path: the same masks as in a batch
    assert np.array_equal(fast.segment(images[0]), got[0])
    assert fast.describe()["sam_fast"] == {"encoder_batch": 2}


def test_fast_options_are_checked(varied_sam_checkpoint):
    with pytest.raises(ValueError, match="without fast=True"):
        SamSegmenter("seess-tiny-sam", varied_sam_checkpoint, fast_options={"dtype": "bfloat16"})
    seg = SamSegmenter(
        "seess-tiny-sam", varied_sam_checkpoint, fast=True, fast_options={"dtype": "bfloat16"}
    )
    with pytest.raises(ValueError, match="need the model on CUDA"):
        seg.segment(np.zeros((32, 32, 3), np.uint8))
    seg = SamSegmenter(
        "seess-tiny-sam", varied_sam_checkpoint, fast=True, fast_options={"dtype": "int8"}
    )
    with pytest.raises(ValueError, match="dtype 'int8'"):
        seg.segment(np.zeros((32, 32, 3), np.uint8))


def test_default_segmenters_batch_one_by_one(images):
    from seess.offline_segment import FelzenszwalbSegmenter

    seg = FelzenszwalbSegmenter()
    batch = seg.segment_batch(images[:2])
    for im, masks in zip(images[:2], batch):
        assert np.array_equal(masks, seg.segment(im))
