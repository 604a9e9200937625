"""The study's SQLite file: items, raters, each rater's order, answers.

One file per study (``STUDY/study.sqlite``) in write-ahead-log mode with ``synchronous=FULL``;
every answer is its own transaction, committed before the browser is told it was saved, so
killing the server loses nothing that was acknowledged. One server at a time: :func:`serving_lock`
holds an OS file lock beside the database (released by the kernel if the server dies).

Tables
------
``items(id, ref, test0, test1, condition0, condition1, kind, repeat_of)``
    ``kind``: ``main``, ``identical`` or ``repeat`` (attention checks, exported apart).
``raters(id, name, token, created_at)``
``orders(rater_id, position, item_id, swapped)``
    the rater's own seeded order; ``swapped = 1`` shows ``test1`` on the left.
``answers(rater_id, item_id, position, score0, score1, closer, swapped, elapsed_ms, answered_at)``
    scores of ``test0`` / ``test1`` on the study's scale; ``closer`` 0 / 1 (which of test0 /
    test1 the rater found closer) or NULL.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from semcom_annotate.study import DB_NAME, Item, StudyError

__all__ = [
    "AnswerError",
    "Position",
    "Rater",
    "ServerBusyError",
    "Store",
    "create_store",
    "serving_lock",
]

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE items (
    id INTEGER PRIMARY KEY, ref TEXT NOT NULL, test0 TEXT NOT NULL, test1 TEXT NOT NULL,
    condition0 TEXT NOT NULL, condition1 TEXT NOT NULL, kind TEXT NOT NULL,
    repeat_of INTEGER REFERENCES items(id)
);
CREATE TABLE raters (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE orders (
    rater_id INTEGER NOT NULL REFERENCES raters(id), position INTEGER NOT NULL,
    item_id INTEGER NOT NULL REFERENCES items(id), swapped INTEGER NOT NULL,
    PRIMARY KEY (rater_id, position), UNIQUE (rater_id, item_id)
);
CREATE TABLE answers (
    rater_id INTEGER NOT NULL REFERENCES raters(id), item_id INTEGER NOT NULL REFERENCES items(id),
    position INTEGER NOT NULL, score0 REAL NOT NULL, score1 REAL NOT NULL, closer INTEGER,
    swapped INTEGER NOT NULL, elapsed_ms INTEGER, answered_at TEXT NOT NULL,
    PRIMARY KEY (rater_id, item_id)
);
"""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.@-]{0,63}$")


class ServerBusyError(RuntimeError):
    """Another server already holds the study's database."""


class AnswerError(ValueError):
    """An answer that cannot be stored (wrong position, score off the scale, ...)."""


@dataclass(frozen=True)
class Rater:
    id: int
    name: str
    token: str


@dataclass(frozen=True)
class Position:
    """What a rater sees at one position of their order (``left``/``right`` are item slots)."""

    position: int
    total: int
    item_id: int
    swapped: bool

    @property
    def left(self) -> str:
        return "test1" if self.swapped else "test0"

    @property
    def right(self) -> str:
        return "test0" if self.swapped else "test1"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=10.0, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def create_store(study: str | os.PathLike, items: Sequence[Item], seed: int) -> Path:
    """Create ``STUDY/study.sqlite`` with ``items``; refuses to overwrite an existing one."""
    path = Path(study) / DB_NAME
    if path.exists():
        raise StudyError(f"{path} already exists; a study's answers are never overwritten")
    if not items:
        raise StudyError("a study needs at least one item")
    conn = _connect(path)
    try:
        with _transaction(conn):
            for stmt in SCHEMA.split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            conn.execute("INSERT INTO meta VALUES ('seed', ?)", (str(seed),))
            conn.executemany(
                "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        i,
                        it.ref,
                        it.test0,
                        it.test1,
                        it.condition0,
                        it.condition1,
                        it.kind,
                        it.repeat_of,
                    )
                    for i, it in enumerate(items)
                ],
            )
    finally:
        conn.close()
    return path


