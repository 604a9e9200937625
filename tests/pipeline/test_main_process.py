"""Weight checks run in the main Snakemake process only: a job process (SLURM's
``--mode remote``) parses the workflow without importing torch."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ..conftest import ROOT, TINY

_PROBE = """
import atexit, runpy, sys
atexit.register(lambda: print("TORCH_IMPORTED", "torch" in sys.modules, flush=True))
sys.argv = ["snakemake", "-s", {snakefile!r}, "--configfile", {config!r},
            "--mode", {mode!r}, "--list-rules"]
runpy.run_module("snakemake", run_name="__main__")
"""


def _torch_imported_when_parsing(mode: str, workdir) -> bool:
    code = _PROBE.format(snakefile=str(ROOT / "Snakefile"), config=str(TINY), mode=mode)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=os.environ.copy(),
    )
    out = proc.stdout + proc.stderr
    assert "train_deepjscc" in out, out[-3000:]  # the workflow was parsed and listed
    line = [ln for ln in out.splitlines() if ln.startswith("TORCH_IMPORTED")]
    assert line, out[-3000:]
    return line[-1].split()[1] == "True"


@pytest.mark.parametrize("mode, expected", [("remote", False), ("default", True)])
def test_only_the_main_process_imports_torch_to_check_weights(mode, expected, tmp_path):
    # default: the main process builds the metrics to list their weights (imports torch);
    # remote: how a SLURM job re-parses the Snakefile; it must not pay for torch.
    assert _torch_imported_when_parsing(mode, tmp_path) is expected
