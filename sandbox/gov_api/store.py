"""The government-API sandbox's own SQLite database: tokens, idempotency keys, applications.

One file in WAL mode. Every write that answers an idempotent request runs in
one ``BEGIN IMMEDIATE`` transaction together with its idempotency record, so
the sandbox either has the application and the stored answer, or neither,
and a retried request gets the stored answer back (never a second row).
The sandbox is a single-process test stand-in, so calls are synchronous.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seat_common.validators import USCC_ALPHABET, uscc_check_character

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, client_id TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    client_id TEXT NOT NULL, key TEXT NOT NULL, request_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL, answer TEXT NOT NULL, created_at REAL NOT NULL,
    PRIMARY KEY (client_id, key));
CREATE TABLE IF NOT EXISTS applications (
    application_no TEXT PRIMARY KEY, client_id TEXT NOT NULL, idempotency_key TEXT NOT NULL,
    item_code TEXT NOT NULL, form TEXT NOT NULL, body TEXT NOT NULL,
    status TEXT NOT NULL, status_reason TEXT NOT NULL DEFAULT '',
    received_at REAL NOT NULL, decided_at REAL);
CREATE UNIQUE INDEX IF NOT EXISTS applications_key ON applications (client_id, idempotency_key);
CREATE TABLE IF NOT EXISTS bookings (
    booking_no TEXT PRIMARY KEY, slot_id TEXT NOT NULL, body TEXT NOT NULL,
    booked_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS businesses (
    licence_no TEXT PRIMARY KEY, body TEXT NOT NULL, registered_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer the sandbox stores and repeats for a reused idempotency key."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


class IdempotencyConflictError(Exception):
    """The key was used before with a different request."""


def request_digest(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


class GovStore:
    """The sandbox database. ``review_after_s`` < 0 leaves applications in ``received``."""

    def __init__(self, path: Path, *, review_after_s: float = 2.0) -> None:
        self.path = path
        self.review_after_s = review_after_s
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # --- tokens ------------------------------------------------------------------------

    def issue_token(self, client_id: str, ttl_s: float) -> tuple[str, float]:
        token = secrets.token_urlsafe(32)
        expires = time.time() + ttl_s
        self.db.execute("INSERT INTO tokens VALUES (?, ?, ?)", (token, client_id, expires))
        return token, expires

    def token_client(self, token: str) -> str | None:
        """The client a live token belongs to, or ``None`` (unknown or expired)."""
        row = self.db.execute(
            "SELECT client_id FROM tokens WHERE token = ? AND expires_at > ?", (token, time.time())
        ).fetchone()
        return None if row is None else str(row[0])

    def expire_tokens(self, token: str | None = None) -> int:
        if token is None:
            return self.db.execute("UPDATE tokens SET expires_at = 0").rowcount
        sql = "UPDATE tokens SET expires_at = 0 WHERE token = ?"
        return self.db.execute(sql, (token,)).rowcount

    # --- idempotent writes ---------------------------------------------------------------

    def idempotent(
        self, client_id: str, key: str, digest: str, act: Callable[[], Answer]
    ) -> Answer:
        """Run ``act`` once per (client, key): replay its answer, or raise on a changed request.

        Only successful answers (2xx) are stored: a request refused for its
        content may be corrected and sent again with the same key.
        """
        self.db.execute("BEGIN IMMEDIATE")
        try:
            row = self.db.execute(
                "SELECT request_sha256, status, answer FROM idempotency "
                "WHERE client_id = ? AND key = ?", (client_id, key)
            ).fetchone()
            if row is not None:
                self.db.execute("ROLLBACK")
                if row["request_sha256"] != digest:
                    raise IdempotencyConflictError(key)
                return Answer(int(row["status"]), json.loads(row["answer"]), replayed=True)
            answer = act()
            if 200 <= answer.status < 300:
                self.db.execute(
                    "INSERT INTO idempotency VALUES (?, ?, ?, ?, ?, ?)",
                    (client_id, key, digest, answer.status,
                     json.dumps(answer.body, ensure_ascii=False), time.time()),
                )
            self.db.execute("COMMIT")
            return answer
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def _next(self, name: str) -> int:
        self.db.execute(
            "INSERT INTO counters VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
            (name,),
        )
        return int(self.db.execute("SELECT value FROM counters WHERE name = ?", (name,))
                   .fetchone()[0])

    # --- applications --------------------------------------------------------------------

    def add_application(
        self, client_id: str, key: str, item_code: str, form: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """Inside ``idempotent``: a new application in state ``received``."""
        now = time.time()
        day = datetime.fromtimestamp(now, UTC).strftime("%Y%m%d")
        number = f"SL-{day}-{self._next('application'):06d}"
        self.db.execute(
            "INSERT INTO applications (application_no, client_id, idempotency_key, item_code,"
            " form, body, status, received_at) VALUES (?, ?, ?, ?, ?, ?, 'received', ?)",
            (number, client_id, key, item_code, form, json.dumps(body, ensure_ascii=False), now),
        )
        return self._application_row(number)

    def application(self, number: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT * FROM applications WHERE application_no = ?", (number,)
        ).fetchone()
        if row is None:
            return None
        if (row["status"] == "received" and self.review_after_s >= 0
                and time.time() - row["received_at"] >= self.review_after_s):
            self.set_status(number, "accepted", "")
        return self._application_row(number)

    def set_status(self, number: str, status: str, reason: str) -> bool:
        return self.db.execute(
            "UPDATE applications SET status = ?, status_reason = ?, decided_at = ? "
            "WHERE application_no = ?", (status, reason, time.time(), number),
        ).rowcount == 1

    def applications(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT application_no FROM applications ORDER BY rowid").fetchall()
        return [self._application_row(r[0]) for r in rows]

    def _application_row(self, number: str) -> dict[str, Any]:
        row = self.db.execute(
            "SELECT * FROM applications WHERE application_no = ?", (number,)
        ).fetchone()
        return {
            "application_no": row["application_no"],
            "item_code": row["item_code"],
            "form": row["form"],
            "status": row["status"],
            "status_reason": row["status_reason"],
            "received_at": _iso(row["received_at"]),
            "decided_at": None if row["decided_at"] is None else _iso(row["decided_at"]),
            "idempotency_key": row["idempotency_key"],
        }

    # --- bookings and instant registrations ---------------------------------------------

    def booked(self, slot_id: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM bookings WHERE slot_id = ?", (slot_id,))
                   .fetchone()[0])

    def add_booking(self, slot_id: str, body: dict[str, Any]) -> str:
        number = f"YY-{self._next('booking'):08d}"
        self.db.execute("INSERT INTO bookings VALUES (?, ?, ?, ?)",
                        (number, slot_id, json.dumps(body, ensure_ascii=False), time.time()))
        return number

    def booking(self, number: str) -> tuple[str, dict[str, Any]] | None:
        """The slot and the request body of one booking (the linked work-order data with it)."""
        row = self.db.execute("SELECT slot_id, body FROM bookings WHERE booking_no = ?",
                              (number,)).fetchone()
        return None if row is None else (str(row[0]), dict(json.loads(row[1])))

    def add_business(self, body: dict[str, Any], region: str) -> str:
        """A new individual business: a GB 32100 code with 9 (市场监管) 2 (个体工商户)."""
        serial = self._next("business")
        digits = ""
        n = serial * 7919 + 104729  # spread the numbers, stay deterministic
        for _ in range(9):
            n, r = divmod(n, 31)
            digits = USCC_ALPHABET[r] + digits
        first17 = "92" + region[:6] + digits
        licence = first17 + uscc_check_character(first17)
        self.db.execute("INSERT INTO businesses VALUES (?, ?, ?)",
                        (licence, json.dumps(body, ensure_ascii=False), time.time()))
        return licence


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
