"""The workflow through a real single-node SLURM (tests/cluster/slurm.sh) and profiles/slurm.

Brings SLURM up once for the module, runs the tiny config as SLURM jobs, compares scores.csv with
the shared local run (the session's ``tiny_run``), kills a SLURM job in a second run and resumes,
then takes SLURM down and checks that no daemon, lock or temporary directory is left. Finished
jobs are read from SLURM's job completion log (``jobcomp/filetxt``), which keeps every job, not
from ``squeue``, which forgets them after ``MinJobAge``: nothing here depends on how fast the
machine is. Skipped (with the reason) where SLURM cannot be
installed or started: not root, no apt-get. Tests run in file order and share the module state.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from ..conftest import ROOT, TINY, snakemake_cmd

SLURM_SH = ROOT / "tests" / "cluster" / "slurm.sh"
SYSTEM_CONF = Path("/etc/slurm/slurm.conf")
SKIP_RC = 77
RUN_LIMIT_S = 2400  # one Snakemake run, killed (timeout -k) past this (a safety net)
KEYS = ["experiment", "system", "condition", "image", "metric"]
# Rules whose jobs make received images; the resumed run must not repeat them.
IMAGE_RULES = ("sample", "compress", "transform", "transmit")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(7200)]


def _rules() -> list[str]:
    proc = subprocess.run(
        snakemake_cmd(None, TINY, "--list-rules"),
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [r for r in proc.stdout.split() if re.fullmatch(r"\w+", r) and r != "all"]


def _slurm_args() -> list[str]:
    """The test's overrides of profiles/slurm for the one-node test cluster.

    Every rule gets its own group, so each SLURM job runs up to 10 ready jobs of one rule (the
    tiny config has dozens of small jobs, each SLURM job costs ~7 s of Snakemake start-up). One
    thread and one core per SLURM job, so two run side by side on the 2-CPU node; memory is
    capped so grouped jobs fit; --retries 0 so a killed job ends the run.
    """
    rules = _rules()
    return [
        "--profile",
        str(ROOT / "profiles" / "slurm"),
        "--default-resources",
        "slurm_partition=debug",
        "mem_mb=500",
        "runtime=20",
        "--set-resources",
        *[f"{r}:mem_mb=500" for r in rules],
        "--set-threads",
        *[f"{r}=1" for r in rules],
        "--groups",
        *[f"{r}={r}" for r in rules],
        "--group-components",
        *[f"{r}=10" for r in rules],
        "--cores",
        "1",
        "--resources",
        "mem_mb=2000",
        "--jobs",
        "2",
        "--retries",
        "0",
        "--seconds-between-status-checks",
        "2",
        "--slurm-status-command",
        "squeue",
        "--slurm-init-seconds-before-status-checks",
        "2",
        "--slurm-keep-successful-logs",
    ]


def _cmd(workdir: Path, *args: str) -> list[str]:
    limit = ["timeout", "-k", "20", str(RUN_LIMIT_S)]
    return [*limit, *snakemake_cmd(workdir, workdir / "config_tiny.yaml", *args)]


def _run(workdir: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        _cmd(workdir, *args),
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=RUN_LIMIT_S + 60,
    )


def _workdir(path: Path) -> Path:
    path.mkdir(parents=True)
    shutil.copy(TINY, path / "config_tiny.yaml")
    return path


def _slurm(env: dict, *args: str) -> str:
    return subprocess.run(
        list(args), capture_output=True, text=True, env=env, timeout=60, check=True
    ).stdout


def _job_ids(log: str) -> list[str]:
    return re.findall(r"submitted with SLURM jobid (\d+)", log)


def _scores(workdir: Path) -> pd.DataFrame:
    df = pd.read_csv(workdir / "results" / "scores.csv")
    return df.sort_values(KEYS).reset_index(drop=True)


def _jobcomp(cluster: Cluster) -> dict[str, str]:
    """{job id: final state} from SLURM's job completion log (jobcomp/filetxt)."""
    path = cluster.dir / "jobcomp.txt"
    text = path.read_text() if path.exists() else ""
    out = {}
    for line in text.splitlines():
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if "JobId" in fields:
            out[fields["JobId"]] = fields.get("JobState", "")
    return out


