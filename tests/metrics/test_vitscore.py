"""ViTScore: the greedy matching by hand, identical images, checkpoints and missing weights."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from semcom_core.weights import MissingWeightsError
from semcom_metrics.vitscore import DEFAULT_VIT, ViTScore, greedy_match_f

from .conftest import add_noise

TINY = "vit_tiny_patch16_224"


def test_greedy_matching_by_hand():
    x = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    y = np.array([[0.8, 0.6], [0.0, -1.0]])
    # x.y^T = [[0.8, 0], [0.6, -1], [0.96, -0.8]]
    r = (0.8 + 0.6 + 0.96) / 3  # best y for each x
    p = (0.96 + 0.0) / 2  # best x for each y
    got = greedy_match_f(x, y)
    assert got == pytest.approx((r, p, 2 * r * p / (r + p)), abs=1e-12)
    assert greedy_match_f(y, x)[:2] == pytest.approx((p, r), abs=1e-12)  # symmetry swaps R, P
    assert greedy_match_f(-x[:1], x[:1])[2] == 0.0  # harmonic mean undefined -> 0
    with pytest.raises(ValueError, match="feature matrices"):
        greedy_match_f(x, y[:, :1])


@pytest.fixture(scope="module")
def tiny_vit():
    return ViTScore(model=TINY, weights="random", seed=3)


def test_identical_images_score_maximum(tiny_vit, photo_pair, bundled_images):
    ref, test = photo_pair
    flat = np.full((50, 70, 3), 90, np.uint8)
    vals = tiny_vit.score_batch([ref, ref, flat], [ref, test, flat])
    assert vals[0] == pytest.approx(1.0, abs=1e-9)
    assert vals[2] == pytest.approx(1.0, abs=1e-9)
    assert vals[1] < vals[0]
    tokens = tiny_vit.tokens([ref])[0]
    assert tokens.shape == (196, 192)  # 14x14 patches, no class token
    assert np.allclose(np.linalg.norm(tokens, axis=1), 1.0)
    r, p, f = greedy_match_f(tiny_vit.tokens([ref])[0], tiny_vit.tokens([test])[0])
    assert f == pytest.approx(vals[1], abs=1e-12) and r <= 1 and p <= 1


def test_checkpoint_file_round_trip(tiny_vit, tmp_path, photo_pair):
    ref, test = photo_pair
    path = tmp_path / "vit_tiny.pth"
    torch.save({"state_dict": tiny_vit.model.state_dict()}, path)
    from_file = ViTScore(model=TINY, weights=str(path))
    assert from_file.score(ref, test) == pytest.approx(tiny_vit.score(ref, test), abs=1e-9)
    d = from_file.describe()
    assert d["model"] == TINY and d["weights"] == str(path) and "timm" in d["versions"]
    with pytest.raises(MissingWeightsError, match="not found"):
        ViTScore(model=TINY, weights=str(tmp_path / "absent.pth")).score(ref, ref)
    wrong = tmp_path / "wrong.pth"
    torch.save({"blocks.0.norm1.weight": torch.ones(3)}, wrong)
    with pytest.raises(MissingWeightsError, match="not a state dict"):
        ViTScore(model=TINY, weights=str(wrong)).score(ref, ref)


def test_bad_options_fail_at_construction():
    with pytest.raises(ValueError, match="unknown timm model"):
        ViTScore(model="not_a_vit_at_all")
    with pytest.raises(ValueError, match="weights must be"):
        ViTScore(weights="imagenet")
    with pytest.raises(TypeError, match="unknown option"):
        ViTScore(weights="random", layer=3)


def test_default_is_pretrained_and_named(tmp_path, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    metric = ViTScore()
    d = metric.describe()
    assert d["model"] == DEFAULT_VIT and d["weights"] == "pretrained"
    (req,) = metric.required_weights()
    assert not req.is_present()
    assert req.location == str(tmp_path / f"models--timm--{DEFAULT_VIT}")
    assert req.config_key == "metric_options.vitscore.weights"
    assert ViTScore(model=TINY, weights="random").required_weights() == []


def test_missing_pretrained_weights_message(tmp_path):
    code = textwrap.dedent(
        """
        import numpy as np
        from semcom_metrics.vitscore import ViTScore
        from semcom_core.weights import MissingWeightsError
        try:
            ViTScore(model="vit_tiny_patch16_224.augreg_in21k_ft_in1k").score(
                np.zeros((32, 32, 3), np.uint8), np.zeros((32, 32, 3), np.uint8))
        except MissingWeightsError as exc:
            print("MISSING:", exc)
        """
    )
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "hf"),
        "TORCH_HOME": str(tmp_path / "torch"),
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "MISSING:" in out.stdout, out.stderr[-2000:]
    assert "timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k" in out.stdout
    assert "metric_options.vitscore.weights" in out.stdout


def test_noise_lowers_score(tiny_vit, photo_pair):
    ref, _ = photo_pair
    mild, strong = add_noise(ref, 5.0, 1), add_noise(ref, 80.0, 1)
    a, b = tiny_vit.score_batch([ref, ref], [mild, strong])
    assert 1.0 > a > b
