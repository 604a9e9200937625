"""The optional `agree` rule: off by default, runs from the `alignment` config key."""

import subprocess

import pandas as pd
import yaml

from ..conftest import TINY, snakemake_cmd


def _config(tmp_path, **alignment):
    cfg = yaml.safe_load(TINY.read_text())
    if alignment:
        cfg["alignment"] = alignment
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_agree_rule_runs_only_when_configured(tmp_path, psnr_ratings):
    off = subprocess.run(
        snakemake_cmd(tmp_path, _config(tmp_path), "--list-rules"),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    rules = set(off.stdout.split())
    assert "sample" in rules and "agree" not in rules
    cfg = _config(
        tmp_path,
        ratings=str(psnr_ratings / "ratings.csv"),
        metrics=["psnr", {"name": "psnr", "label": "psnr-resized", "options": {"resize": True}}],
        scale=[1, 5],
        n_boot=20,
    )
    target = "results/alignment/agreement.csv"
    run = subprocess.run(
        snakemake_cmd(tmp_path, cfg, "--cores", "1", target),
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    table = pd.read_csv(tmp_path / target)
    assert set(table["metric"]) == {"psnr", "psnr-resized"}
    assert (table["n_boot"] == 20).all()
    for name in ("agreement_table", "distributions"):
        for ext in ("png", "pdf"):
            assert (tmp_path / "results" / "alignment" / f"{name}.{ext}").stat().st_size > 1000
