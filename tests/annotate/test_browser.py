"""The rating page driven in a real headless browser (Debian's chromium + chromedriver).

Two raters sign in and rate every screen (buttons for some, keyboard shortcuts for others);
one reloads mid-way and resumes; the server is killed (SIGKILL) and restarted on the same
study; the export must equal what was clicked. Which image sat left / right is recovered from
the bytes the page displayed, not from the study's own bookkeeping.

``SEMCOM_ANNOTATE_SCREENSHOT=docs/figures/annotate.png`` also saves a screenshot of the page.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from semcom_annotate.cli import main as annotate_main
from semcom_annotate.export import export_study
from semcom_annotate.store import Store

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium missing: pip install -e '.[dev]'"
)

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]


def _which(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name) or (
            f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None
        )
        if found:
            return found
    return None


CHROMIUM = _which("chromium", "chromium-browser")
CHROMEDRIVER = _which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="Debian's chromium and chromium-driver are not installed (`make env` installs them: "
    "apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def driver():
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--hide-scrollbars",
    ):
        opts.add_argument(arg)
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    drv.implicitly_wait(0)
    yield drv
    drv.quit()


class Server:
    """``semcom annotate serve STUDY --port 0`` as a child process."""

    def __init__(self, study: Path) -> None:
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in kill()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "semcom_pipeline.cli",
                "annotate",
                "serve",
                str(study),
                "--port",
                "0",
            ],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("serving "):
            self.proc.kill()
            self.proc.wait(timeout=30)
            self.log.seek(0)
            raise AssertionError(f"server did not start: {line}{self.log.read()}")
        self.url = line.split(" on ", 1)[1].strip().rstrip("/")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.log.close()


#: condition folder -> a plausible score, used only for the screenshot
_PLAUSIBLE = {"bpp0.1": 3, "bpp0.5": 8, "snr0": 5, "s30": 7, "s1": 8}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _wait(drv, cond, timeout=20):
    return WebDriverWait(drv, timeout).until(lambda d: cond(d))


def _progress(drv) -> str:
    return drv.find_element(By.ID, "progress").text


def _visible(drv, element_id: str) -> bool:
    return drv.find_element(By.ID, element_id).is_displayed()


class Rater:
    """Drives one rater's screens and records what was shown and clicked."""

    def __init__(self, drv, name: str, by_hash: dict[str, str], seed: int) -> None:
        self.drv, self.name, self.by_hash = drv, name, by_hash
        self.rng = random.Random(seed)
        self.clicked: list[dict] = []
        self.url = ""

    def sign_in(self, server: Server) -> None:
        self.drv.get(server.url + "/")
        box = self.drv.find_element(By.ID, "name")
        box.send_keys(self.name)
        self.drv.find_element(By.ID, "join").click()
        _wait(self.drv, lambda d: "/r/" in d.current_url and _visible(d, "instructions"))
        self.url = self.drv.current_url
        assert "Each screen shows an original" in self.drv.find_element(By.ID, "instructions").text
        assert _progress(self.drv) == f"1 / {self.total()}"
        self.drv.find_element(By.ID, "start").click()
        _wait(self.drv, lambda d: _visible(d, "rating"))

    def open(self, base: str) -> None:
        """Open the personal link on ``base`` (a restarted server has a new port)."""
        path = self.url.split("/r/", 1)[1]
        self.url = f"{base}/r/{path}"
        self.drv.get(self.url)
        _wait(self.drv, lambda d: _visible(d, "rating") or _visible(d, "done"))

    def total(self) -> int:
        return int(_progress(self.drv).split("/")[1])

    def shown(self) -> dict[str, str]:
        """Study image path of each slot, found from the bytes the browser displays."""
        out = {}
        for slot in ("ref", "left", "right"):
            src = self.drv.find_element(By.ID, f"img-{slot}").get_attribute("src")
            with urllib.request.urlopen(src, timeout=10) as resp:
                out[slot] = self.by_hash[_sha(resp.read())]
        return out

    def rate_one(self, use_keys: bool, screenshot: str | None = None) -> None:
        drv = self.drv
        before = _progress(drv)
        k = int(before.split("/")[0])
        _wait(
            drv,
            lambda d: all(
                d.execute_script(f"return document.getElementById('img-{s}').complete")
                for s in ("ref", "left", "right")
            ),
        )
        shown = self.shown()
        left, right = self.rng.randint(0, 9), self.rng.randint(0, 9)
        closer = self.rng.choice([None, "left", "right"])
        if screenshot:  # plausible scores for the docs' picture
            left, right = (_PLAUSIBLE.get(shown[s].split("/")[-2], 9) for s in ("left", "right"))
            closer = "left" if left > right else "right"
        if use_keys:
            body = drv.find_element(By.TAG_NAME, "body")
            keys = str(left) + str(right) + ({"left": "l", "right": "r"}.get(closer or "", ""))
            body.send_keys(keys)
        else:
            drv.find_element(By.ID, f"score-left-{left}").click()
            drv.find_element(By.ID, f"score-right-{right}").click()
            if closer:
                drv.find_element(By.ID, f"closer-{closer}").click()
        assert "selected" in drv.find_element(By.ID, f"score-left-{left}").get_attribute("class")
        assert "selected" in drv.find_element(By.ID, f"score-right-{right}").get_attribute("class")
        if screenshot:
            Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
            drv.save_screenshot(screenshot)
        if use_keys:
            drv.find_element(By.TAG_NAME, "body").send_keys(Keys.ENTER)
        else:
            drv.find_element(By.ID, "next").click()
        total = self.total()
        _wait(
            drv,
            lambda d: _visible(d, "done") if k == total else _progress(d) == f"{k + 1} / {total}",
        )
        self.clicked.append({**shown, "left_score": left, "right_score": right, "closer": closer})