@contextmanager
def serving_lock(study: str | os.PathLike) -> Iterator[Path]:
    """Hold the study's server lock; :class:`ServerBusyError` when another process holds it."""
    from filelock import FileLock, Timeout

    lock_path = Path(study) / f".{DB_NAME}.server.lock"
    lock = FileLock(lock_path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise ServerBusyError(
            f"another `semcom annotate serve` is already serving {Path(study)} (it holds "
            f"{lock_path}); stop it first - two servers on one study are refused"
        ) from None
    try:
        yield lock_path
    finally:
        lock.release()


class Store:
    """Access to one study's database (thread-safe: one connection per call)."""

    def __init__(self, study: str | os.PathLike) -> None:
        self.path = Path(study) / DB_NAME
        if not self.path.is_file():
            raise StudyError(f"{self.path}: missing; create the study with `semcom annotate init`")
        with self._conn() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone()
            if row is None:
                raise StudyError(f"{self.path}: not a study database (no seed)")
            self.seed = int(row["value"])

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = _connect(self.path)
        except sqlite3.DatabaseError as exc:
            raise StudyError(f"{self.path}: cannot open the study database ({exc})") from None
        try:
            yield conn
        finally:
            conn.close()

    # -- items ---------------------------------------------------------------------------
    def items(self) -> list[dict[str, Any]]:
        with self._conn() as conn:
            return [dict(r) for r in conn.execute("SELECT * FROM items ORDER BY id")]

    def item(self, item_id: int) -> dict[str, Any] | None:
        with self._conn() as conn:
            row = conn.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        return dict(row) if row else None

    # -- raters --------------------------------------------------------------------------
    def raters(self) -> list[Rater]:
        with self._conn() as conn:
            rows = conn.execute("SELECT id, name, token FROM raters ORDER BY id").fetchall()
        return [Rater(r["id"], r["name"], r["token"]) for r in rows]

    def rater_by_token(self, token: str) -> Rater | None:
        with self._conn() as conn:
            r = conn.execute(
                "SELECT id, name, token FROM raters WHERE token = ?", (token,)
            ).fetchone()
        return Rater(r["id"], r["name"], r["token"]) if r else None

    def add_rater(self, name: str) -> Rater:
        """The rater called ``name`` (created with a token and an own order when new)."""
        name = name.strip()
        if not _NAME.match(name):
            raise StudyError(
                f"rater name {name!r}: use 1-64 letters, digits, spaces or _ . @ - "
                "(starting with a letter or digit)"
            )
        with self._conn() as conn, _transaction(conn):
            r = conn.execute("SELECT id, name, token FROM raters WHERE name = ?", (name,))
            row = r.fetchone()
            if row:
                return Rater(row["id"], row["name"], row["token"])
            token = secrets.token_urlsafe(16)
            cur = conn.execute(
                "INSERT INTO raters (name, token, created_at) VALUES (?, ?, ?)",
                (name, token, _now()),
            )
            rater_id = int(cur.lastrowid or 0)
            items = conn.execute("SELECT id, kind, repeat_of FROM items ORDER BY id").fetchall()
            conn.executemany(
                "INSERT INTO orders VALUES (?, ?, ?, ?)",
                [
                    (rater_id, pos, iid, sw)
                    for pos, (iid, sw) in enumerate(self._order(name, items))
                ],
            )
        return Rater(rater_id, name, token)

    def _order(self, name: str, items: Sequence[sqlite3.Row]) -> list[tuple[int, int]]:
        """The rater's seeded order: a shuffle, a repeat check after its original, random sides."""
        rng = random.Random(f"{self.seed}:{name}")
        ids = [int(r["id"]) for r in items]
        rng.shuffle(ids)
        pos = {iid: k for k, iid in enumerate(ids)}
        for r in items:
            if r["kind"] == "repeat" and r["repeat_of"] is not None:
                a, b = pos[int(r["id"])], pos[int(r["repeat_of"])]
                if a < b:  # show the original first, its repeat later
                    ids[a], ids[b] = ids[b], ids[a]
                    pos[ids[a]], pos[ids[b]] = a, b
        return [(iid, int(rng.random() < 0.5)) for iid in ids]

    # -- progress and answers --------------------------------------------------------------
    def current(self, rater: Rater) -> Position | None:
        """The first position the rater has not answered; None when they are done."""
        with self._conn() as conn:
            total = conn.execute(
                "SELECT COUNT(*) FROM orders WHERE rater_id = ?", (rater.id,)
            ).fetchone()[0]
            row = conn.execute(
                "SELECT o.position, o.item_id, o.swapped FROM orders o LEFT JOIN answers a "
                "ON a.rater_id = o.rater_id AND a.item_id = o.item_id "
                "WHERE o.rater_id = ? AND a.item_id IS NULL ORDER BY o.position LIMIT 1",
                (rater.id,),
            ).fetchone()
        if row is None:
            return None
        return Position(int(row["position"]), int(total), int(row["item_id"]), bool(row["swapped"]))

    def at(self, rater: Rater, position: int) -> Position | None:
        """What the rater sees at ``position`` of their order (None when out of range)."""
        with self._conn() as conn:
            total = conn.execute(
                "SELECT COUNT(*) FROM orders WHERE rater_id = ?", (rater.id,)
            ).fetchone()[0]
            row = conn.execute(
                "SELECT item_id, swapped FROM orders WHERE rater_id = ? AND position = ?",
                (rater.id, position),
            ).fetchone()
        if row is None:
            return None
        return Position(position, int(total), int(row["item_id"]), bool(row["swapped"]))

    def n_answered(self, rater: Rater) -> int:
        with self._conn() as conn:
            return int(
                conn.execute(
                    "SELECT COUNT(*) FROM answers WHERE rater_id = ?", (rater.id,)
                ).fetchone()[0]
            )

    def total(self) -> int:
        with self._conn() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM items").fetchone()[0])

    def answer(
        self,
        rater: Rater,
        position: int,
        score_left: float,
        score_right: float,
        closer: str | None,
        elapsed_ms: int | None = None,
    ) -> bool:
        """Store the answer at ``position`` (scores already checked against the scale).

        ``closer`` is ``"left"``, ``"right"`` or None. Returns False (and stores nothing) when
        that position was answered already (a resent request); :class:`AnswerError` when the
        rater's order has no such position.
        """
        if closer not in (None, "left", "right"):
            raise AnswerError(f"closer must be 'left', 'right' or empty, got {closer!r}")
        with self._conn() as conn, _transaction(conn):
            row = conn.execute(
                "SELECT item_id, swapped FROM orders WHERE rater_id = ? AND position = ?",
                (rater.id, position),
            ).fetchone()
            if row is None:
                raise AnswerError(f"no position {position} in this rater's order")
            item_id, swapped = int(row["item_id"]), int(row["swapped"])
            done = conn.execute(
                "SELECT 1 FROM answers WHERE rater_id = ? AND item_id = ?", (rater.id, item_id)
            ).fetchone()
            if done:
                return False
            s0, s1 = (score_right, score_left) if swapped else (score_left, score_right)
            side = {"left": 0, "right": 1}.get(closer or "")
            closer_slot = None if side is None else side ^ swapped
            conn.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rater.id,
                    item_id,
                    position,
                    float(s0),
                    float(s1),
                    closer_slot,
                    swapped,
                    elapsed_ms,
                    _now(),
                ),
            )
        return True

    def answers(self) -> list[dict[str, Any]]:
        """Every answer joined with its item and rater name, in rater then position order."""
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT r.name AS rater, a.position, a.score0, a.score1, a.closer, a.swapped, "
                "a.elapsed_ms, a.answered_at, i.* FROM answers a "
                "JOIN raters r ON r.id = a.rater_id JOIN items i ON i.id = a.item_id "
                "ORDER BY r.name, a.position"
            ).fetchall()
        return [dict(r) for r in rows]
