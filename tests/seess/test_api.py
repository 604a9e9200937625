"""The public API (SeSS), backend sets, the registered metric and the explanation image."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from seess.api import SeSS
from seess.explain import render_explanation
from semcom_core.imageio import ImageError
from semcom_core.weights import MissingWeightsError
from semcom_metrics.registry import build_metric


def test_sess_lite_ranks_edits_sensibly(lite, scenes):
    ref = scenes["ref"]
    s = {k: lite.score(ref, v).score for k, v in scenes.items()}
    assert s["ref"] == pytest.approx(1.0, abs=1e-9)
    assert s["shifted"] > s["replaced"] > s["different"]
    assert s["recoloured"] > s["different"]
    assert all(0.0 <= v <= 1.0 + 1e-9 for v in s.values())
    # the final formula is symmetric
    assert lite.score(scenes["replaced"], ref).score == pytest.approx(s["replaced"], abs=1e-9)


def test_sess_lite_ranks_a_slight_recolouring_above_a_replaced_object(lite, scenes):
    ref = scenes["ref"]
    assert lite.score(ref, scenes["recoloured"]).score > lite.score(ref, scenes["replaced"]).score


def _node_of(g, img, colour):
    target = np.all(img == colour, axis=2)
    return int(np.argmax([(m & target).sum() / (m | target).sum() for m in g.masks]))


@pytest.mark.parametrize(
    "other, colour2", [("shifted", (240, 220, 40)), ("replaced", (150, 40, 200))]
)
def test_explanation_matches_each_shape_to_its_counterpart(lite, scenes, other, colour2, tmp_path):
    a, b = scenes["ref"], scenes[other]
    ga, gb = lite.graph(a), lite.graph(b)
    r = lite.score_graphs(ga, gb)
    matched = {(d["node1"], d["node2"]) for d in r.assignment if d["in_g1"]}
    assert (_node_of(ga, a, (220, 30, 30)), _node_of(gb, b, (220, 30, 30))) in matched
    assert (_node_of(ga, a, (240, 220, 40)), _node_of(gb, b, colour2)) in matched
    png = render_explanation(a, b, ga, gb, r, tmp_path / "e.png")
    with Image.open(png) as im:
        assert im.format == "PNG" and im.size[0] > im.size[1] > 50
    pdf = render_explanation(a, b, ga, gb, r, tmp_path / "e.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_inputs_of_every_layout(lite, scenes, tmp_path):
    ref = scenes["ref"]
    grey = ref.mean(axis=2).astype(np.uint8)
    rgba = np.dstack([ref, np.full(ref.shape[:2], 255, np.uint8)])
    assert lite.score(ref, rgba).score == pytest.approx(1.0, abs=1e-9)
    assert 0.0 < lite.score(ref, grey).score < 1.0
    Image.fromarray(ref).save(tmp_path / "a.png")
    assert lite.score(tmp_path / "a.png", ref).score == pytest.approx(1.0, abs=1e-9)
    tiny = lite.score(np.zeros((1, 1, 3), np.uint8), ref).score
    blank = lite.score(np.full((64, 64), 200, np.uint8), np.full((30, 90, 3), 200, np.uint8))
    assert 0.0 <= tiny <= 1.0 and blank.score == pytest.approx(1.0, abs=1e-6)
    big = np.zeros((3000, 2000, 3), np.uint8)
    big[:1500] = (10, 100, 200)
    g = lite.graph(big)
    assert max(g.image_shape) == 800
    (tmp_path / "bad.png").write_bytes(b"not an image")
    with pytest.raises(ImageError, match="bad.png"):
        lite.score(tmp_path / "bad.png", ref)
    with pytest.raises(ImageError):
        lite.score(np.zeros((4, 4, 5)), ref)


def test_presets_params_and_backend_checks(scenes):
    a, b = scenes["ref"], scenes["replaced"]
    paper = SeSS(backend="sess-lite", device="cpu")
    official = SeSS(backend="sess-lite", preset="official", device="cpu")
    assert paper.score(a, b).score != official.score(a, b).score
    no_image = SeSS(backend="sess-lite", device="cpu", params={"gamma": 0.0}, views=[[0, 0]])
    r = no_image.score(a, b)
    assert r.view_scores is None and r.score == pytest.approx(r.graph_score)
    masked = SeSS(backend="sess-lite", device="cpu", params={"crop": "masked"})
    assert masked.graph_settings.crop == "masked"
    with pytest.raises(ValueError, match="backend"):
        SeSS(backend="sam-lite")
    with pytest.raises(ValueError, match="preset"):
        SeSS(backend="sess-lite", preset="nope")
    g = paper.graph(a)
    g.backend["name"] = "sess"
    with pytest.raises(ValueError, match="cannot be scored"):
        paper.score_graphs(g, paper.graph(b))


def test_cache_dir_builds_each_graph_once(tmp_path, scenes):
    m = SeSS(backend="sess-lite", device="cpu", cache_dir=tmp_path)
    first = m.score(scenes["ref"], scenes["shifted"]).score
    m.score(scenes["ref"], scenes["replaced"])
    assert m.cache.computed == 3 and m.cache.hits == 1
    again = SeSS(backend="sess-lite", device="cpu", cache_dir=tmp_path)
    assert again.score(scenes["ref"], scenes["shifted"]).score == first
    assert again.cache.computed == 0 and again.cache.total_computed() == 3


def test_sess_without_weights_fails_and_never_falls_back(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(MissingWeightsError) as err:
        SeSS(backend="sess", device="cpu", weights_dir=tmp_path)
    msg = str(err.value)
    assert "sam_vit_h_4b8939.pth" in msg and "dl.fbaipublicfiles.com" in msg
    assert "metric_options.seess.sam_checkpoint" in msg
    # building the metric never loads models, and it lists what is needed
    metric = build_metric("seess", device="cpu", backend="sess", weights_dir=str(tmp_path))
    reqs = metric.required_weights()
    assert any(r.location.endswith("sam_vit_h_4b8939.pth") and not r.is_present() for r in reqs)
    assert any("ViT-H-14" in r.name for r in reqs)
    assert metric.describe()["backend"] == "sess"
    with pytest.raises(MissingWeightsError):
        metric.score(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8, 3), np.uint8))


def test_sess_set_with_tiny_sam_and_tiny_clip(tiny_sam_checkpoint, scenes):
    m = SeSS(
        backend="sess",
        device="cpu",
        sam_model="seess-tiny-sam",
        sam_checkpoint=str(tiny_sam_checkpoint),
        sam_options={"points_per_side": 4, "pred_iou_thresh": 0.0, "stability_score_thresh": 0.0},
        clip_model="seess-tiny-clip",
        clip_weights=None,
    )
    assert m.name == "sess[sam=seess-tiny-sam,clip=seess-tiny-clip/random]"
    R = m.relation_similarity()
    assert R.shape == (56, 56) and not np.allclose(R, np.eye(56))
    r = m.score(scenes["ref"], scenes["ref"])
    assert r.score == pytest.approx(1.0, abs=1e-5)
    g = m.graph(scenes["different"])
    assert g.features.shape[1] == 64 and g.backend["segmenter"] == "sam-seess-tiny-sam"
    assert g.backend["embedder"] == "openclip"


def test_metric_registry_entry_batches_and_accepts_different_sizes(scenes):
    m = build_metric("seess", device="cpu", backend="sess-lite")
    assert m.describe()["backend"] == "sess-lite" and m.required_weights() == []
    small = np.asarray(Image.fromarray(scenes["shifted"]).resize((64, 64)))
    vals = m.score_batch([scenes["ref"], scenes["ref"]], [small, scenes["different"]])
    assert len(vals) == 2 and vals[0] > vals[1]
    with pytest.raises(ValueError, match="2 reference images but 1"):
        m.score_batch([scenes["ref"]] * 2, [small])
    with pytest.raises(TypeError):
        build_metric("seess", device="cpu", backend="sess-lite", colour="blue")
