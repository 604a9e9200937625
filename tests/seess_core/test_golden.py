"""The ``official`` preset against the authors' own demo code (issue 13, permanent).

``../shared/golden/seess_official_vs_authors/`` (beside the repository checkout) holds
32 scene graphs written by ``seess`` at commit e6402a5 and, for 32 pairs of them, the
score that the authors' ``demo.py`` ``inference()`` computes when it consumes exactly
these graphs (relation similarity = identity, as ``sess-lite``). The files are never
regenerated: if the graph format changes, convert them.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from seess.graph import load_graph
from seess.presets import get_preset
from seess.score import score_graphs

_ROOT = Path(__file__).resolve().parents[2]
_SUB = Path("golden") / "seess_official_vs_authors"
TOLERANCE = 1e-12


def _shared_candidates() -> list[Path]:
    """``$SEESS_SHARED_DIR``, then ``../shared`` beside the checkout, then beside the main
    checkout of a git worktree (its common git directory's parent)."""
    out = []
    if os.environ.get("SEESS_SHARED_DIR"):
        out.append(Path(os.environ["SEESS_SHARED_DIR"]))
    out.append(_ROOT.parent / "shared")
    try:
        common = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
            cwd=_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        out.append(Path(common).parent.parent / "shared")
    except (OSError, subprocess.CalledProcessError):
        pass
    return out


@pytest.fixture(scope="module")
def golden() -> Path:
    for base in _shared_candidates():
        if (base / _SUB / "authors_scores.json").is_file():
            return base / _SUB
    tried = ", ".join(str(p / _SUB) for p in _shared_candidates())
    pytest.fail(f"golden files not found (tried {tried}); put ../shared beside the checkout")


def _pairs(golden: Path) -> list[dict]:
    return json.loads((golden / "authors_scores.json").read_text())["pairs"]


def test_golden_set_is_complete(golden):
    pairs = _pairs(golden)
    assert len(pairs) == 32
    names = {p[k] for p in pairs for k in ("a", "b")}
    assert all((golden / "graphs" / f"{n}.npz").is_file() for n in names)


def test_official_preset_reproduces_the_authors_demo(golden):
    params = get_preset("official")
    R = np.eye(56)
    graphs: dict = {}

    def graph(name: str):
        if name not in graphs:
            graphs[name] = load_graph(golden / "graphs" / f"{name}.npz")
        return graphs[name]

    errors = {}
    for p in _pairs(golden):
        got = score_graphs(graph(p["a"]), graph(p["b"]), R, params).score
        errors[(p["a"], p["b"])] = abs(got - p["authors_score"])
    worst = max(errors, key=errors.__getitem__)
    assert errors[worst] <= TOLERANCE, f"{worst}: off by {errors[worst]:.3g}"


def test_official_preset_depends_on_argument_order(golden):
    """The demo's in-place update makes ``official`` asymmetric (documented); ``paper`` is not."""
    a = load_graph(golden / "graphs" / "chelsea.npz")
    b = load_graph(golden / "graphs" / "chelsea_jpeg10.npz")
    R = np.eye(56)
    off = get_preset("official")
    d_off = abs(score_graphs(a, b, R, off).score - score_graphs(b, a, R, off).score)
    assert 1e-5 < d_off < 1e-4
    pap = get_preset("paper")
    d_pap = abs(score_graphs(a, b, R, pap).score - score_graphs(b, a, R, pap).score)
    assert d_pap < 1e-12
