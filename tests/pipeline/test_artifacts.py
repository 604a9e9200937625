"""Expensive outputs keyed by a config hash are reused, not rebuilt, by a rerun."""

from __future__ import annotations

from semcom_pipeline.artifacts import reuse_or_build


def test_second_build_with_the_same_name_is_reused(tmp_path):
    calls = []
    out = tmp_path / "ckpt" / "model-abc123.pt"

    def build():
        calls.append(1)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"weights")

    assert reuse_or_build([out], build, tmp_path / "store") is False
    out.unlink()  # Snakemake removes outputs before rerunning a job
    assert reuse_or_build([out], build, tmp_path / "store") is True
    assert out.read_bytes() == b"weights" and len(calls) == 1
    other = tmp_path / "ckpt" / "model-def456.pt"  # a changed config hash trains again

    def build_other():
        calls.append(2)
        other.write_bytes(b"new")

    assert reuse_or_build([other], build_other, tmp_path / "store") is False and calls == [1, 2]


def test_train_config_is_validated():
    import pytest

    from semcom_pipeline.config import ConfigError, validate_config

    base = {"seed": 0, "sample": {"source": "bundled"}}
    validate_config(
        {**base, "train": {"deepjscc": {"epochs": 3, "device": "cpu", "snr_db": [0, 10]}}}
    )
    with pytest.raises(ConfigError, match="epoch"):
        validate_config({**base, "train": {"deepjscc": {"epoch": 3}}})
