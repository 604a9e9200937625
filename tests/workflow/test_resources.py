"""Rules that may run on a GPU declare it: `gpu` resources follow `device` in the config."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from ..conftest import TINY, snakemake_cmd


def _job_resources(dry_run: str) -> dict[str, set[str]]:
    """{rule: set of its jobs' `gpu=` values} from a dry run's job listing."""
    out: dict[str, set[str]] = {}
    for block in re.split(r"\n(?=rule \w+:)", dry_run):
        m = re.match(r"rule (\w+):", block)
        res = re.search(r"resources: .*", block)
        if m and res:
            gpu = re.search(r"\bgpu=(\d+)", res.group(0))
            out.setdefault(m.group(1), set()).add(gpu.group(1) if gpu else "absent")
    return out


@pytest.mark.parametrize(("device", "gpu"), [("cuda", "1"), ("cpu", "0")])
def test_transmit_and_score_declare_a_gpu_when_the_device_is_cuda(tmp_path, device, gpu):
    cfg = yaml.safe_load(TINY.read_text())
    cfg["device"] = device
    configfile = tmp_path / "config.yaml"
    configfile.write_text(yaml.safe_dump(cfg))
    cmd = snakemake_cmd(tmp_path, configfile, "-n", "--cores", "2")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = _job_resources(proc.stdout + proc.stderr)
    assert res["transmit"] == {gpu}, res
    assert res["score"] == {gpu}, res
    assert res["compress"] == {"absent"}, res  # CPU-only rules ask for none
