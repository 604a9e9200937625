import json

import pytest

from seess.predicates import PSG_PREDICATES, predicate_name
from seess.presets import PRESETS, SeSSParams, get_preset


def test_paper_preset_values():
    p = get_preset()
    assert p == PRESETS["paper"]
    assert (p.alpha, p.beta, p.gamma, p.ite, p.k1, p.k2, p.k3, p.theta) == (
        0.25,
        0.05,
        0.10,
        7,
        2.25,
        3.0,
        0.8,
        0.0,
    )
    assert p.update == "synchronous" and p.crop == "bbox"


def test_official_preset_values():
    p = get_preset("official")
    assert (p.alpha, p.beta, p.gamma, p.ite, p.k1, p.k2, p.k3, p.theta) == (
        0.25,
        0.05,
        0.05,
        7,
        2.5,
        3.0,
        0.8,
        0.2,
    )
    assert p.update == "in_place" and p.crop == "bbox"


def test_overrides_and_to_dict():
    p = get_preset("paper", ite=3, crop="masked")
    assert p.ite == 3 and p.crop == "masked" and p.alpha == 0.25
    d = p.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert SeSSParams(**d) == p


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"alpha": 1.5}, "alpha"),
        ({"beta": -0.1}, "beta"),
        ({"theta": float("nan")}, "theta"),
        ({"k1": 0}, "k1"),
        ({"ite": 2.5}, "ite"),
        ({"ite": -1}, "ite"),
        ({"update": "async"}, "update"),
        ({"crop": "square"}, "crop"),
        ({"gama": 0.1}, "gama"),
    ],
)
def test_bad_overrides_name_the_problem(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        get_preset("paper", **kwargs)


def test_unknown_preset():
    with pytest.raises(ValueError, match="nope"):
        get_preset("nope")


def test_params_are_frozen():
    with pytest.raises(AttributeError):
        get_preset().alpha = 0.3


def test_predicates():
    assert len(PSG_PREDICATES) == 56 and len(set(PSG_PREDICATES)) == 56
    assert PSG_PREDICATES[0] == "over" and PSG_PREDICATES[-1] == "leaning on"
    assert predicate_name(21) == "holding"
    with pytest.raises(ValueError, match="56"):
        predicate_name(56)