@pytest.fixture(scope="module")
def study(run_dir, tmp_path_factory):
    study = tmp_path_factory.mktemp("browser") / "study"
    rc = annotate_main(
        [
            "init",
            str(study),
            "--from-run",
            str(run_dir.parent),
            "--n",
            "4",
            "--seed",
            "3",
            "--name",
            "Semantic similarity pilot",
            "--identical",
            "1",
            "--repeat",
            "1",
        ]
    )
    assert rc == 0
    return study


def test_two_raters_reload_kill_restart_export(driver, study, tmp_path, capsys):
    by_hash = {
        _sha(p.read_bytes()): p.relative_to(study / "images").as_posix()
        for p in (study / "images").rglob("*.png")
    }
    assert len(by_hash) == len(list((study / "images").rglob("*.png"))), "images must differ"
    shot = os.environ.get("SEMCOM_ANNOTATE_SCREENSHOT")
    server = Server(study)
    try:
        # a second server on the same study is refused, and the first one keeps serving
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "semcom_pipeline.cli",
                "annotate",
                "serve",
                str(study),
                "--port",
                "0",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 2
        assert "already serving" in second.stderr

        alice = Rater(driver, "alice", by_hash, seed=1)
        alice.sign_in(server)
        total = alice.total()
        assert total == 6  # 4 triplets + 2 attention checks
        for i in range(3):
            alice.rate_one(use_keys=i % 2 == 1, screenshot=shot if i == 0 else None)

        bob = Rater(driver, "bob", by_hash, seed=2)
        bob.sign_in(server)
        bob.rate_one(use_keys=False)
        bob.rate_one(use_keys=True)
        driver.refresh()  # bob reloads mid-way: same screen number, no instructions again
        _wait(driver, lambda d: _visible(d, "rating") and _progress(d) == f"3 / {total}")

        server.kill()  # mid-study, without warning
        server = Server(study)
        alice.open(server.url)
        assert _progress(driver) == f"4 / {total}"
        while len(alice.clicked) < total:
            alice.rate_one(use_keys=len(alice.clicked) % 2 == 0)
        bob.open(server.url)
        assert _progress(driver) == f"3 / {total}"
        while len(bob.clicked) < total:
            bob.rate_one(use_keys=len(bob.clicked) % 2 == 1)
        assert _visible(driver, "done")
    finally:
        server.kill()

    out = tmp_path / "export"
    export_study(study, out)
    _check_export(out, {"alice": alice.clicked, "bob": bob.clicked})


