"""The learned codec (DeepJSCC): model maths, training, checkpoint loading, rates."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from semcom_codecs.deepjscc import CHECKPOINT_DIR, SHIPPED_CHECKPOINT, DeepJSCCCodec
from semcom_codecs.jscc_model import (
    DeepJSCC,
    pad_to_multiple,
    power_normalize,
    qam16_from_indices,
    qam16_indices,
)
from semcom_codecs.jscc_train import TrainConfig, checkpoint_name, config_hash, train
from semcom_core.phy import esno_db_to_no, qam16_points, seeded_awgn

QAM16 = {complex(a, b) for a in (-3, -1, 1, 3) for b in (-3, -1, 1, 3)}


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255.0**2 / mse)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A tiny real training run on the bundled images (CPU, a few seconds)."""
    cfg = TrainConfig(
        epochs=3, steps_per_epoch=8, batch_size=4, crop=32, width=16, max_symbols=4, seed=7
    )
    return train(cfg, tmp_path_factory.mktemp("ckpt"), device="cpu", progress=False)


def test_forward_backward_cpu_with_sionna_awgn():
    torch.manual_seed(0)
    model = DeepJSCC(max_symbols=4, width=16, mode="analog")
    x = torch.rand(2, 3, 32, 48)
    y = model(x, 3, torch.tensor([5.0, 15.0]), channel=seeded_awgn("cpu", 0))
    assert y.shape == x.shape and 0 <= float(y.detach().min()) and float(y.detach().max()) <= 1
    torch.mean((y - x) ** 2).backward()
    for p in (model.encoder[0].weight, model.decoder[-2].weight):
        assert p.grad is not None and p.grad.abs().sum() > 0


def test_power_constraint_analog():
    torch.manual_seed(1)
    model = DeepJSCC(max_symbols=4, width=16, mode="analog")
    for k in (1, 4):
        z = model.encode(torch.rand(3, 3, 40, 24), k)
        power = (z.abs() ** 2).mean(dim=1)
        assert z.dtype == torch.complex64 and z.shape == (3, k * 5 * 3)
        assert torch.allclose(power, torch.ones(3), rtol=0.01)
    z = power_normalize(torch.randn(2, 100, dtype=torch.complex64) * 7)
    assert torch.allclose((z.abs() ** 2).mean(1), torch.ones(2), rtol=1e-4)


def test_16qam_emits_only_constellation_points_with_straight_through_gradient():
    torch.manual_seed(2)
    model = DeepJSCC(max_symbols=4, width=16, mode="16qam")
    x = torch.rand(2, 3, 32, 32)
    z = model.encode(x, 4)
    pts = {
        complex(round(v.real * math.sqrt(10)), round(v.imag * math.sqrt(10)))
        for v in z.flatten().tolist()
    }
    assert pts <= QAM16
    scaled = z.detach() * math.sqrt(10)
    assert torch.allclose(scaled.real, scaled.real.round(), atol=1e-5)
    z.real.sum().backward()
    assert model.encoder[0].weight.grad.abs().sum() > 0  # gradient passes the quantiser
    idx = qam16_indices(z.detach())
    assert torch.equal(qam16_from_indices(idx), z.detach())
    # the codec's 16QAM is the channels' (Sionna's Gray-labelled "qam", 4) point for point
    assert torch.equal(qam16_from_indices(torch.arange(16)), qam16_points())


def test_awgn_noise_variance_matches_es_n0_definition():
    # one noise power per example (a (B,) tensor of SNRs), Sionna's block, seeded
    z = torch.zeros(4, 200_000, dtype=torch.complex64)
    snr = torch.tensor([0.0, 5.0, 10.0, 20.0])
    n0 = esno_db_to_no(snr)
    assert torch.allclose(n0, 10 ** (-snr / 10))
    n = seeded_awgn("cpu", 3)(z, n0)
    assert torch.allclose((n.abs() ** 2).mean(1), n0, rtol=0.02)  # E|n|^2 = N0
    assert torch.allclose(n.real.var(1), n0 / 2, rtol=0.02)  # N0/2 per real dimension
    assert torch.equal(n, seeded_awgn("cpu", 3)(z, n0))  # the seed fixes the realisation


def test_pad_to_multiple_and_crop():
    x = torch.rand(1, 3, 13, 9)
    xp, hw = pad_to_multiple(x)
    assert xp.shape[-2:] == (16, 16) and hw == (13, 9)
    assert torch.equal(xp[..., :13, :9], x)


def test_tiny_training_lowers_loss(tiny_run):
    rec = tiny_run.record
    assert rec["eval_loss_final"] < rec["eval_loss_initial"]
    cfg = TrainConfig(**{**rec["config"], "snr_db": tuple(rec["config"]["snr_db"])})
    assert (
        tiny_run.checkpoint.name == checkpoint_name(cfg)
        and config_hash(cfg) in tiny_run.checkpoint.name
    )
    side = json.loads(tiny_run.checkpoint.with_suffix(".json").read_text())
    assert side["config"]["seed"] == 7 and side["seconds"] > 0


