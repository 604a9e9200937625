"""docs/architecture.md's recipes, followed literally: a toy codec and a toy metric added from a
plugin module and a config entry, run through the whole workflow (one image, one grid point)."""

from __future__ import annotations

import os
import subprocess

import numpy as np
import pandas as pd
import pytest
import yaml

from semcom_core.imageio import load_rgb

from ..conftest import ROOT, snakemake_cmd

PLUGINS = ROOT / "tests" / "recipes" / "plugins"
CONFIG = {
    "seed": 0,
    "device": "cpu",
    "plugins": ["toy_plugin"],  # recipe step 2: the module that registers the classes
    "sample": {"source": "bundled", "count": 1, "max_side": 64},
    "metrics": ["psnr", "mad"],  # recipe (metric) step 3
    "experiments": {
        "A": {"enabled": True, "codecs": ["posterize"], "bpp": [6.5]},  # recipe (codec) step 3
        "B": {"enabled": False},
        "D": {"enabled": False},
    },
}


def _run(tmp_path, cfg, *args):
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(cfg))
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PLUGINS), env.get("PYTHONPATH")]))
    return subprocess.run(
        snakemake_cmd(tmp_path, path, "--cores", "1", *args),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=env,
    )


@pytest.mark.slow
def test_toy_codec_and_metric_run_through_the_workflow(tmp_path):
    proc = _run(tmp_path, CONFIG)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    results = tmp_path / "results"
    df = pd.read_csv(results / "scores.csv")
    assert set(df["system"]) == {"posterize"} and set(df["metric"]) == {"psnr", "mad"}
    (image,) = set(df["image"].astype(str))
    ref = load_rgb(results / "originals" / f"{image}.png")
    got = load_rgb(results / "A" / "posterize" / "bpp=6.5" / f"{image}.png")
    expected = (ref >> 6) << 6  # 6.5 bpp -> 2 bits per channel kept
    assert np.array_equal(got, expected)
    mad = df.loc[df["metric"] == "mad", "value"].item()
    assert mad == pytest.approx(np.abs(ref.astype(float) - expected).mean(), rel=1e-9)
    assert 6.0 < df.loc[df["metric"] == "mad", "achieved_bpp"].item() <= 6.5
    for ext in ("png", "pdf"):
        assert (results / "figures" / f"fig08_codecs_vs_bpp.{ext}").stat().st_size > 1000


def test_a_codec_typo_fails_before_any_job(tmp_path):
    cfg = {**CONFIG, "experiments": {**CONFIG["experiments"], "A": {"codecs": ["posterise"]}}}
    proc = _run(tmp_path, cfg, "-n")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "experiments.A.codecs[0]: unknown codec 'posterise'; available:" in out
    assert "posterize" in out.split("unknown codec 'posterise'")[1]  # the plugin's name is known
