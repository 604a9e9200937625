"""The workflow through a real single-node SLURM (tests/cluster/slurm.sh) and profiles/slurm.

Brings SLURM up once for the module and runs a part of the tiny config (Experiment A and one
transform of Experiment D: rules that make images, score and report) as SLURM jobs. That run is
interrupted: a scoring SLURM job is ``scancel``ed while it works. The same command then resumes
it; the tests check that every job ran as a SLURM job, that the resume redid only the killed job's
shards and kept every finished file untouched, and that
``scores.csv`` equals the matching rows of the shared local run of the whole tiny config (the
session's ``tiny_run``) exactly. Then SLURM is taken down, leaving no daemon, lock or temporary
directory. One interrupted run and its resume, not a clean run plus a second interrupted one: the
SLURM run of this part and its resume take ~85 s each (each SLURM job starts a Snakemake, the
plugin polls ever more slowly while jobs run): this module is among the longest of ``make test``.
Finished jobs are read from SLURM's job completion log (``jobcomp/filetxt``), which keeps every
job, not from ``squeue``, which forgets them after ``MinJobAge``: nothing here depends on how fast
the machine is. Skipped (with the reason) where SLURM cannot be installed or started: not root,
no apt-get. Tests run in file order and share the module state.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from ..conftest import (
    ROOT,
    SCORE_KEYS,
    assert_rows_of,
    read_scores,
    snakemake_cmd,
    tiny_subset,
)

SLURM_SH = ROOT / "tests" / "cluster" / "slurm.sh"
SYSTEM_CONF = Path("/etc/slurm/slurm.conf")
SKIP_RC = 77
RUN_LIMIT_S = 2400  # one Snakemake run, killed (timeout -k) past this (a safety net)
# Rules that run before scoring (run_config records the config, the rest make images): one SLURM
# group job ("images"); the resume must not repeat any of them.
IMAGE_RULES = ("run_config", "sample", "compress", "transform", "transmit")
SCORES_PER_JOB = 2  # score shards per SLURM job: two scoring SLURM jobs, side by side
# The part of the tiny config run here (4 score shards): its rows are also the local tiny run's.
EXPERIMENTS = {
    "A": {"codecs": ["jpeg"], "bpp": [0.5, 1.0]},
    "D": {"transforms": {"translation": [0, 8]}},
}

pytestmark = [pytest.mark.slow, pytest.mark.timeout(7200)]


@functools.cache  # one `snakemake --list-rules` per config, not one per Snakemake call
def _rules(config: Path) -> list[str]:
    proc = subprocess.run(
        snakemake_cmd(None, config, "--list-rules"),
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [r for r in proc.stdout.split() if re.fullmatch(r"\w+", r) and r != "all"]


def _group(rule: str) -> str:
    return "images" if rule in IMAGE_RULES else "score" if rule == "score" else "report"


def _slurm_args(config: Path) -> list[str]:
    """The test's overrides of profiles/slurm for the one-node test cluster.

    Rules are grouped by stage (images, score, report), so one SLURM job runs a whole stage, or
    SCORES_PER_JOB score shards (the config has ~20 small jobs; each SLURM job costs ~7 s of
    Snakemake start-up and the plugin checks the queue at 2, 14, 36, 68 s... after a submission).
    One thread and one core per SLURM job, so two run side by side on the 2-CPU node; memory is
    capped so grouped jobs fit; --retries 0 so a killed job fails its run.
    """
    rules = _rules(config)
    components = {"images": 20, "score": SCORES_PER_JOB, "report": 20}
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
        *[f"{r}={_group(r)}" for r in rules],
        "--group-components",
        *[f"{g}={n}" for g, n in components.items()],
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
    return [*limit, *snakemake_cmd(workdir, _config(workdir), *args)]


def _run(workdir: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        _cmd(workdir, *args),
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=RUN_LIMIT_S + 60,
    )


def _config(workdir: Path) -> Path:
    return workdir / "config_slurm.yaml"


def _workdir(path: Path) -> Path:
    """A run folder with the tiny config cut down to EXPERIMENTS."""
    path.mkdir(parents=True)
    tiny_subset(_config(path), EXPERIMENTS)
    return path


def _slurm(env: dict, *args: str) -> str:
    return subprocess.run(
        list(args), capture_output=True, text=True, env=env, timeout=60, check=True
    ).stdout


def _job_ids(log: str) -> list[str]:
    return re.findall(r"submitted with SLURM jobid (\d+)", log)


def _made(workdir: Path) -> dict[Path, int]:
    """{file: mtime} of the received images and score shards under results/."""
    results = workdir / "results"
    files = [*results.rglob("*.png"), *results.glob("*/scores/*/*.csv")]
    return {f: f.stat().st_mtime_ns for f in files}


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


class Interrupted:
    """The interrupted SLURM run: its folder, log, the scancel-ed job, what it had made."""

    def __init__(self, work: Path, log: str, returncode: int, killed: str | None):
        self.work, self.log, self.returncode, self.killed = work, log, returncode, killed
        self.made = _made(work)


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
def interrupted(cluster, tmp_path_factory) -> Interrupted:
    """A run through profiles/slurm whose first scoring SLURM job is scancel-ed while it works."""
    work = _workdir(tmp_path_factory.mktemp("slurm") / "run")
    cluster.workdirs.append(work)
    started = time.monotonic()
    proc = subprocess.Popen(
        _cmd(work, *_slurm_args(_config(work))),
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
    print(f"interrupted SLURM run: {time.monotonic() - started:.1f} s, {len(_job_ids(out))} jobs")
    return Interrupted(work, out, proc.returncode, killed)


@pytest.fixture(scope="module")
def resumed(cluster, interrupted, job_stats) -> tuple[dict[str, int], str]:
    """The dry run's job counts after the interruption, and the log of the resume."""
    work = interrupted.work
    dry = _run(work, cluster.env, *_slurm_args(_config(work)), "-n", "--quiet", "rules")
    assert dry.returncode == 0, dry.stderr[-3000:]
    started = time.monotonic()
    proc = _run(work, cluster.env, *_slurm_args(_config(work)))
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-6000:]
    print(f"resumed SLURM run: {time.monotonic() - started:.1f} s, {len(_job_ids(log))} jobs")
    return job_stats(dry.stdout + dry.stderr), log


