"""LPIPS through the wrapper against the lpips package itself, and the weight-loading paths."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

from semcom_core.imageio import ImageError
from semcom_core.models import clear_model_cache
from semcom_core.weights import MissingWeightsError
from semcom_metrics.base import resize_to
from semcom_metrics.perceptual import BACKBONES, LPIPS, LpipsScore, resolve_backbone

from .conftest import add_noise


@pytest.fixture(scope="module")
def random_alex_checkpoint(tmp_path_factory):
    """A random-backbone lpips.LPIPS and its backbone saved in torchvision's format."""
    import lpips

    torch.manual_seed(123)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = lpips.LPIPS(net="alex", pnet_rand=True, verbose=False).eval()
    state = {}
    for key, value in model.net.state_dict().items():
        _, idx, rest = key.split(".", 2)
        state[f"features.{idx}.{rest}"] = value.clone()
    path = tmp_path_factory.mktemp("lpips") / "my_alexnet.pth"
    torch.save(state, path)
    return model, path


def _as_lpips_input(image):
    """The lpips package's own convention: [-1, 1] float, 256x256."""
    im = resize_to(image, (256, 256)).astype(np.float32)
    return torch.from_numpy(im).permute(2, 0, 1)[None] / 127.5 - 1.0


def test_wrapper_equals_lpips_package(random_alex_checkpoint, photo_pair, bundled_images):
    model, path = random_alex_checkpoint
    ref, test = photo_pair
    other = bundled_images["chelsea"]
    metric = LPIPS(backbone_weights=str(path))
    got = metric.score_batch([ref, other], [test, add_noise(other, 40.0, 9)])
    with torch.no_grad():
        want = [
            float(model(_as_lpips_input(ref), _as_lpips_input(test))),
            float(model(_as_lpips_input(other), _as_lpips_input(add_noise(other, 40.0, 9)))),
        ]
    assert got == pytest.approx(want, rel=1e-5, abs=1e-7)
    assert got[0] > 0
    score = LpipsScore(backbone_weights=str(path))
    assert score.score(ref, test) == pytest.approx(1.0 - got[0], abs=1e-7)
    d = metric.describe()
    assert d["backbone_weights"] == str(path) and d["model"] == "lpips v0.1 alex"
    assert d["lin_weights"].endswith("v0.1/alex.pth") and "lpips" in d["versions"]


def test_identical_images_give_zero(photo_pair):
    ref, _ = photo_pair
    flat = np.full((40, 30, 3), 128, np.uint8)
    m = LPIPS(random_backbone=True)
    vals = m.score_batch([ref, flat], [ref, flat])
    assert vals == [0.0, 0.0]
    assert LpipsScore(random_backbone=True).score(ref, ref) == 1.0
    v = m.score(flat, np.zeros_like(flat))
    assert math.isfinite(v) and v >= 0
    assert m.describe()["backbone_weights"] == "random"


def test_model_loaded_once_per_process(random_alex_checkpoint, photo_pair):
    _, path = random_alex_checkpoint
    clear_model_cache()
    a, b = LPIPS(backbone_weights=str(path)), LpipsScore(backbone_weights=str(path))
    assert a.model is b.model
    assert not a.model.training


def test_missing_backbone_names_file_url_and_key(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("SEESS_WEIGHTS", str(tmp_path / "weights"))
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    metric = LPIPS()  # construction never needs the weights (required_weights lists them)
    (req,) = metric.required_weights()
    assert not req.is_present()
    assert req.location == str(tmp_path / "weights" / BACKBONES["alex"][0])
    assert req.source == BACKBONES["alex"][1]
    assert req.config_key == "metric_options.lpips.backbone_weights"
    assert LPIPS(random_backbone=True).required_weights() == []
    with pytest.raises(MissingWeightsError) as err:
        metric.score(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8, 3), np.uint8))
    msg = str(err.value)
    filename, url = BACKBONES["alex"]
    assert filename in msg and url in msg
    assert str(tmp_path / "torch" / "hub" / "checkpoints") in msg
    assert "metric_options.lpips.backbone_weights" in msg
    with pytest.raises(MissingWeightsError, match="vgg16-397923af.pth"):
        _ = LPIPS(net="vgg", backbone_weights=str(tmp_path / "nope.pth")).backbone


def test_corrupt_canonical_file_is_rejected(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    ckpt = tmp_path / "torch" / "hub" / "checkpoints" / BACKBONES["alex"][0]
    ckpt.parent.mkdir(parents=True)
    ckpt.write_bytes(b"not a checkpoint")
    with pytest.raises(MissingWeightsError, match="SHA-256"):
        resolve_backbone("alex")
    (req,) = LPIPS().required_weights()
    assert req.is_present() and req.location == str(ckpt)


def test_wrong_checkpoint_contents(tmp_path):
    bad = tmp_path / "bad.pth"
    torch.save({"features.0.weight": torch.zeros(3)}, bad)
    m = LPIPS(backbone_weights=str(bad), seed=5)
    with pytest.raises(MissingWeightsError, match="shape|missing tensor"):
        m.score(np.zeros((8, 8, 3), np.uint8), np.ones((8, 8, 3), np.uint8))


def test_bad_options_and_inputs(photo_pair, bundled_images):
    with pytest.raises(ValueError, match="net must be one of"):
        LPIPS(net="squeezenet")
    with pytest.raises(TypeError, match="unknown option"):
        LPIPS(random_backbone=True, normalize=True)
    with pytest.raises(ValueError, match="size"):
        LPIPS(random_backbone=True, size=8)
    m = LPIPS(random_backbone=True)
    with pytest.raises(ImageError, match="sizes differ"):
        m.score(bundled_images["astronaut"], bundled_images["chelsea"])
    one = np.zeros((1, 1, 3), np.uint8)
    assert math.isfinite(m.score(one, one + 255))  # resized to 256x256 first


def test_backbone_download_goes_through_the_core_download_and_verify_path(tmp_path, monkeypatch):
    # a file:// URL stands in for download.pytorch.org; the file lands in torchvision's
    # cache, checked against the SHA-256 prefix its name carries
    import hashlib

    from semcom_metrics import perceptual

    blob = b"backbone" * 64
    name = f"alexnet-owt-{hashlib.sha256(blob).hexdigest()[:8]}.pth"
    src = tmp_path / "server" / name
    src.parent.mkdir()
    src.write_bytes(blob)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("SEESS_WEIGHTS", str(tmp_path / "weights"))
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    monkeypatch.setitem(perceptual.BACKBONES, "alex", (name, src.as_uri()))
    got = resolve_backbone("alex", download=True)
    assert got == tmp_path / "torch" / "hub" / "checkpoints" / name and got.read_bytes() == blob
    src.write_bytes(b"tampered")
    got.unlink()
    with pytest.raises(MissingWeightsError, match="SHA-256"):
        resolve_backbone("alex", download=True)
    assert not got.exists()
