"""Config validation: typos, wrong types and impossible values stop the run naming the key."""

from __future__ import annotations

import copy
import subprocess

import pytest
import yaml

from semcom_pipeline.config import ConfigError, load_config, validate_config

from ..conftest import ROOT, TINY, snakemake_cmd

BASE = yaml.safe_load((ROOT / "config.yaml").read_text())


def _with(**changes):
    cfg = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        node = cfg
        *parents, last = dotted.split("__")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return cfg


def test_shipped_config_is_valid_and_defaults_are_filled():
    cfg = load_config(ROOT / "config.yaml")
    assert cfg["device"] in ("auto", "cpu", "cuda")
    assert cfg["experiments"]["B"]["snr_def"] in ("Es/N0", "Eb/N0")
    assert cfg["plot"]["ci"] == 95


@pytest.mark.parametrize(
    "changes, needle",
    [
        ({"sedd": 1}, "sedd"),
        ({"sample__cuont": 3}, "cuont"),
        ({"experiments__A__bpp": [0.5, -0.25]}, "experiments.A.bpp[1]"),
        ({"experiments__A__bpp": "0.5"}, "experiments.A.bpp"),
        ({"seed": "zero"}, "seed"),
        ({"device": "gpu"}, "device"),
        ({"metrics": ["psnr", "pnsr"]}, "pnsr"),
        ({"experiments__A__codecs": ["jpeg", "jpg"]}, "jpg"),
        (
            {"sample__source": "folder", "sample__folder": "/nonexistent/coco/val2017"},
            "/nonexistent/coco/val2017",
        ),
        ({"sample__source": "folder", "sample__folder": None}, "sample.folder"),
        ({"experiments__B__snr_def": "SNR"}, "experiments.B.snr_def"),
        ({"experiments__C__noise_levels": [0, 1000]}, "experiments.C.noise_levels[1]"),
        ({"experiments__C__scheduler": "heun2"}, "experiments.C.scheduler"),
        ({"experiments__D__transforms__rotate": [0, 10]}, "rotate"),
    ],
)
def test_bad_config_names_the_problem(changes, needle):
    with pytest.raises(ConfigError) as err:
        validate_config(_with(**changes))
    assert needle in str(err.value)


def test_snakemake_stops_before_any_job(tmp_path):
    bad = _with(experiments__A__bpp=[-1.0])
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(yaml.safe_dump(bad))
    proc = subprocess.run(
        snakemake_cmd(tmp_path, cfg, "-n", "--cores", "1"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode != 0
    assert "experiments.A.bpp[0]" in proc.stdout + proc.stderr
    assert not (tmp_path / "results").exists()


def test_dry_run_lists_the_jobs(tmp_path):
    proc = subprocess.run(
        snakemake_cmd(tmp_path, TINY, "-n", "--cores", "1"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout + proc.stderr
    for rule in ("sample", "compress", "transform", "score", "aggregate", "plot"):
        assert rule in out
