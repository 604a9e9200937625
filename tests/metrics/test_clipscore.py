"""ClipScore with a tiny random OpenCLIP model (the same classes as ViT-H-14)."""

from __future__ import annotations

import numpy as np
import pytest

from seess.clip_model import TINY_CLIP, load_open_clip
from semcom_metrics.clipscore import ClipScore


@pytest.fixture(scope="module")
def tiny_clip():
    return ClipScore(model=TINY_CLIP, weights=None)


def test_self_similarity_is_one(tiny_clip, photo_pair, bundled_images):
    ref, test = photo_pair
    flat = np.full((20, 30, 3), 200, np.uint8)
    vals = tiny_clip.score_batch(
        [ref, bundled_images["chelsea"], flat, ref], [ref, bundled_images["chelsea"], flat, test]
    )
    assert vals[:3] == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
    assert -1.0 <= vals[3] <= 1.0 + 1e-9


def test_cosine_of_shared_embeddings(tiny_clip, photo_pair):
    ref, test = photo_pair
    clip = load_open_clip(TINY_CLIP, None)
    assert tiny_clip.clip is clip  # one instance per process, shared with SeSS
    e = clip.embed_images([ref, test]).astype(np.float64)
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    assert tiny_clip.score(ref, test) == pytest.approx(float(e[0] @ e[1]), abs=1e-6)
    d = tiny_clip.describe()
    assert (
        d["model"] == TINY_CLIP and d["weights"] == "random" and "open_clip_torch" in d["versions"]
    )


def test_bad_options_fail_at_construction():
    with pytest.raises(ValueError, match="not a pretrained tag"):
        ClipScore(model="ViT-H-14", weights="no_such_tag")
    with pytest.raises(ValueError, match="unknown open_clip model"):
        ClipScore(model="ViT-Q-99")
    d = ClipScore().describe()
    assert (d["model"], d["weights"]) == ("ViT-H-14", "laion2b_s32b_b79k")


def test_required_weights(tmp_path, tiny_clip):
    (req,) = ClipScore(cache_dir=str(tmp_path)).required_weights()
    assert not req.is_present()
    assert req.location == str(tmp_path / "models--laion--CLIP-ViT-H-14-laion2B-s32B-b79K")
    assert req.source == "https://huggingface.co/laion/CLIP-ViT-H-14-laion2B-s32B-b79K"
    assert tiny_clip.required_weights() == []
