"""The tables of the embedded store, all in one SQLite file (the ledger's).

- ``work_orders``: one row per contact, from queue to rating;
- ``offers``: every offer of a contact to an agent and how it ended;
- ``chat_messages``: the chat of each call;
- ``queue_places``: the SHA-256 of a waiting citizen's resume token, so the queue is
  recovered after a hub restart and the citizen takes its place back (with whether the
  priority was checked and whether they asked for large text, 大字版);
- ``recordings``: the call's recording as the agent's workstation reported it (one per
  work order, written once: a trigger refuses an UPDATE);
- ``recording_files``: when the recording's file reached the hub's store
  (``<materials dir>/recordings/<sha[:2]>/<sha>.mp4``) and when retention removed it
  (the only change a row takes, once);
- ``materials``: one row per stored material (the file itself lives in the
  content-addressed store, ``<materials dir>/<sha[:2]>/<sha>``);
- ``verdicts``: every pre-review verdict an agent sent, in order (the history);
- ``bookings``: the counter appointments agents booked for their callers (代预约) and the
  hall each is in, so that hall's clerks may see the work order's photos;
- ``audit_log``: every supervisor action. It is append-only: triggers refuse every
  UPDATE and DELETE, so not even a bug in the hub can rewrite history; and each row
  carries the hash of the one before (``hash``, ``storage/audit_chain.py``), so a
  change made to the file behind the hub's back shows (``seat-hub audit verify``);
- ``audit_keys``: the sender's key of an audit row sent from outside (a workstation's
  remote-assist trail entry), so the same entry sent again is written once.

Every statement is ``IF NOT EXISTS``: opening an existing file changes nothing, except
that the columns of ``ADDED_COLUMNS`` are added to a file made before them and
``upgrade`` chains an audit log written before the chain existed.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from seat_hub.storage.audit_chain import AuditRow, chained

WORK_ORDERS: Final = """
CREATE TABLE IF NOT EXISTS work_orders (
    id                TEXT PRIMARY KEY,
    item_code         TEXT NOT NULL,
    channel           TEXT NOT NULL,
    priority          TEXT NOT NULL,
    media             TEXT NOT NULL,
    citizen_name      TEXT NOT NULL DEFAULT '',
    citizen_id_number TEXT NOT NULL DEFAULT '',
    citizen_phone     TEXT NOT NULL DEFAULT '',
    hall              TEXT NOT NULL DEFAULT '',
    agent_id          TEXT,
    queued_at         REAL NOT NULL,
    offered_at        REAL,
    answered_at       REAL,
    ended_at          REAL,
    closed_at         REAL,
    ended_by          TEXT,
    outcome           TEXT,
    notes             TEXT NOT NULL DEFAULT '',
    rating            INTEGER CHECK (rating BETWEEN 1 AND 10),
    rating_comment    TEXT NOT NULL DEFAULT '',
    rated_at          REAL,
    state             TEXT NOT NULL CHECK (state IN
        ('queued', 'offered', 'in_call', 'ended', 'closed', 'abandoned')),
    citizen_key       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS work_orders_state ON work_orders (state);
CREATE INDEX IF NOT EXISTS work_orders_item ON work_orders (item_code, state);
-- Periods (today's figures, reports) and the newest-first search read by queue time.
CREATE INDEX IF NOT EXISTS work_orders_queued ON work_orders (queued_at);
CREATE TABLE IF NOT EXISTS offers (
    call_id       TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    agent_id      TEXT NOT NULL,
    offered_at    REAL NOT NULL,
    result        TEXT NOT NULL DEFAULT 'ringing',
    result_at     REAL
);
CREATE INDEX IF NOT EXISTS offers_work_order ON offers (work_order_id);
-- Each agent's stretch of a call (a leg), written when it ends: 'ended' for the last,
-- 'transferred' (with whom it went to, and the note) for one handed on. Insert-only.
CREATE TABLE IF NOT EXISTS call_legs (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    work_order_id TEXT NOT NULL,
    call_id       TEXT NOT NULL,
    agent_id      TEXT NOT NULL,
    from_at       REAL NOT NULL,
    to_at         REAL NOT NULL,
    how           TEXT NOT NULL CHECK (how IN ('ended', 'transferred')),
    handed_to     TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS call_legs_work_order ON call_legs (work_order_id);
CREATE TRIGGER IF NOT EXISTS call_legs_no_update BEFORE UPDATE ON call_legs
    BEGIN SELECT RAISE(ABORT, 'call legs are insert-only'); END;
CREATE TRIGGER IF NOT EXISTS call_legs_no_delete BEFORE DELETE ON call_legs
    BEGIN SELECT RAISE(ABORT, 'call legs are insert-only'); END;
CREATE TABLE IF NOT EXISTS chat_messages (
    id            INTEGER PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    sender_role   TEXT NOT NULL,
    sender_name   TEXT NOT NULL,
    text          TEXT NOT NULL,
    sent_at       REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS chat_messages_work_order ON chat_messages (work_order_id);
CREATE TABLE IF NOT EXISTS queue_places (
    work_order_id  TEXT PRIMARY KEY REFERENCES work_orders (id),
    resume_sha256  TEXT NOT NULL,
    priority_check TEXT NOT NULL DEFAULT 'claimed',
    large_text     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS recordings (
    work_order_id TEXT PRIMARY KEY REFERENCES work_orders (id),
    call_id       TEXT NOT NULL,
    agent_id      TEXT NOT NULL,
    duration_s    REAL NOT NULL,
    byte_size     INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    video_frames  INTEGER NOT NULL,
    saved_at      REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS recording_files (
    work_order_id TEXT PRIMARY KEY REFERENCES recordings (work_order_id),
    stored_at     REAL NOT NULL,
    purged_at     REAL
);
CREATE TRIGGER IF NOT EXISTS recordings_insert_once BEFORE UPDATE ON recordings
BEGIN SELECT RAISE(ABORT, 'recordings are written once'); END;
CREATE TRIGGER IF NOT EXISTS recording_files_purge_only BEFORE UPDATE ON recording_files
WHEN OLD.purged_at IS NOT NULL OR NEW.stored_at IS NOT OLD.stored_at
  OR NEW.work_order_id IS NOT OLD.work_order_id
BEGIN SELECT RAISE(ABORT, 'a stored recording changes only once: when it is purged'); END;
"""

MATERIALS: Final = """
CREATE TABLE IF NOT EXISTS materials (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    sha256        TEXT NOT NULL,
    mime          TEXT NOT NULL,
    byte_size     INTEGER NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    orientation   INTEGER NOT NULL,
    filename      TEXT NOT NULL,
    source        TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    added_at      REAL NOT NULL,
    material_code TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS materials_work_order ON materials (work_order_id);
CREATE TABLE IF NOT EXISTS verdicts (
    id            INTEGER PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    revision      INTEGER NOT NULL,
    agent_id      TEXT NOT NULL,
    item_code     TEXT NOT NULL,
    entries_json  TEXT NOT NULL,
    decided_at    REAL NOT NULL,
    UNIQUE (work_order_id, revision)
);
CREATE TABLE IF NOT EXISTS bookings (
    booking_no    TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    hall          TEXT NOT NULL,
    hall_name     TEXT NOT NULL DEFAULT '',
    agent_id      TEXT NOT NULL,
    booked_at     REAL NOT NULL
);
"""

#: The triggers that make ``audit_log`` append-only (one statement each).
AUDIT_TRIGGERS: Final = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
)

AUDIT_LOG: Final = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    at            REAL NOT NULL,
    supervisor_id TEXT NOT NULL,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    result        TEXT NOT NULL,
    hash          TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS audit_keys (
    key TEXT PRIMARY KEY,
    seq INTEGER NOT NULL REFERENCES audit_log (seq)
);
""" + "\n".join(AUDIT_TRIGGERS) + "\n"

SCHEMA: Final = WORK_ORDERS + MATERIALS + AUDIT_LOG

#: Columns added since the first release: (table, column, definition). A file made
#: before a column gets it when the hub opens it (its old rows take the default).
ADDED_COLUMNS: Final = (
    ("work_orders", "citizen_key", "TEXT NOT NULL DEFAULT ''"),
    # Retention: when a material's file was given up (the row stays: verdicts name it).
    ("materials", "purged_at", "REAL"),
    # The citizen's large-text page (大字版), kept across a restart with the place (0/1).
    ("queue_places", "large_text", "INTEGER NOT NULL DEFAULT 0"),
)


#: A trigram index of the text the work-order search finds inside (ids, item codes,
#: outcomes, agent ids), so a search that matches little reads little instead of every
#: row. It indexes ``work_orders`` by rowid (external content) and triggers keep it in
#: step; a VACUUM would renumber the rowids, so rebuild it after one
#: (``INSERT INTO work_orders_text (work_orders_text) VALUES ('rebuild')``).
WORK_ORDER_TEXT: Final = (
    "CREATE VIRTUAL TABLE work_orders_text USING fts5(id, item_code, outcome, agent_id,"
    " content='work_orders', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER work_orders_text_insert AFTER INSERT ON work_orders BEGIN"
    " INSERT INTO work_orders_text (rowid, id, item_code, outcome, agent_id)"
    " VALUES (new.rowid, new.id, new.item_code, new.outcome, new.agent_id); END",
    "CREATE TRIGGER work_orders_text_update AFTER UPDATE OF id, item_code, outcome, agent_id"
    " ON work_orders BEGIN"
    " INSERT INTO work_orders_text (work_orders_text, rowid, id, item_code, outcome, agent_id)"
    " VALUES ('delete', old.rowid, old.id, old.item_code, old.outcome, old.agent_id);"
    " INSERT INTO work_orders_text (rowid, id, item_code, outcome, agent_id)"
    " VALUES (new.rowid, new.id, new.item_code, new.outcome, new.agent_id); END",
    "CREATE TRIGGER work_orders_text_delete AFTER DELETE ON work_orders BEGIN"
    " INSERT INTO work_orders_text (work_orders_text, rowid, id, item_code, outcome, agent_id)"
    " VALUES ('delete', old.rowid, old.id, old.item_code, old.outcome, old.agent_id); END",
    "INSERT INTO work_orders_text (work_orders_text) VALUES ('rebuild')",
)


def upgrade(db: sqlite3.Connection) -> None:
    """Bring a file written by an older hub up to this schema: the work-order search's
    text index made (and filled from the rows already there); an ``audit_log`` without
    ``hash`` given the column and its rows chained, in ``seq`` order (the append-only
    triggers are lifted for that and put back). Each in one transaction."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'work_orders_text'").fetchone() is None:
        db.execute("BEGIN IMMEDIATE")
        with db:
            for statement in WORK_ORDER_TEXT:
                db.execute(statement)
    columns = {row[1] for row in db.execute("PRAGMA table_info(audit_log)")}
    if "hash" in columns:
        return
    db.execute("BEGIN IMMEDIATE")  # DDL too: sqlite3 opens no transaction for it by itself
    with db:  # committed at the end, rolled back on any error
        db.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        db.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        db.execute("ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT ''")
        rows = [AuditRow(int(r[0]), float(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]),
                         str(r[6]))
                for r in db.execute("SELECT seq, at, supervisor_id, action, target, detail,"
                                    " result FROM audit_log ORDER BY seq")]
        db.executemany("UPDATE audit_log SET hash = ? WHERE seq = ?",
                       [(row.hash, row.seq) for row in chained(rows)])
        for trigger in AUDIT_TRIGGERS:
            db.execute(trigger)
