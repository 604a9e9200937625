"""Figs 12 and 16 from a synthetic score table (two variations, three noise levels)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from semcom_core.imageio import save_png
from semcom_pipeline.figures_c import draw_fig12, draw_fig16, fig16_metrics, per_image_means


def _table():
    rows = []
    for n in (0, 400, 800):
        for k in (0, 1):
            for image in ("a", "b", "c"):
                for m in ("seess", "psnr"):
                    rows.append(
                        {
                            "experiment": "C",
                            "system": "unclip",
                            "image": image,
                            "condition": f"noise={n},v={k}",
                            "strength": n,
                            "metric": m,
                            "value": float(k + n / 1000),
                            "codec": "tiny",
                            "metric_backend": "x",
                            "decode_failed": False,
                        }
                    )
    return pd.DataFrame(rows)


def test_variations_are_averaged_per_image_before_the_summary():
    d = per_image_means(_table())
    assert len(d) == 3 * 3 * 2  # noise levels x images x metrics
    assert set(d["condition"]) == {"noise=0", "noise=400", "noise=800"}
    np.testing.assert_allclose(d[d["strength"] == 400]["value"], 0.5 + 0.4)


def test_fig16_shows_seess_and_clipscore_when_configured():
    assert fig16_metrics(["psnr", "clipscore", "seess", "ssim"]) == ["seess", "clipscore", "psnr"]
    assert fig16_metrics(["psnr", "seess", "ssim", "ms_ssim"]) == ["seess", "psnr", "ssim"]


def test_both_figures_are_written(tmp_path):
    rng = np.random.default_rng(0)
    df = _table()
    noise = lambda: (rng.random((24, 40, 3)) * 255).astype(np.uint8)
    original = save_png(tmp_path / "a.png", noise())
    generated = [
        save_png(tmp_path / f"noise={n},v={k}" / "a.png", noise())
        for n in (0, 400, 800)
        for k in (0, 1)
    ]
    paths = draw_fig12(df, tmp_path / "fig12", 95)
    paths += draw_fig16(df, tmp_path / "fig16", "a", original, generated, ["seess", "psnr"])
    assert sorted(p.name for p in paths) == ["fig12.pdf", "fig12.png", "fig16.pdf", "fig16.png"]
    assert all(p.stat().st_size > 1000 for p in paths)