def test_codec_on_trained_checkpoint_any_size(tiny_run, bundled_images):
    codec = DeepJSCCCodec(checkpoint=str(tiny_run.checkpoint), device="cpu")
    img = bundled_images["chelsea"][:37, :53]
    for shape_img in (img, img[:1, :1]):  # odd size and 1x1
        rate = codec.symbols_for_bpp(1.0, shape_img.shape)
        sym = codec.encode_symbols(shape_img, k=rate["k"])
        assert sym.dtype == np.complex64 and sym.ndim == 1 and sym.size == rate["n_symbols"]
        out = codec.decode_symbols(sym, shape_img.shape)
        assert out.shape == shape_img.shape and out.dtype == np.uint8
    # noisy symbols decode too (the analog path)
    sym = codec.encode_symbols(img, k=2)
    noisy = seeded_awgn("cpu", 0)(torch.from_numpy(sym)[None], esno_db_to_no(5.0))
    assert codec.decode_symbols(noisy[0].numpy(), img.shape).shape == img.shape
    with pytest.raises(ValueError, match="do not fit"):
        codec.decode_symbols(sym[:-1], img.shape)


def test_rates_and_byte_form(tiny_run, astronaut):
    codec = DeepJSCCCodec(checkpoint=str(tiny_run.checkpoint), device="cpu")
    assert codec.kind == "analog"
    shape = astronaut.shape  # 256 x 256: 1024 blocks of 8x8
    assert codec.bpp_for(1, shape) == pytest.approx(4 * 1024 / 65536)
    assert codec.supported_bpp(shape) == pytest.approx([k / 16 for k in range(1, 5)])
    r = codec.symbols_for_bpp(0.19, shape)
    assert r["k"] == 3 and r["bpp"] == pytest.approx(0.1875) and r["reached"]
    cu = codec.rate_for_channel_uses(3 / 64, shape)  # 3 symbols per 8x8 block
    assert cu["k"] == 3 and cu["channel_uses_per_pixel"] == pytest.approx(3 / 64)
    low = codec.symbols_for_bpp(0.01, shape)
    assert low["k"] == 1 and not low["reached"] and "unreachable" in low["note"]
    e = codec.encode(astronaut, 0.19)
    assert e.achieved_bpp == pytest.approx(0.1875) and len(e.data) == 3 * 1024 // 2
    dec = codec.decode(e.data, shape)
    ref = codec.decode_symbols(codec.encode_symbols(astronaut, k=3), shape)
    assert np.array_equal(dec, ref)
    assert codec.describe()["checkpoint"] == tiny_run.checkpoint.name
    analog = DeepJSCCCodec(checkpoint=str(tiny_run.checkpoint), mode="analog", device="cpu")
    z = analog.encode_symbols(astronaut, 0.25)
    assert abs(np.mean(np.abs(z) ** 2) - 1) < 0.01
    with pytest.raises(NotImplementedError, match="encode_symbols"):
        analog.encode(astronaut, 0.25)


def test_missing_checkpoint_names_the_fix(tmp_path):
    from semcom_core.weights import MissingWeightsError

    with pytest.raises(MissingWeightsError, match="train_deepjscc"):
        _ = DeepJSCCCodec(checkpoint=str(tmp_path / "nope.pt")).model


def test_shipped_checkpoint_vs_jpeg(bundled_images):
    """PSNR of the shipped checkpoint (noiseless 16QAM symbols) against JPEG; numbers printed."""
    from semcom_codecs.jpeg import JPEG

    path = CHECKPOINT_DIR / SHIPPED_CHECKPOINT
    assert path.is_file() and path.stat().st_size < 5 * 2**20
    rec = json.loads(path.with_suffix(".json").read_text())
    assert rec["command"].startswith("python -m semcom_codecs.jscc_train")
    codec, jpeg = DeepJSCCCodec(device="cpu"), JPEG()
    rows = []
    for name, im in bundled_images.items():
        for k in (1, codec.model.max_symbols):
            e = codec.encode(im, codec.bpp_for(k, im.shape))
            p_jscc = psnr(codec.decode(e.data, im.shape), im)
            j = jpeg.encode(im, e.achieved_bpp)
            p_jpeg = psnr(jpeg.decode(j.data, im.shape), im)
            rows.append((name, k, e.achieved_bpp, p_jscc, j.achieved_bpp, p_jpeg))
            assert p_jscc > 15.0  # a working reconstruction, not noise
    print("\nimage k jscc_bpp jscc_psnr jpeg_bpp jpeg_psnr")
    for name, k, b, pj, bj, pg in rows:
        print(f"{name:<10} {k} {b:.4f} {pj:.2f} {bj:.4f} {pg:.2f}")
    low = [r for r in rows if r[1] == 1]
    m = [np.mean([r[i] for r in low]) for i in (3, 2, 5, 4)]
    print(
        f"lowest rate: mean JSCC {m[0]:.2f} dB at {m[1]:.3f} bpp; "
        f"JPEG {m[2]:.2f} dB at {m[3]:.3f} bpp (its smallest file)"
    )
