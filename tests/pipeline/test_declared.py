"""Experiments declared in the config: B systems are codec + link entries, every name is checked
before any job, and the planner names no codec of its own."""

from __future__ import annotations

import copy
import subprocess

import pytest
import yaml

from semcom_pipeline.config import ConfigError, validate_config
from semcom_pipeline.plan import Plan
from semcom_pipeline.systems import b_systems

from ..conftest import ROOT, snakemake_cmd

BASE = yaml.safe_load((ROOT / "config.yaml").read_text())


def _with_system(name: str, **entry) -> dict:
    cfg = copy.deepcopy(BASE)
    cfg["experiments"]["B"]["systems"][name] = entry
    return cfg


def test_planner_takes_b_systems_from_the_config():
    cfg = copy.deepcopy(BASE)
    cfg["experiments"]["B"]["systems"] = {
        "mine": {"codec": "jpeg", "link": "ldpc", "modulation": "qpsk", "code_rate": 0.75},
        "jscc": {"codec": "deepjscc", "link": "analog"},
    }
    cfg = validate_config(cfg)
    assert [s for _, s, _ in Plan(cfg).shards_b()] == ["mine", "mine", "jscc", "jscc"]
    systems = b_systems(cfg["experiments"]["B"])
    assert systems["mine"].code_rate == 0.75 and systems["mine"].modulation == "qpsk"
    assert systems["jscc"].modulation == "analog"  # the link's first modulation
    assert systems["jscc"].code_rate == cfg["experiments"]["B"]["code_rate"]
    assert systems["mine"].display_name("JPEG") == "JPEG + LDPC rate 0.75, qpsk"


@pytest.mark.parametrize(
    "entry, needle",
    [
        (
            {"codec": "jpeg200", "link": "ldpc"},
            "experiments.B.systems.typo.codec: unknown codec 'jpeg200'; available: bpg, deepjscc,",
        ),
        (
            {"codec": "jpeg2000", "link": "ldcp"},
            "experiments.B.systems.typo.link: unknown link 'ldcp'; available: analog, ldpc",
        ),
        (
            {"codec": "jpeg2000", "link": "ldpc", "modulation": "256qam"},
            "experiments.B.systems.typo.modulation: '256qam' is not a modulation of link 'ldpc'",
        ),
        (
            {"codec": "deepjscc", "link": "ldpc"},
            "experiments.B.systems.typo: codec 'deepjscc' emits analog output but link 'ldpc'",
        ),
        ({"codec": "jpeg", "link": "ldpc", "rate": 0.5}, "experiments.B.systems.typo"),
        ({"link": "ldpc"}, "'codec' is a required property"),
    ],
)
def test_a_typo_in_a_b_system_names_the_key_and_the_known_names(entry, needle):
    with pytest.raises(ConfigError) as err:
        validate_config(_with_system("typo", **entry))
    assert needle in str(err.value)


def test_metric_option_for_an_unknown_metric_is_named():
    cfg = copy.deepcopy(BASE)
    cfg["metric_options"]["sesss"] = {"backend": "sess-lite"}
    with pytest.raises(ConfigError, match="metric_options.sesss: unknown metric 'sesss'"):
        validate_config(cfg)


def test_an_unimportable_plugin_is_named():
    cfg = {**copy.deepcopy(BASE), "plugins": ["no_such_plugin_module"]}
    with pytest.raises(ConfigError, match=r"plugins\[0\]: cannot import module 'no_such_plugin"):
        validate_config(cfg)


def test_snakemake_stops_at_parse_time_on_a_b_codec_typo(tmp_path):
    cfg = tmp_path / "typo.yaml"
    cfg.write_text(yaml.safe_dump(_with_system("mine", codec="jpg2000", link="ldpc")))
    proc = subprocess.run(
        snakemake_cmd(tmp_path, cfg, "-n", "--cores", "1"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "experiments.B.systems.mine.codec: unknown codec 'jpg2000'; available:" in out
    assert "jpeg2000" in out.split("unknown codec 'jpg2000'")[1]
    assert not (tmp_path / "results").exists()
