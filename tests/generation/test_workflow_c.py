"""Experiment C through the workflow with the tiny random unCLIP pipeline (2 images, 2 levels)."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
import yaml

from semcom_core.imageio import load_rgb
from semcom_pipeline.config import ConfigError, validate_config

from ..conftest import snakemake_cmd

NOISE = [0, 800]
METRICS = ["seess", "psnr"]


def c_config(model, **c) -> dict:
    return {
        "seed": 0,
        "device": "cpu",
        "sample": {"source": "bundled", "count": 2, "max_side": 64},
        "metrics": METRICS,
        "metric_options": {
            "seess": {"backend": "sess-lite", "views": [[0, 0]]}
        },  # one partition: fast
        "experiments": {
            "A": {"enabled": False},
            "B": {"enabled": False},
            "D": {"enabled": False},
            "C": {
                "enabled": True,
                "model": str(model),
                "noise_levels": NOISE,
                "num_inference_steps": 2,
                **c,
            },
        },
    }


def run(workdir, cfg: dict, *args: str) -> subprocess.CompletedProcess:
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    cmd = snakemake_cmd(workdir, path, "--cores", "2", *args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=1200, check=False)


@pytest.fixture(scope="module")
def c_run(tiny_unclip_dir, tmp_path_factory):
    work = tmp_path_factory.mktemp("c_run")
    proc = run(work, c_config(tiny_unclip_dir))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return work


def test_rows_summary_and_figures(c_run):
    res = c_run / "results"
    df = pd.read_csv(res / "scores.csv")
    assert set(df["experiment"]) == {"C"} and set(df["system"]) == {"unclip"}
    images = sorted(df["image"].unique())
    assert len(images) == 2 and len(df) == 2 * len(NOISE) * len(METRICS)
    assert sorted(df["condition"].unique()) == ["noise=0,v=0", "noise=800,v=0"]
    assert sorted(df["strength"].unique()) == NOISE
    assert df["value"].notna().all() and (df["codec"].str.contains("steps=2")).all()
    summary = pd.read_csv(res / "summary.csv")
    c = summary[summary["experiment"] == "C"]
    assert len(c) == len(NOISE) * len(METRICS) and (c["n"] == 2).all()
    for name in ("fig12_unclip_vs_noise", "fig16_unclip_example"):
        for ext in ("png", "pdf"):
            assert (res / "figures" / f"{name}.{ext}").stat().st_size > 1000
    record = json.loads((res / "C" / "unclip" / "noise=800,v=0" / f"{images[0]}.json").read_text())
    assert record["details"]["noise_level"] == 800 and record["details"]["num_inference_steps"] == 2


def test_generated_image_equals_a_direct_regeneration(c_run, tiny_unclip):
    from semcom_generation.unclip import regenerate
    from semcom_pipeline.experiment_c import variation_seed

    res = c_run / "results"
    image = sorted(p.stem for p in (res / "originals").glob("*.png"))[1]
    got = load_rgb(res / "C" / "unclip" / "noise=0,v=0" / f"{image}.png")
    seed = variation_seed(0, image, 0, 0)
    want = regenerate(tiny_unclip, load_rgb(res / "originals" / f"{image}.png"), 0, seed,
                      num_inference_steps=2)  # fmt: skip
    np.testing.assert_array_equal(got, want)


def test_second_run_does_nothing(c_run, tiny_unclip_dir):
    proc = run(c_run, c_config(tiny_unclip_dir), "-n")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_a_new_noise_level_runs_only_its_own_jobs(c_run, tiny_unclip_dir, job_stats):
    proc = run(c_run, c_config(tiny_unclip_dir, noise_levels=[0, 400, 800]), "-n", "--quiet",
               "rules")  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    jobs = job_stats(proc.stdout + proc.stderr)
    assert jobs["generate"] == 1 and jobs["score"] == 1, jobs


def test_one_generate_job_per_noise_level(tiny_unclip_dir, tmp_path, job_stats):
    proc = run(tmp_path, c_config(tiny_unclip_dir, noise_levels=[0, 400, 800], variations=2),
               "-n", "--quiet", "rules")  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    jobs = job_stats(proc.stdout + proc.stderr)
    assert jobs["generate"] == 3 and jobs["score"] == 6 and jobs["plot_c"] == 1


def test_missing_model_stops_before_any_job(tmp_path):
    proc = run(tmp_path, c_config(tmp_path / "no-such-model"), "-n")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Stable unCLIP" in out and "experiments.C.model" in out and "fetch-weights" in out
    assert not (tmp_path / "results").exists()


def test_fetch_weights_lists_the_model(tiny_unclip_dir, tmp_path, capsys):
    from semcom_pipeline.cli import main

    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(c_config(tmp_path / "no-such-model")))
    assert main(["fetch-weights", "--config", str(path), "--check"]) == 1
    out = capsys.readouterr()
    assert "MISSING" in out.out and "Stable unCLIP" in out.out
    assert "experiments.C.model" in out.err
    path.write_text(yaml.safe_dump(c_config(tiny_unclip_dir)))
    assert main(["fetch-weights", "--config", str(path), "--check"]) == 0
    assert "present" in capsys.readouterr().out


def test_noise_levels_beyond_the_models_scheduler_name_the_key(tiny_unclip_dir, tmp_path):
    model = shutil.copytree(tiny_unclip_dir, tmp_path / "short")
    cfg_file = model / "image_noising_scheduler" / "scheduler_config.json"
    cfg = json.loads(cfg_file.read_text())
    cfg_file.write_text(json.dumps({**cfg, "num_train_timesteps": 500}))
    with pytest.raises(ConfigError, match=r"experiments\.C\.noise_levels\[1\].*0\.\.499"):
        validate_config(c_config(model))


@pytest.mark.parametrize(
    "change, needle",
    [
        ({"noise_levels": [0, 1200]}, "experiments.C.noise_levels[1]"),
        ({"noise_levels": [-1]}, "experiments.C.noise_levels[0]"),
        ({"scheduler": "heun2"}, "experiments.C.scheduler"),
        ({"dtype": "fp8"}, "experiments.C.dtype"),
        ({"variations": 0}, "experiments.C.variations"),
    ],
)
def test_config_errors_name_the_key(tiny_unclip_dir, change, needle):
    with pytest.raises(ConfigError) as err:
        validate_config(c_config(tiny_unclip_dir, **change))
    assert needle in str(err.value)


def test_example_image_must_be_in_the_sample(tiny_unclip_dir):
    from semcom_pipeline.experiment_c import example_image

    cfg = validate_config(c_config(tiny_unclip_dir, example_image="nope"))
    with pytest.raises(ConfigError, match="experiments.C.example_image"):
        example_image(cfg, ["coffee", "flower"])
    assert example_image(validate_config(c_config(tiny_unclip_dir)), ["flower", "coffee"]) == (
        "coffee"
    )
