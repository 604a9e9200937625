"""Stable unCLIP regeneration on a tiny random pipeline: determinism, sizes, loading, checks."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from semcom_core.weights import MissingWeightsError
from semcom_generation.settings import GenerationSettings
from semcom_generation.unclip import build_unclip, generation_size, load_unclip, regenerate
from semcom_generation.weights import pipeline_complete, unclip_requirement


@pytest.fixture(scope="module")
def photo(bundled_images):
    return bundled_images["coffee"][:48, :80]  # 48 x 80, not square


def _gen(pipe, image, noise, seed):
    return regenerate(pipe, image, noise, seed, num_inference_steps=2)


def test_noise_zero_with_a_fixed_seed_gives_the_same_image_twice(tiny_unclip, photo):
    a = _gen(tiny_unclip, photo, 0, 7)
    b = _gen(tiny_unclip, photo, 0, 7)
    assert a.shape == photo.shape and a.dtype == np.uint8
    np.testing.assert_array_equal(a, b)
    assert a.std() > 1.0  # an image, not a constant


def test_seed_and_noise_level_change_the_image(tiny_unclip, photo):
    base = _gen(tiny_unclip, photo, 0, 7).astype(int)
    assert np.abs(base - _gen(tiny_unclip, photo, 0, 8)).mean() > 1.0
    assert np.abs(base - _gen(tiny_unclip, photo, 800, 7)).mean() > 0.1


def test_the_noise_level_reaches_the_image_embedding(tiny_unclip, photo):
    # The pipeline's own embedding step: level 0 keeps the CLIP embedding, 800 moves it.
    import torch

    from semcom_generation.unclip import torch_dtype

    pipe = tiny_unclip
    pixels = pipe.feature_extractor(images=photo.copy(), return_tensors="pt").pixel_values
    emb = pipe.image_encoder(pixels.to(torch_dtype("float32", "cpu"))).image_embeds

    def noised(level):
        g = torch.Generator().manual_seed(0)
        out = pipe.noise_image_embeddings(emb.clone(), noise_level=level, generator=g)
        return out[:, : emb.shape[1]]

    # half of the output is the (de)normalised noisy embedding; level 0 is the scheduler's
    # first timestep (almost no noise), 800 leaves a small fraction of the signal
    d0 = (noised(0) - emb).norm().item()
    d800 = (noised(800) - emb).norm().item()
    assert d0 < 0.1 * d800


def test_out_of_range_noise_level_names_the_key(tiny_unclip, photo):
    with pytest.raises(ValueError, match=r"experiments\.C\.noise_levels\[0\].*0\.\.999"):
        _gen(tiny_unclip, photo, 1000, 0)


def test_generation_size_keeps_aspect_and_multiples_of_8():
    assert generation_size((480, 640, 3), 768) == (576, 768)
    assert generation_size((48, 80, 3), 32) == (16, 32)
    assert generation_size((500, 20, 3), 64) == (64, 8)


def test_schedulers_and_unknown_scheduler(tiny_unclip_dir):
    pipe = build_unclip(str(tiny_unclip_dir), device="cpu", scheduler="euler")
    assert type(pipe.scheduler).__name__ == "EulerDiscreteScheduler"
    with pytest.raises(ValueError, match="experiments.C.scheduler"):
        build_unclip(str(tiny_unclip_dir), device="cpu", scheduler="heun2")
    with pytest.raises(ValueError, match="experiments.C.scheduler"):
        GenerationSettings(scheduler="heun2")


def test_model_loaded_once_per_process(tiny_unclip_dir):
    settings = GenerationSettings(model=str(tiny_unclip_dir), device="cpu")
    assert load_unclip(settings) is load_unclip(settings)


def test_missing_or_incomplete_model_says_what_to_fetch(tiny_unclip_dir, tmp_path):
    with pytest.raises(MissingWeightsError, match="experiments.C.model") as err:
        build_unclip(str(tmp_path / "nowhere"), device="cpu")
    assert "semcom fetch-weights" in str(err.value)
    broken = shutil.copytree(tiny_unclip_dir, tmp_path / "broken")
    assert pipeline_complete(broken)
    for f in (broken / "unet").glob("*.safetensors"):
        f.unlink()
    assert not pipeline_complete(broken)
    assert not unclip_requirement(str(broken)).is_present()


def test_hub_id_is_looked_up_in_the_local_cache_only(tiny_unclip_dir, tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    req = unclip_requirement("someone/tiny-unclip")
    assert not req.is_present()
    assert req.config_key == "experiments.C.model"
    assert req.location == str(tmp_path / "models--someone--tiny-unclip")
    assert "GB" in unclip_requirement("stabilityai/stable-diffusion-2-1-unclip").name
    # the hub cache's layout: refs/main names the snapshot that holds the files
    repo = tmp_path / "models--someone--tiny-unclip"
    shutil.copytree(tiny_unclip_dir, repo / "snapshots" / "abc123")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    assert req.is_present()
    pipe = build_unclip("someone/tiny-unclip", device="cpu")
    assert type(pipe).__name__ == "StableUnCLIPImg2ImgPipeline"