def _check_export(out: Path, clicked: dict[str, list[dict]]) -> None:
    """The exported files hold exactly the clicked scores (normalised from the 0..10 scale)."""
    expected_ratings: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    expected_triplets = []
    n_attention = 0
    for rater, screens in clicked.items():
        seen = set()
        for s in screens:
            key = (s["ref"], frozenset((s["left"], s["right"])))
            if s["ref"] in (s["left"], s["right"]) or key in seen:
                n_attention += 1  # identical image, or the later copy of a repeated screen
                continue
            seen.add(key)
            for side in ("left", "right"):
                expected_ratings[(f"images/{s['ref']}", f"images/{s[side]}", rater)].append(
                    s[f"{side}_score"] / 10
                )
            expected_triplets.append(
                (
                    rater,
                    f"images/{s['ref']}",
                    f"images/{s['left']}",
                    f"images/{s['right']}",
                    s["left_score"] / 10,
                    s["right_score"] / 10,
                    s["closer"],
                )
            )

    ratings = pd.read_csv(out / "ratings.csv")
    assert list(ratings.columns) == ["ref", "test", "score", "rater"]
    got = {(r.ref, r.test, r.rater): r.score for r in ratings.itertuples()}
    want = {k: sum(v) / len(v) for k, v in expected_ratings.items()}
    assert got.keys() == want.keys()
    for k, value in want.items():
        assert got[k] == pytest.approx(value, abs=1e-6)
    for r in ratings.itertuples():
        assert (out / r.ref).is_file() and (out / r.test).is_file()

    trip = pd.read_csv(out / "triplets.csv", keep_default_na=False)
    assert list(trip.columns) == ["ref", "test0", "test1", "score0", "score1", "rater", "choice"]
    rows = set()
    for t in trip.itertuples():
        # normalise each row to left/right as shown: either test0 was left, or test1 was
        choice = None if t.choice == "" else int(t.choice)
        rows.add((t.rater, t.ref, t.test0, t.test1, round(t.score0, 6), round(t.score1, 6), choice))
    want_rows = set()
    for rater, ref, left, right, sl, sr, closer in expected_triplets:
        c = {"left": 0, "right": 1, None: None}[closer]
        a = (rater, ref, left, right, round(sl, 6), round(sr, 6), c)
        b = (rater, ref, right, left, round(sr, 6), round(sl, 6), None if c is None else 1 - c)
        want_rows.add(a if a in rows else b)
    assert rows == want_rows

    attention = pd.read_csv(out / "attention.csv")
    assert len(attention) == n_attention == 4  # one identical + one repeat per rater
    mean = pd.read_csv(out / "ratings_mean.csv")
    assert list(mean.columns) == ["ref", "test", "score", "n_raters"]
    summary = pd.read_csv(out / "summary.csv").set_index("statistic")
    assert summary.loc["n_raters", "value"] == 2
    assert summary.loc["n_answers", "value"] == 12


def test_a_fine_scale_uses_sliders(driver, run_dir, tmp_path):
    study = tmp_path / "fine"
    args = ["init", str(study), "--from-run", str(run_dir), "--n", "2", "--scale", "0", "1", "0.01"]
    assert annotate_main([*args, "--no-closer", "--identical", "0", "--repeat", "0"]) == 0
    server = Server(study)
    try:
        driver.get(server.url + "/")
        driver.find_element(By.ID, "name").send_keys("gus")
        driver.find_element(By.ID, "join").click()
        _wait(driver, lambda d: _visible(d, "instructions"))
        driver.find_element(By.ID, "start").click()
        assert not driver.find_elements(By.ID, "closer-left")  # --no-closer
        driver.find_element(By.ID, "score-left").click()  # the middle of an unset slider
        body = driver.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.ARROW_UP, Keys.ARROW_UP, Keys.ARROW_RIGHT, Keys.END)
        assert driver.find_element(By.ID, "value-left").text == "0.52"
        assert driver.find_element(By.ID, "value-right").text == "1"
        body.send_keys(Keys.ENTER)
        _wait(driver, lambda d: _progress(d) == "2 / 2")
        # the next screen starts unset, with the sliders back in the middle
        assert driver.find_element(By.ID, "value-right").text == "-"
        assert driver.find_element(By.ID, "score-right").get_attribute("value") == "0.5"
    finally:
        server.kill()
    answers = Store(study).answers()
    assert len(answers) == 1 and answers[0]["closer"] is None
    left, right = (0.52, 1.0) if not answers[0]["swapped"] else (1.0, 0.52)
    assert (answers[0]["score0"], answers[0]["score1"]) == pytest.approx((left, right))
