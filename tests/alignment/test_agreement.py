"""Agreement measures against hand computations and scipy; PSNR-made ratings rank PSNR first."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from semcom_alignment.agreement import (
    agreement_table,
    bootstrap_ci,
    fit_logistic,
    human_ceiling,
    human_pairs,
    human_triplets,
    krcc,
    plcc,
    srcc,
    two_afc,
)
from semcom_alignment.report import run_agreement
from semcom_alignment.scoring import MetricSpec, parse_metric_spec


def test_two_afc_and_ceiling_by_hand():
    # metric prefers 1, 0, tie; humans 0.8, 0.3, 1.0 prefer candidate 1
    m0, m1, h = np.array([0.1, 0.9, 0.5]), np.array([0.2, 0.4, 0.5]), np.array([0.8, 0.3, 1.0])
    assert two_afc(m0, m1, h) == pytest.approx((0.8 + 0.7 + 0.5) / 3)
    assert human_ceiling(h) == pytest.approx((0.68 + 0.58 + 1.0) / 3)


def test_correlations_match_scipy_and_logistic_linearises():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 60)
    y = 1 / (1 + np.exp(-(x - 0.5) / 0.08)) + rng.normal(0, 0.01, 60)
    assert srcc(x, y) == pytest.approx(stats.spearmanr(x, y)[0])
    assert krcc(x, y) == pytest.approx(stats.kendalltau(x, y)[0])
    assert plcc(x, y) > stats.pearsonr(x, y)[0] + 0.02
    assert plcc(x, y) > 0.99
    f, beta = fit_logistic(x, y)
    assert beta is not None and np.abs(f(x) - y).max() < 0.06
    assert math.isnan(srcc(np.ones(5), np.arange(5.0)))


def test_bootstrap_is_seeded_and_brackets_the_value():
    rng = np.random.default_rng(1)
    x = rng.normal(size=80)
    y = x + rng.normal(size=80)
    a = bootstrap_ci(srcc, (x, y), 300, seed=5)
    assert a == bootstrap_ci(srcc, (x, y), 300, seed=5)
    assert a != bootstrap_ci(srcc, (x, y), 300, seed=6)
    assert a[0] < srcc(x, y) < a[1]


def test_human_tables_from_triplets():
    rows = []
    for rater, s0, s1, choice in (
        ("a", 0.9, 0.2, np.nan),
        ("b", 0.4, 0.6, np.nan),
        ("c", 0.5, 0.5, 1.0),
    ):
        for slot, s in ((0, s0), (1, s1)):
            rows.append(
                {
                    "kind": "triplet",
                    "source": "t.csv",
                    "row": len(rows) // 2 + 1,
                    "item": "R|A|B",
                    "ref": "R",
                    "test": "AB"[slot],
                    "slot": slot,
                    "rater": rater,
                    "score": s,
                    "choice": choice,
                    "p1": np.nan,
                    "n_raters": np.nan,
                }
            )
    df = pd.DataFrame(rows)
    t = human_triplets(df)
    assert t[["ref", "test0", "test1"]].iloc[0].tolist() == ["R", "A", "B"]
    assert t["h"].iloc[0] == pytest.approx((0 + 1 + 1) / 3) and t["n"].iloc[0] == 3
    p = human_pairs(df).set_index("test")
    assert p.loc["A", "human"] == pytest.approx(0.6) and p.loc["B", "n"] == 3


def test_agreement_table_orients_distances():
    pairs = pd.DataFrame({"ref": ["r"] * 6, "test": list("abcdef"), "human": np.linspace(0, 1, 6)})
    scores = pd.DataFrame(
        {"ref": "r", "test": list("abcdef"), "metric": "dist", "value": np.linspace(1, 0, 6)}
    )
    t = agreement_table(
        scores,
        pairs,
        human_triplets(pd.DataFrame(columns=["kind"])),
        directions={"dist": False},
        n_boot=50,
    )
    srcc_row = t[t.measure == "srcc"].iloc[0]
    assert srcc_row["value"] == pytest.approx(1.0) and srcc_row["n_items"] == 6


def test_metric_specs():
    assert parse_metric_spec("psnr") == MetricSpec("psnr", "psnr", {})
    s = parse_metric_spec("off=seess:preset=official,backend=sess-lite,params={ite: 2}")
    assert (
        s
        == MetricSpec(
            "off", "seess", {"preset": "official", "backend": "sess-lite", "params": "{ite: 2}"}
        )
        or s.label == "off"
    )
    assert parse_metric_spec({"name": "ssim", "label": "s"}).label == "s"
    with pytest.raises(ValueError, match="key=value"):
        parse_metric_spec("seess:preset")


def test_psnr_ratings_rank_psnr_first(psnr_ratings, tmp_path):
    files = run_agreement(
        psnr_ratings, ["psnr", "ssim", "ms_ssim"], tmp_path, scale=(1, 5), n_boot=100, seed=0
    )
    table = pd.read_csv(files["agreement"])
    for m in ("srcc", "plcc", "krcc"):
        ranked = table[table.measure == m].sort_values("value", ascending=False)
        assert ranked["metric"].iloc[0] == "psnr", (m, ranked)
    psnr_srcc = table[(table.metric == "psnr") & (table.measure == "srcc")].iloc[0]
    assert (
        psnr_srcc["value"] > 0.95
        and psnr_srcc["ci_low"] <= psnr_srcc["value"] <= psnr_srcc["ci_high"]
    )
    assert set(table["n_items"]) == {21}
    for key in ("table_png", "table_pdf", "dist_png", "dist_pdf"):
        assert files[key].stat().st_size > 1000
    scores = pd.read_csv(files["metric_scores"])
    assert len(scores) == 3 * 21


def test_two_afc_report_on_a_bapps_folder(tmp_path):
    """2AFC accuracy and the human ceiling through run_agreement, checked by hand."""
    from PIL import Image

    rng = np.random.default_rng(3)
    root = tmp_path / "bapps"
    expected, ceiling = [], []
    for k in range(6):
        ref = rng.integers(0, 256, (16, 16, 3)).astype(np.uint8)
        near = np.clip(ref.astype(int) + rng.integers(-5, 6, ref.shape), 0, 255).astype(np.uint8)
        far = np.clip(ref.astype(int) + rng.integers(-60, 61, ref.shape), 0, 255).astype(np.uint8)
        p0, p1 = (near, far) if k % 2 else (far, near)
        h = float(rng.uniform())  # fraction of humans preferring p1
        for sub, img in (("ref", ref), ("p0", p0), ("p1", p1)):
            (root / sub).mkdir(parents=True, exist_ok=True)
            Image.fromarray(img).save(root / sub / f"{k:03d}.png")
        (root / "judge").mkdir(exist_ok=True)
        np.save(root / "judge" / f"{k:03d}.npy", np.array([h]))
        metric_prefers_p1 = k % 2 == 0  # PSNR prefers the near candidate
        expected.append(h if metric_prefers_p1 else 1 - h)
        ceiling.append(h**2 + (1 - h) ** 2)
    files = run_agreement(root, ["psnr"], tmp_path / "out", n_boot=30)
    t = pd.read_csv(files["agreement"]).set_index(["metric", "measure"])
    assert t.loc[("psnr", "2afc"), "value"] == pytest.approx(np.mean(expected))
    assert t.loc[("human", "human_ceiling"), "value"] == pytest.approx(np.mean(ceiling))
    assert t.loc[("psnr", "2afc"), "n_items"] == 6
    assert "dist_png" not in files  # no absolute scores: no distribution plot
