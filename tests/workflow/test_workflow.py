"""The workflow end to end on the tiny config (2 images, 2 points per grid, offline backends)."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from semcom_pipeline.config import validate_config
from semcom_pipeline.figures import figure_names
from semcom_pipeline.plan import Plan
from semcom_pipeline.sample import select_images

from .conftest import TINY, snakemake

# the first test to ask for tiny_run builds it (a whole run, long under load)
pytestmark = pytest.mark.timeout(5400)

CFG = validate_config(yaml.safe_load(TINY.read_text()))
IMAGES = sorted(select_images(CFG["sample"], CFG["seed"]))


def test_every_expected_row_exists(tiny_run):
    df = pd.read_csv(tiny_run / "results" / "scores.csv")
    plan = Plan(CFG)
    expected = {(e, s, i, m) for e, s, _ in plan.shards() for i in IMAGES for m in CFG["metrics"]}
    got = set(zip(df["experiment"], df["system"], df["image"], df["metric"]))
    assert expected <= got
    conditions = df.groupby(["experiment", "system"])["condition"].nunique()
    assert (conditions == 2).all()  # two points per grid
    assert len(df) == len(plan.shards()) * len(IMAGES) * len(CFG["metrics"])
    assert df["value"].notna().all()
    a = df[df["experiment"] == "A"]
    assert (a["achieved_bpp"] <= a["target_bpp"]).all()


def test_every_figure_exists_and_is_not_empty(tiny_run):
    figs = tiny_run / "results" / "figures"
    for name in figure_names(CFG):
        for ext in ("png", "pdf"):
            assert (figs / f"{name}.{ext}").stat().st_size > 1000
    summary = pd.read_csv(tiny_run / "results" / "summary.csv")
    assert {"mean", "ci_low", "ci_high", "n", "n_inf"} <= set(summary.columns)


def test_strength_zero_transforms_give_infinite_psnr(tiny_run):
    df = pd.read_csv(tiny_run / "results" / "scores.csv")
    zero = df[(df["experiment"] == "D") & (df["strength"] == 0) & (df["metric"] == "psnr")]
    assert len(zero) and (zero["value"] == float("inf")).all()


def test_html_report_holds_the_figures(tiny_copy):
    proc = snakemake(tiny_copy, "--report", "report.html")
    assert proc.returncode == 0, proc.stderr[-2000:]
    html = (tiny_copy / "report.html").read_text(errors="replace")
    assert len(html) > 10000 and "fig17_rotation" in html
    assert "summary.csv" in html  # the summary table is a report item
    assert "channel_uses_per_pixel" in html  # the effective config is in the description


def test_deleting_one_received_png_rebuilds_its_shard_only(tiny_copy, job_stats):
    shard = Plan(CFG).shards_d()[-1]
    (tiny_copy / "results" / shard[0] / shard[1] / shard[2] / f"{IMAGES[1]}.png").unlink()
    proc = snakemake(tiny_copy, "-n", "--quiet", "rules")
    jobs = job_stats(proc.stdout + proc.stderr)
    assert jobs.get("transform") == 1 and jobs.get("score") == 1
    assert "sample" not in jobs and "compress" not in jobs


def _forge_code(workdir, rule: str) -> list[str]:
    """Replace the code fingerprint (the one 16-hex-digit param) in the Snakemake metadata of
    every output of ``rule`` by another, as if older code had made them; returns the replaced
    values, one per output file."""
    import json
    import re

    replaced = []
    for f in (workdir / ".snakemake" / "metadata").iterdir():
        rec = json.loads(f.read_text())
        if rec.get("rule") == rule:
            codes = [p for p in rec["params"] if re.fullmatch(r"'[0-9a-f]{16}'", p)]
            assert len(codes) == 1, rec["params"]
            rec["params"] = ["'0123456789abcdef'" if p in codes else p for p in rec["params"]]
            f.write_text(json.dumps(rec))
            replaced += codes
    return replaced


def test_scores_made_by_other_metric_code_are_redone(tiny_copy, job_stats):
    """The score rule carries the fingerprint of the metrics' and SeSS's code in its params:
    outputs whose recorded fingerprint differs (made before an edit or an update of that
    code) are scored again, and nothing upstream is redone."""
    from semcom_pipeline.smk import code_version

    now = repr(code_version("semcom_metrics", "seess", "semcom_core"))
    replaced = _forge_code(tiny_copy, "score")
    assert replaced == [now] * len(Plan(CFG).shards())
    proc = snakemake(tiny_copy, "-n", "--quiet", "rules")
    assert proc.returncode == 0, proc.stderr[-2000:]
    jobs = job_stats(proc.stdout + proc.stderr)
    assert jobs.get("score") == len(replaced), jobs
    assert not {"sample", "compress", "transmit", "transform"} & set(jobs), jobs


def test_images_made_by_other_code_are_redone(tiny_copy, job_stats):
    """The rules that make images carry the fingerprint of the code they run (common.smk):
    transform shards recorded with another fingerprint (made before an edit or an update of
    the transformations) are transformed and scored again; nothing else is redone."""
    n_d = len(Plan(CFG).shards_d())
    replaced = _forge_code(tiny_copy, "transform")
    assert len(replaced) == n_d * 2 * len(IMAGES)  # a PNG and a JSON record per image
    proc = snakemake(tiny_copy, "-n", "--quiet", "rules")
    assert proc.returncode == 0, proc.stderr[-2000:]
    jobs = job_stats(proc.stdout + proc.stderr)
    assert jobs.get("transform") == n_d and jobs.get("score") == n_d, jobs
    assert not {"sample", "compress", "transmit"} & set(jobs), jobs


def test_rerun_computes_nothing(tiny_copy):
    proc = snakemake(tiny_copy, "-n")
    assert proc.returncode == 0
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_deleting_one_png_rebuilds_only_what_depends_on_it(tiny_run, tiny_copy, job_stats):
    victim = IMAGES[0]
    (tiny_copy / "results" / "originals" / f"{victim}.png").unlink()
    proc = snakemake(tiny_copy, "-n", "--quiet", "rules")
    assert proc.returncode == 0, proc.stderr
    jobs = job_stats(proc.stdout + proc.stderr)
    plan = Plan(CFG)
    n_a = len(plan.shards_a())
    n_d = len(plan.shards_d())
    assert jobs.get("sample") == 1, jobs  # only the deleted original, not the other one
    assert jobs.get("compress") == n_a, jobs  # each shard holds the image
    assert jobs.get("transform") == n_d, jobs
    assert jobs.get("score") == len(plan.shards()), jobs
    # The rebuild starts where the plan says and gives back the same original. (Running every
    # dependent job again is the resume path, run in full by tests/faults.)
    original = tiny_copy / "results" / "originals" / f"{victim}.png"
    proc = snakemake(tiny_copy, str(original.relative_to(tiny_copy)))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert (
        original.read_bytes() == (tiny_run / "results" / "originals" / original.name).read_bytes()
    )


def test_one_scene_graph_per_unique_image(tiny_run):
    """Counted, not assumed: every graph computation appends a line to computed.log."""
    import hashlib

    from PIL import Image

    results = tiny_run / "results"
    unique = set()
    for png in [*results.glob("originals/*.png"), *results.glob("[A-Z]/*/*/*.png")]:
        arr = __import__("numpy").asarray(Image.open(png).convert("RGB"))
        unique.add(hashlib.sha256(arr.tobytes() + str(arr.shape).encode()).hexdigest())
    computed = (results / "cache" / "graphs" / "computed.log").read_text().splitlines()
    assert len(computed) == len(unique)
    assert len(set(computed)) == len(computed)  # no image computed twice, even by parallel jobs
