"""The Flask app without a browser: path traversal, tokens, bad answers, exposed mode, bad studies."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from semcom_annotate.app import create_app
from semcom_annotate.cli import main
from semcom_annotate.store import Store


@pytest.fixture
def study(new_study):
    return new_study("--n", "4")


def _client_and_token(study):
    client = create_app(study).test_client()
    resp = client.post("/join", data={"name": "erin"})
    assert resp.status_code == 303
    token = resp.headers["Location"].split("/r/", 1)[1].strip("/")
    return client, token


@pytest.fixture
def client_and_token(study):
    return _client_and_token(study)


@pytest.fixture(scope="module")
def shared_client(run_dir, tmp_path_factory):
    """One study for the read-only requests (tests must not modify it)."""
    study = tmp_path_factory.mktemp("app") / "study"
    assert main(["init", str(study), "--from-run", str(run_dir), "--n", "4"]) == 0
    return _client_and_token(study)


@pytest.mark.parametrize(
    "url",
    [
        "/../../etc/passwd",
        "/static/../../etc/passwd",
        "/static/..%2f..%2f..%2fetc%2fpasswd",
        "/images/../../etc/passwd",
        "/r/{token}/img/0/../../../../etc/passwd",
        "/r/{token}/img/0/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/r/{token}/img/999/left",
        "/r/{token}/img/0/study.sqlite",
        "/r/not-a-token/img/0/left",
        "/r/not-a-token/",
    ],
)
def test_nothing_outside_the_study_images_is_served(shared_client, url):
    client, token = shared_client
    resp = client.get(url.format(token=token))
    assert resp.status_code == 404
    assert b"root:" not in resp.data


def test_images_by_screen_and_a_tampered_path_is_refused(client_and_token, study):
    client, token = client_and_token
    state = client.get(f"/r/{token}/api/state").get_json()
    assert state["position"] == 0 and state["total"] == 6 and not state["done"]
    for url in state["images"].values():
        resp = client.get(url)
        assert resp.status_code == 200 and resp.data[:8] == b"\x89PNG\r\n\x1a\n"
        assert "originals" not in url and "jpeg" not in url  # conditions stay hidden
    # even a path planted in the database cannot leave images/
    with sqlite3.connect(study / "study.sqlite") as conn:
        conn.execute("UPDATE items SET ref = '../../../../../../etc/passwd'")
    assert client.get(state["images"]["ref"]).status_code == 404


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"position": 0, "left": 11, "right": 3}, "outside the scale"),
        ({"position": 0, "left": 2.5, "right": 3}, "not on the scale's steps"),
        ({"position": 0, "left": 2}, "right"),
        ({"position": 0, "left": 2, "right": 3, "closer": "up"}, "closer"),
        ({"position": 42, "left": 2, "right": 3}, "no position"),
        ({"position": "x", "left": 2, "right": 3}, "bad answer"),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(client_and_token, study, payload, message):
    client, token = client_and_token
    resp = client.post(f"/r/{token}/api/answer", json=payload)
    assert resp.status_code == 400
    assert message in resp.get_json()["error"]
    assert Store(study).answers() == []
    ok = client.post(f"/r/{token}/api/answer", json={"position": 0, "left": 2, "right": 3})
    assert ok.status_code == 200 and ok.get_json()["answered"] == 1


def test_exposed_server_needs_personal_links(study):
    rater = Store(study).add_rater("frank")
    client = create_app(study, open_signin=False).test_client()
    assert b"personal link" in client.get("/").data
    assert client.post("/join", data={"name": "mallory"}).status_code == 403
    assert [r.name for r in Store(study).raters()] == ["frank"]
    page = client.get(f"/r/{rater.token}/")
    assert page.status_code == 200 and b"frank" in page.data
    assert b"http" not in page.data.split(b"<body>", 1)[1]  # no external resources (offline)


def test_serve_refuses_a_study_with_a_missing_candidate_image(study, tmp_path, capsys):
    broken = tmp_path / "broken"
    shutil.copytree(study, broken)
    victim = max(p for p in (broken / "images").rglob("*.png") if "originals" not in p.parts)
    victim.unlink()
    before = (broken / "study.sqlite").read_bytes()
    assert main(["serve", str(broken), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "image(s) missing" in err and victim.relative_to(broken / "images").as_posix() in err
    assert (broken / "study.sqlite").read_bytes() == before


def test_export_before_any_answer_is_a_clear_error(study, tmp_path, capsys):
    assert main(["export", str(study), "--out", str(tmp_path / "out")]) == 2
    assert "no answers yet" in capsys.readouterr().err


def test_a_file_that_is_not_a_study_database_is_a_clear_error(study, capsys):
    (study / "study.sqlite").write_bytes(b"not a database at all" * 100)
    assert main(["serve", str(study), "--port", "0"]) == 2
    assert "cannot open the study database" in capsys.readouterr().err
