"""Experiment B shards: the digital link delivers or fails cleanly, the learned one degrades."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

from semcom_core.imageio import load_rgb, resize_longer_side, save_png
from semcom_pipeline.config import validate_config
from semcom_pipeline.experiment_b import mean_image, transmit_shard


@pytest.fixture(scope="module")
def originals(tmp_path_factory, bundled_images):
    d = tmp_path_factory.mktemp("orig")
    out = {}
    for name in ("astronaut", "coffee", "chelsea"):
        p = d / f"{name}.png"
        save_png(p, resize_longer_side(bundled_images[name], 96))
        out[name] = str(p)
    return out


SYSTEMS = {
    "jpeg2000+ldpc-adaptive": {"codec": "jpeg2000", "link": "ldpc", "modulation": "adaptive"},
    "jpeg2000+ldpc-qpsk": {"codec": "jpeg2000", "link": "ldpc", "modulation": "qpsk"},
    "jpeg2000+ldpc-16qam": {"codec": "jpeg2000", "link": "ldpc", "modulation": "16qam"},
    "jpeg2000+ldpc-64qam": {"codec": "jpeg2000", "link": "ldpc", "modulation": "64qam"},
    "deepjscc-qam16": {"codec": "deepjscc", "link": "analog", "modulation": "qam16"},
}


def _cfg(**b):
    b = {"enabled": True, "systems": SYSTEMS, **b}
    cfg = validate_config({"seed": 0, "sample": {"source": "bundled"}, "experiments": {"B": b}})
    return copy.deepcopy(cfg)


def _psnr(a, b):
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)


def test_a_system_not_in_the_config_is_named(originals, tmp_path):
    with pytest.raises(KeyError, match=r"no system 'jpeg2000\+ldpc-bpsk'.*configured: jpeg2000"):
        transmit_shard("jpeg2000+ldpc-bpsk", 20.0, originals, tmp_path, _cfg())


def test_digital_high_snr_delivers_the_codec_output(originals, tmp_path):
    from semcom_codecs.registry import build_codec

    cfg = _cfg()
    transmit_shard("jpeg2000+ldpc-adaptive", 20.0, originals, tmp_path, cfg)
    import json

    for name, path in originals.items():
        rec = json.loads((tmp_path / f"{name}.json").read_text())
        assert rec["row"]["modulation"] == "64qam" and not rec["row"]["decode_failed"]
        assert rec["details"]["link"]["payload_intact"]
        budget = 0.25 * 6 * 0.5
        assert rec["row"]["target_bpp"] == pytest.approx(budget)
        assert rec["row"]["achieved_bpp"] <= budget
        # the received image is exactly what the codec decodes without a channel
        codec = build_codec("jpeg2000")
        img = load_rgb(path)
        clean = codec.decode(codec.encode(img, budget).data, img.shape)
        assert np.array_equal(load_rgb(tmp_path / f"{name}.png"), clean)


def test_digital_low_snr_fails_to_the_mean_image(originals, tmp_path):
    cfg = _cfg()
    transmit_shard("jpeg2000+ldpc-64qam", -5.0, originals, tmp_path, cfg)
    import json

    mean = mean_image([load_rgb(p) for p in originals.values()])
    failed = 0
    for name in originals:
        rec = json.loads((tmp_path / f"{name}.json").read_text())
        assert not rec["details"]["link"]["payload_intact"]
        if rec["row"]["decode_failed"]:
            failed += 1
            assert (load_rgb(tmp_path / f"{name}.png") == mean).all()
    assert failed >= 1


def test_learned_degrades_gracefully_with_snr(originals, tmp_path):
    cfg = _cfg()
    quality = {}
    for snr in (0.0, 20.0):
        out = tmp_path / f"snr{snr:g}"
        transmit_shard("deepjscc-qam16", snr, originals, out, cfg)
        quality[snr] = np.mean(
            [_psnr(load_rgb(p), load_rgb(out / f"{n}.png")) for n, p in originals.items()]
        )
    assert quality[20.0] > quality[0.0] > 12.0  # worse at low SNR, but an image, not a cliff


def test_same_seed_same_result(originals, tmp_path):
    cfg = _cfg()
    for run in ("a", "b"):
        transmit_shard("jpeg2000+ldpc-qpsk", 3.0, originals, tmp_path / run, cfg)
    for name in originals:
        assert (tmp_path / "a" / f"{name}.png").read_bytes() == (
            tmp_path / "b" / f"{name}.png"
        ).read_bytes()


@pytest.mark.parametrize(("system", "snr"), [("jpeg2000+ldpc-16qam", 8.0), ("deepjscc-qam16", 5.0)])
def test_adding_images_changes_nothing_already_computed(originals, tmp_path, system, snr):
    # noise seeds come from (experiment, grid point, image id), not from batch positions:
    # an image's received version is the same alone, in a pair or in a larger shard
    import json

    cfg = _cfg()
    runs = {
        "alone": {"coffee": originals["coffee"]},
        "all": originals,  # astronaut sorts before coffee, chelsea between them
    }
    for run, images in runs.items():
        transmit_shard(system, snr, images, tmp_path / run, cfg)
    alone = json.loads((tmp_path / "alone" / "coffee.json").read_text())
    full = json.loads((tmp_path / "all" / "coffee.json").read_text())
    assert alone["details"]["link"]["seed"] == full["details"]["link"]["seed"]
    assert alone["details"]["link"] == full["details"]["link"]
    if not full["row"]["decode_failed"]:  # a failed decode's fallback is the sample's mean
        a = load_rgb(tmp_path / "alone" / "coffee.png")
        assert np.array_equal(a, load_rgb(tmp_path / "all" / "coffee.png"))
    seeds = {
        json.loads((tmp_path / "all" / f"{n}.json").read_text())["details"]["link"]["seed"]
        for n in originals
    }
    assert len(seeds) == len(originals)  # independent noise per image


def test_config_default_schedule_is_the_codes_and_names_are_checked():
    """One source of truth: the config's default schedule is semcom_channels' (filled in by
    the config check, not written again in the schema), and an unknown modulation in a
    schedule is an error naming the key."""
    from semcom_channels import DEFAULT_SCHEDULE
    from semcom_pipeline.config import ConfigError

    schema = yaml.safe_load(Path("workflow/schemas/config.schema.yaml").read_text())
    assert (
        "default"
        not in schema["properties"]["experiments"]["properties"]["B"]["properties"]["schedule"]
    )
    schedule = _cfg()["experiments"]["B"]["schedule"]
    assert schedule == [e.to_dict() for e in DEFAULT_SCHEDULE]
    with pytest.raises(ConfigError, match=r"experiments\.B\.schedule\[0\]\.modulation.*8psk"):
        _cfg(schedule=[{"modulation": "8psk", "from_snr_db": 0}])
