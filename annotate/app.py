"""The rating web page: a Flask app over one study folder (plain HTML / CSS / JS, offline).

Routes (``TOKEN`` is the rater's token; it is always accepted, and it is the only way in when
the server is exposed beyond the loopback interface):

- ``GET /``: sign-in by name (loopback only), or a note to use one's own link;
- ``GET /r/TOKEN/``: the rating page; ``GET /r/TOKEN/api/state``: the current screen as JSON;
- ``POST /r/TOKEN/api/answer``: one answer (``position``, ``left``, ``right``, ``closer``);
- ``GET /r/TOKEN/img/POSITION/SLOT`` (``ref``, ``left``, ``right``): an image of one of the
  rater's screens. Images are addressed by screen, never by path, so the page does not reveal
  a candidate's condition, and only files under ``STUDY/images`` are ever served.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from semcom_annotate.store import AnswerError, Rater, Store
from semcom_annotate.study import IMAGES_DIR, StudyConfig, StudyError, load_config

__all__ = ["LOOPBACK_HOSTS", "create_app", "missing_images"]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
PACKAGE_DIR = Path(__file__).resolve().parent


def missing_images(study: str | os.PathLike, store: Store) -> list[str]:
    """Image paths of the study's items that are not files under ``STUDY/images``."""
    root = Path(study) / IMAGES_DIR
    rels = {it[k] for it in store.items() for k in ("ref", "test0", "test1")}
    return sorted(r for r in rels if not (root / r).is_file())


def _state(config: StudyConfig, store: Store, rater: Rater) -> dict[str, Any]:
    pos = store.current(rater)
    base = {
        "rater": rater.name,
        "total": store.total(),
        "answered": store.n_answered(rater),
        "done": pos is None,
    }
    if pos is None:
        return base
    prefix = f"/r/{rater.token}/img/{pos.position}"
    return {
        **base,
        "position": pos.position,
        "images": {slot: f"{prefix}/{slot}" for slot in ("ref", "left", "right")},
    }


def create_app(study: str | os.PathLike, *, open_signin: bool = True) -> Any:
    """The Flask app serving ``study``; ``open_signin`` lets anyone sign in by name at ``/``."""
    from flask import Flask, abort, jsonify, redirect, render_template, request, send_from_directory

    study = Path(study)
    config = load_config(study)
    store = Store(study)
    images_root = (study / IMAGES_DIR).resolve()
    app = Flask(
        "semcom_annotate",
        static_folder=str(PACKAGE_DIR / "static"),
        template_folder=str(PACKAGE_DIR / "templates"),
    )
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024

    def rater_or_404(token: str) -> Rater:
        rater = store.rater_by_token(token)
        if rater is None:
            abort(404)
        return rater

    @app.after_request
    def no_cache(resp: Any) -> Any:
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        return resp

    @app.get("/")
    def index() -> Any:
        return render_template("index.html", config=config, open_signin=open_signin)

    @app.post("/join")
    def join() -> Any:
        if not open_signin:
            abort(403)
        try:
            rater = store.add_rater(request.form.get("name", ""))
        except StudyError as exc:
            return render_template(
                "index.html", config=config, open_signin=True, error=str(exc)
            ), 400
        return redirect(f"/r/{rater.token}/", code=303)

    @app.get("/r/<token>/")
    def page(token: str) -> Any:
        rater = rater_or_404(token)
        s = config.scale
        page_config = {
            "token": rater.token,
            "scale": {
                "min": s.min,
                "max": s.max,
                "step": s.step,
                "levels": s.levels,
                "low_label": s.low_label,
                "high_label": s.high_label,
            },
            "ask_closer": config.ask_closer,
        }
        return render_template("rate.html", config=config, rater=rater, page_config=page_config)

    @app.get("/r/<token>/api/state")
    def state(token: str) -> Any:
        return jsonify(_state(config, store, rater_or_404(token)))

    @app.post("/r/<token>/api/answer")
    def answer(token: str) -> Any:
        rater = rater_or_404(token)
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return jsonify(error="expected a JSON object"), 400
        try:
            position = int(data["position"])
            left = config.scale.check(data["left"])
            right = config.scale.check(data["right"])
            closer = data.get("closer") or None
            if closer is not None and not config.ask_closer:
                raise AnswerError("this study does not ask which image is closer")
            elapsed = data.get("elapsed_ms")
            elapsed_ms = int(elapsed) if isinstance(elapsed, int | float) else None
            store.answer(rater, position, left, right, closer, elapsed_ms)
        except (KeyError, TypeError, ValueError) as exc:  # StudyError, AnswerError are ValueError
            return jsonify(error=f"bad answer: {exc}"), 400
        return jsonify(_state(config, store, rater))

    @app.get("/r/<token>/img/<int:position>/<slot>")
    def image(token: str, position: int, slot: str) -> Any:
        rater = rater_or_404(token)
        if slot not in ("ref", "left", "right"):
            abort(404)
        pos = store.at(rater, position)
        if pos is None:
            abort(404)
        item = store.item(pos.item_id)
        if item is None:
            abort(404)
        rel = item["ref"] if slot == "ref" else item[pos.left if slot == "left" else pos.right]
        # send_from_directory refuses anything outside images_root (404)
        return send_from_directory(images_root, rel)

    return app
