"""Sampling from a COCO 2017 tree: the split folder only, annotations when asked, and no silent
shortfall (issue 15 finding 8). A small fake COCO tree: tiny images and a tiny instances JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from semcom_pipeline.config import ConfigError, validate_config
from semcom_pipeline.sample import SampleError, select_images

# file -> annotated objects (category names)
VAL = {
    "000000000139.jpg": ["person", "person", "dog"],
    "000000000285.jpg": ["bear"],
    "000000000632.jpg": ["bed", "book", "book", "person"],
    "000000000724.jpg": [],
    "000000000776.jpg": ["dog", "dog"],
}
TRAIN = ["000000000009.jpg", "000000000025.jpg"]
CATEGORIES = ["person", "dog", "bear", "bed", "book"]


@pytest.fixture
def coco(tmp_path):
    root = tmp_path / "coco"
    rng = np.random.default_rng(0)
    for split, files in (("val2017", list(VAL)), ("train2017", TRAIN)):
        (root / split).mkdir(parents=True)
        for f in files:
            img = rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)
            Image.fromarray(img).save(root / split / f)
    (root / "annotations").mkdir()
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(root / "annotations" / "preview.png")
    cats = [{"id": i + 1, "name": n} for i, n in enumerate(CATEGORIES)]
    cat_id = {c["name"]: c["id"] for c in cats}
    images = [{"id": int(f[:12]), "file_name": f} for f in VAL]
    anns = [
        {"id": k, "image_id": int(f[:12]), "category_id": cat_id[name]}
        for k, (f, name) in enumerate((f, n) for f, names in VAL.items() for n in names)
    ]
    data = {"images": images, "annotations": anns, "categories": cats}
    (root / "annotations" / "instances_val2017.json").write_text(json.dumps(data))
    return root


def _sample(root, **kw):
    return {"source": "folder", "folder": str(root), **kw}


def test_coco_root_reads_val2017_only(coco):
    chosen = select_images(_sample(coco, count=5), 0)
    assert sorted(chosen) == sorted(f[:12] for f in VAL)  # no train2017, no annotations/*.png
    assert all("/val2017/" in p for p in chosen.values())
    train = select_images(_sample(coco, split="train2017", count=2), 0)
    assert sorted(train) == ["000000000009", "000000000025"]
    with pytest.raises(SampleError, match="test2017"):
        select_images(_sample(coco, split="test2017", count=1), 0)


def test_sampling_by_annotations(coco):
    assert sorted(select_images(_sample(coco, count=2, min_objects=3), 0)) == [
        "000000000139",
        "000000000632",
    ]
    dogs = select_images(_sample(coco, count=2, categories=["dog"]), 0)
    assert sorted(dogs) == ["000000000139", "000000000776"]
    with pytest.raises(SampleError, match="unicorn"):
        select_images(_sample(coco, count=1, categories=["unicorn"]), 0)
    with pytest.raises(SampleError, match="instances_train2017.json"):
        select_images(_sample(coco, split="train2017", count=1, min_objects=1), 0)


def test_more_images_than_exist_is_an_error_or_a_stated_warning(coco):
    with pytest.raises(SampleError, match="10 images asked for, but only 5"):
        select_images(_sample(coco, count=10), 0)
    with pytest.raises(SampleError, match="3 images asked for, but only 2 .* showing dog"):
        select_images(_sample(coco, count=3, categories=["dog"]), 0)
    with pytest.warns(UserWarning, match="10 images asked for, but only 5"):
        assert len(select_images(_sample(coco, count=10, on_shortfall="warn"), 0)) == 5


def test_schema_accepts_the_coco_keys(coco):
    cfg = validate_config(
        {"seed": 0, "sample": _sample(coco, count=2, min_objects=1, categories=["dog"])}
    )
    assert cfg["sample"]["on_shortfall"] == "error" and cfg["sample"]["split"] is None
    with pytest.raises(ConfigError, match="on_shortfall"):
        validate_config({"seed": 0, "sample": _sample(coco, on_shortfall="maybe")})
