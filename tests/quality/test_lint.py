"""The style checks of STYLE.md run in CI: ruff (check + format), mypy on the library,
snakefmt on the rules and ``snakemake --lint``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT, snakemake_cmd

BIN = Path(sys.executable).parent

# The one Snakemake lint we do not follow: rules run in the project's environment
# (`make` builds .venv with the pinned torch wheels), not in per-rule conda envs or
# containers, which Snakemake would build from public channels at run time.
ACCEPTED_SNAKEMAKE_LINTS = {"Specify a conda environment or container for each rule."}


def run(*cmd: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is missing from the environment: pip install -e '.[dev]'")
    return str(path)


def test_ruff_check():
    proc = run(tool("ruff"), "check", "--output-format", "concise", ".")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_ruff_format():
    proc = run(tool("ruff"), "format", "--check", ".")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


# folder -> import name (pyproject.toml [tool.setuptools] package-dir)
IMPORT_NAMES = {
    "semcom_core": "core",
    "seess": "seess",
    "semcom_metrics": "metrics",
    "semcom_codecs": "codecs",
    "semcom_channels": "channels",
    "semcom_pipeline": "pipeline",
    "semcom_annotate": "annotate",
    "semcom_alignment": "alignment",
    "semcom_generation": "generation",
}


def test_mypy_on_the_library(tmp_path):
    # mypy sees the packages under their import names through a folder of links,
    # so imports between them are checked too; run outside the repository, whose
    # `codecs` folder would shadow the standard library's module
    links = tmp_path / "links"
    links.mkdir()
    for name, folder in IMPORT_NAMES.items():
        (links / name).symlink_to(ROOT / folder, target_is_directory=True)
    args = [arg for name in IMPORT_NAMES for arg in ("-p", name)]
    proc = subprocess.run(
        [
            tool("mypy"),
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--python-executable",
            sys.executable,
            "--cache-dir",
            str(tmp_path / "cache"),
            *args,
        ],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(links)},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "no issues found" in proc.stdout


def test_snakefmt():
    proc = run(tool("snakefmt"), "--check", "Snakefile", "workflow/rules")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_snakemake_lint(tmp_path):
    proc = run(*snakemake_cmd(tmp_path, ROOT / "config.yaml", "--lint"))
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text, text[-4000:]
    assert "Lints for snakefile" not in text, text[-4000:]
    titles = set(re.findall(r"^\s+\* (.+?):$", text, flags=re.MULTILINE))
    assert titles <= ACCEPTED_SNAKEMAKE_LINTS, text[-4000:]
    # every rule was linted (the accepted lint is reported once per rule)
    assert len(re.findall(r"^Lints for rule ", text, flags=re.MULTILINE)) >= 8, text[-4000:]
