"""Non-finite numbers anywhere in the config, and typos inside metric_options, stop validation
with the key path (and, for options, the full list of known ones)."""

from __future__ import annotations

import copy

import pytest
import yaml

from semcom_metrics.registry import build_metric
from semcom_pipeline.config import ConfigError, validate_config

from ..conftest import TINY

BASE = yaml.safe_load(TINY.read_text())
NAN, INF = float("nan"), float("inf")


def _set(cfg: dict, path: tuple, value) -> dict:
    node = cfg
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return cfg


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("experiments", "A", "bpp"), [0.5, NAN], "experiments.A.bpp[1]: nan"),
        (("experiments", "B", "snr_db"), [NAN, 4], "experiments.B.snr_db[0]: nan"),
        (("experiments", "B", "channel_uses_per_pixel"), NAN, "channel_uses_per_pixel: nan"),
        (("experiments", "B", "code_rate"), NAN, "experiments.B.code_rate: nan"),
        (("experiments", "D", "transforms", "rotation"), [0, INF], "rotation[1]: inf"),
        (("experiments", "D", "transforms", "translation"), [-INF], "translation[0]: -inf"),
        (("experiments", "D", "transforms", "color_filter"), [NAN], "color_filter[0]: nan"),
    ],
)
def test_non_finite_numbers_are_rejected_with_the_key_path(path, value, where):
    cfg = _set(copy.deepcopy(BASE), path, value)
    with pytest.raises(ConfigError, match="not a finite number") as err:
        validate_config(cfg)
    assert where in str(err.value)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("experiments", "A", "bpp"), [True]),
        (("experiments", "B", "snr_db"), [2, False]),
        (("experiments", "B", "channel_uses_per_pixel"), True),
        (("experiments", "D", "transforms", "rotation"), [0, True]),
        (("experiments", "D", "transforms", "reflection"), [True]),
    ],
)
def test_booleans_are_not_numbers(path, value):
    cfg = _set(copy.deepcopy(BASE), path, value)
    with pytest.raises(ConfigError) as err:
        validate_config(cfg)
    assert ".".join(path[1:]) in str(err.value)


EXPECTED_SEESS = {"backend", "preset", "params", "cache_dir", "clip_model", "sam_checkpoint"}


def test_typo_in_seess_options_names_the_key_and_every_known_option():
    cfg = copy.deepcopy(BASE)
    cfg["metric_options"]["seess"]["bakend"] = "sess-lite"
    with pytest.raises(ConfigError) as err:
        validate_config(cfg)
    msg = str(err.value)
    assert msg.startswith("metric_options.seess.bakend: unknown option 'bakend'")
    known = set(msg.split("known options: ", 1)[1].split(", "))
    assert known >= EXPECTED_SEESS
    for option in known:  # every listed option is really accepted
        cfg = copy.deepcopy(BASE)
        cfg["metric_options"]["seess"] = {option: None} if option != "backend" else {}
        if option not in ("backend", "preset"):
            validate_config(cfg)


def test_typo_in_a_baseline_metric_option():
    cfg = copy.deepcopy(BASE)
    cfg["metric_options"]["ssim"] = {"precison": "float64"}
    with pytest.raises(ConfigError, match=r"metric_options\.ssim\.precison: .*known options: .*"):
        validate_config(cfg)


def test_seess_metric_lists_every_known_option_on_a_typo():
    with pytest.raises(TypeError) as err:
        build_metric("seess", backend="sess-lite", presett="paper")
    known = set(str(err.value).split("known options: ", 1)[1].split(", "))
    assert known >= EXPECTED_SEESS