def test_scancel_interrupts_the_run(interrupted):
    assert interrupted.killed, "no scoring job was seen running"
    assert interrupted.returncode != 0, interrupted.log[-3000:]
    cancelled = rf"JOB {interrupted.killed} ON \S+ CANCELLED"  # the job's log, shown by Snakemake
    assert re.search(cancelled, interrupted.log), interrupted.log[-3000:]


def test_jobs_ran_as_slurm_jobs(cluster, interrupted, resumed):
    first, second = _job_ids(interrupted.log), _job_ids(resumed[1])
    assert len(first) >= 3 and second, (first, second)
    states = _completed_jobs(cluster, first + second)
    assert states[interrupted.killed] == "CANCELLED", states
    others = [i for i in first + second if i != interrupted.killed]
    assert all(states.get(i) == "COMPLETED" for i in others), (others, states)
    # Each job's SLURM log (kept with --slurm-keep-successful-logs) shows Snakemake ran inside it.
    # The killed one may have been cancelled before its Snakemake started.
    logs = {p.stem: p for p in (interrupted.work / ".snakemake" / "slurm_logs").rglob("*.log")}
    assert set(logs) == set(first + second)
    assert all("--mode remote" in logs[i].read_text() for i in others)


def test_resume_redoes_only_the_killed_job(interrupted, resumed):
    jobs, _ = resumed
    assert 1 <= jobs.get("score", 0) <= SCORES_PER_JOB, jobs  # the killed job's shards
    assert not any(jobs.get(r) for r in IMAGE_RULES), jobs
    assert interrupted.made, "the interrupted run made nothing"
    after = {f: f.stat().st_mtime_ns for f in interrupted.made if f.exists()}
    assert after == interrupted.made  # every finished image and shard kept, untouched


def test_slurm_scores_equal_local_scores(interrupted, resumed, tiny_run):
    shards = read_scores(interrupted.work / "results" / "scores.csv")[SCORE_KEYS[:3]]
    assert len(shards.drop_duplicates()) == 4 and set(shards["experiment"]) == set(EXPERIMENTS)
    assert_rows_of(interrupted.work / "results" / "scores.csv", tiny_run / "results" / "scores.csv")


def test_resumed_run_is_complete(cluster, interrupted, resumed):
    done = _run(interrupted.work, cluster.env, *_slurm_args(_config(interrupted.work)), "-n")
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
