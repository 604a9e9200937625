"""`seess agree` and `seess tune` end to end on tiny generated images (sess-lite, offline)."""

import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image

from seess.presets import get_preset
from semcom_pipeline.seess_cli import main


@pytest.fixture(scope="module")
def tiny_ratings(tmp_path_factory):
    """4 references x 3 tests (blocks moved / recoloured), 48 px, absolute scores 0..10."""
    root = tmp_path_factory.mktemp("tiny_ratings")
    rng = np.random.default_rng(0)
    lines = ["ref,test,score"]
    for r in range(4):
        base = np.zeros((48, 48, 3), np.uint8)
        base[:] = rng.integers(0, 80, 3)
        y, x = rng.integers(4, 24, 2)
        base[y : y + 18, x : x + 18] = rng.integers(120, 255, 3)
        Image.fromarray(base).save(root / f"r{r}.png")
        for t in range(3):
            img = np.roll(base, 4 * t, axis=1).copy()
            img[: 6 * t] = 255 - img[: 6 * t]
            Image.fromarray(img).save(root / f"r{r}_t{t}.png")
            lines.append(f"r{r}.png,r{r}_t{t}.png,{10 - 3 * t - rng.uniform(0, 1):.3f}")
    (root / "ratings.csv").write_text("\n".join(lines) + "\n")
    return root


def test_agree_cli(tiny_ratings, tmp_path, capsys):
    out = tmp_path / "agree"
    argv = [
        "agree",
        str(tiny_ratings),
        "--out",
        str(out),
        "--scale",
        "0",
        "10",
        "--n-boot",
        "50",
        "--device",
        "cpu",
        "--metric",
        "psnr",
        "--metric",
        "seess:backend=sess-lite",
        "--metric",
        "p2=psnr:resize=true",
    ]
    assert main(argv) == 0
    table = pd.read_csv(out / "agreement.csv")
    assert set(table["metric"]) == {"psnr", "seess", "p2"}
    assert set(table["measure"]) == {"srcc", "plcc", "krcc"}
    assert (out / "distributions.png").is_file() and (out / "agreement_table.pdf").is_file()
    assert "srcc" in capsys.readouterr().out


def test_agree_cli_errors_are_one_line(tiny_ratings, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"ref,test,score\n{tiny_ratings}/r0.png,{tiny_ratings}/nope.png,0.5\n")
    assert main(["agree", str(bad), "--out", str(tmp_path), "--metric", "psnr"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:1: test image not found" in err and err.count("\n") == 1
    assert main(["agree", str(tiny_ratings), "--out", str(tmp_path), "--metric", "nope"]) == 2
    assert "unknown metric 'nope'" in capsys.readouterr().err


def test_tune_cli_writes_a_preset_the_cli_accepts(tiny_ratings, tmp_path, capsys):
    out = tmp_path / "tune"
    argv = [
        "tune",
        str(tiny_ratings),
        "--out",
        str(out),
        "--scale",
        "0",
        "10",
        "--backend",
        "sess-lite",
        "--device",
        "cpu",
        "--trials",
        "3",
        "--folds",
        "2",
        "--seed",
        "1",
        "--fix",
        "update=synchronous",
        "--no-progress",
    ]
    assert main(argv) == 0
    preset = out / "seess-tune.yaml"
    doc = yaml.safe_load(preset.read_text())
    assert doc["format"] == "seess-preset/1" and doc["params"]["update"] == "synchronous"
    assert doc["provenance"]["backend"] == "sess-lite"
    params = get_preset(str(preset))
    results = pd.read_csv(out / "tune_results.csv")
    assert set(results["params_set"]) == {"tuned", "paper", "official"}
    assert set(results["split"]) == {"train", "held_out", "all"}
    # graphs were cached once per image: a second run adds trials, builds nothing
    assert main([*argv, "--trials", "2"]) == 0
    assert "'seess-tune-all': 5" in capsys.readouterr().out
    img = str(tiny_ratings / "r0.png")
    assert main(["score", img, img, "--backend", "sess-lite", "--preset", str(preset)]) == 0
    assert params.update == "synchronous"