def _completed_jobs(cluster: Cluster, ids: list[str], limit_s: float = 120) -> dict[str, str]:
    """The recorded states of ``ids``, once slurmctld has written all of them (it writes a line
    as it finishes a job's completion, which may trail the state Snakemake saw by moments)."""
    deadline = time.monotonic() + limit_s
    states = _jobcomp(cluster)
    while not set(ids) <= set(states) and time.monotonic() < deadline:
        time.sleep(0.5)
        states = _jobcomp(cluster)
    return states


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Cluster:
    """A running test cluster: its directory, client environment and daemon pids."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.env = {**os.environ, "SLURM_CONF": str(directory / "slurm.conf")}
        self.pids = {}
        for name, rel in [
            ("slurmctld", "slurmctld.pid"),
            ("slurmd", "slurmd.pid"),
            ("munged", "munge/munged.pid"),
        ]:
            self.pids[name] = int((directory / rel).read_text().strip())
        self.workdirs: list[Path] = []

    def down(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", str(SLURM_SH), "down", str(self.dir)],
            check=False,
            capture_output=True,
            text=True,
            timeout=180,
        )


@pytest.fixture(scope="module")
def cluster():
    started = time.monotonic()
    proc = subprocess.run(
        ["bash", str(SLURM_SH), "up"], check=False, capture_output=True, text=True, timeout=900
    )
    if proc.returncode == SKIP_RC:
        pytest.skip(f"no SLURM here: {proc.stderr.strip().splitlines()[-1]}")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    c = Cluster(Path(proc.stdout.strip().splitlines()[-1]))
    print(f"SLURM up in {time.monotonic() - started:.1f} s: {proc.stderr.strip()}")
    try:
        yield c
    finally:
        c.down()  # idempotent; test_teardown_leaves_nothing checks what it leaves


@pytest.fixture(scope="module")
def local_scores(tiny_run) -> pd.DataFrame:
    """scores.csv of the shared local run of the tiny config (tests/conftest.py)."""
    return _scores(tiny_run)


@pytest.fixture(scope="module")
def slurm_run(cluster, tmp_path_factory) -> tuple[Path, str]:
    """One complete run of the tiny config through profiles/slurm: (workdir, its log)."""
    work = _workdir(tmp_path_factory.mktemp("slurm") / "run")
    cluster.workdirs.append(work)
    started = time.monotonic()
    proc = _run(work, cluster.env, *_slurm_args())
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-6000:]
    print(f"SLURM run: {time.monotonic() - started:.1f} s, {len(_job_ids(log))} SLURM jobs")
    return work, log


def test_jobs_ran_as_slurm_jobs(cluster, slurm_run):
    work, log = slurm_run
    ids = _job_ids(log)
    assert len(ids) >= 3, log[-3000:]
    states = _completed_jobs(cluster, ids)
    assert all(states.get(i) == "COMPLETED" for i in ids), (ids, states)
    # Each job's SLURM log (kept with --slurm-keep-successful-logs) shows Snakemake ran inside it.
    logs = list((work / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert {p.stem for p in logs} == set(ids)
    assert all("--mode remote" in p.read_text() for p in logs)


def test_slurm_scores_equal_local_scores(slurm_run, local_scores):
    work, _ = slurm_run
    pd.testing.assert_frame_equal(_scores(work), local_scores, check_exact=True)


def test_killed_slurm_job_resumes_to_the_same_scores(cluster, slurm_run, local_scores, job_stats):
    work, _ = slurm_run
    results = work / "results"
    shard_csvs = sorted(results.glob("D/scores/*/*.csv"))
    victim = shard_csvs[0]  # results/D/scores/<transform>/<cond>.csv
    transform, cond = victim.parent.name, victim.stem
    lost = sorted((results / "D" / transform / cond).glob("*.png"))
    assert lost, f"no received images for {transform}/{cond}"
    for png in lost:  # the received images of one shard (records kept): transform, then score
        png.unlink()
    kept = {p: p.stat().st_mtime_ns for p in shard_csvs[1:]}

    proc = subprocess.Popen(
        _cmd(work, *_slurm_args()),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=cluster.env,
    )
    killed = None
    try:
        deadline = time.monotonic() + RUN_LIMIT_S
        while killed is None and time.monotonic() < deadline and proc.poll() is None:
            for line in _slurm(
                cluster.env, "squeue", "-h", "-t", "RUNNING", "-o", "%i %k"
            ).splitlines():
                job_id, comment = line.split(maxsplit=1)
                if "score" in comment:
                    time.sleep(1.0)  # let it start work
                    _slurm(cluster.env, "scancel", job_id)
                    killed = job_id
                    break
            time.sleep(0.5)
        out, _ = proc.communicate(timeout=RUN_LIMIT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
    assert killed, "no scoring job was seen running"
    assert proc.returncode != 0, out[-3000:]
    assert all((results / "D" / transform / cond / p.name).exists() for p in lost)

    dry = _run(work, cluster.env, *_slurm_args(), "-n", "--quiet", "rules")
    assert dry.returncode == 0, dry.stderr[-3000:]
    jobs = job_stats(dry.stdout + dry.stderr)
    assert jobs.get("score") == 1, jobs  # only the killed shard
    assert not any(jobs.get(r) for r in IMAGE_RULES), jobs

    resumed = _run(work, cluster.env, *_slurm_args())
    assert resumed.returncode == 0, (resumed.stdout + resumed.stderr)[-6000:]
    assert _job_ids(resumed.stdout + resumed.stderr)
    assert {p: p.stat().st_mtime_ns for p in kept} == kept  # other shards untouched
    pd.testing.assert_frame_equal(_scores(work), local_scores, check_exact=True)
    assert victim.exists()
    done = _run(work, cluster.env, *_slurm_args(), "-n")
    assert "Nothing to be done" in done.stdout + done.stderr


def test_teardown_leaves_nothing(cluster):
    proc = cluster.down()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not cluster.dir.exists()
    assert not SYSTEM_CONF.is_symlink()
    alive = {name: pid for name, pid in cluster.pids.items() if _alive(pid)}
    assert not alive, f"daemons still running: {alive}"
    for work in cluster.workdirs:
        locks = work / ".snakemake" / "locks"
        assert not (locks.exists() and any(locks.iterdir())), f"Snakemake lock left in {work}"
