"""``seat-hub audit``: check the audit log's hash chain and take signed day files off the host.

    seat-hub audit verify --db var/hub.sqlite3                # or --db postgresql://…
    seat-hub audit keygen --out /secure/seat-audit          # .key (0600) and .pub
    seat-hub audit export --db var/hub.sqlite3 --day 2026-12-07 \\
        --signing-key /secure/seat-audit.key --out /mnt/archive
    seat-hub audit check-export /mnt/archive/audit-2026-12-07.jsonl \\
        --public-key seat-audit.pub

``verify`` walks the whole chain (``storage/audit_chain.py``) on a read-only connection
(beside a running hub) and names the first row that breaks it; exit 1 then. ``export``
writes one day's rows (the hub's local date) as JSON lines after a header that gives
the hash the day follows, and an Ed25519 signature of the file beside it (``.sig``,
base64); it refuses to sign a log whose chain is broken. ``check-export`` checks a day
file on its own: the signature against the public key, then the chain inside it. Kept
off the host, the signed files show what the log said each day even if someone later
rewrites the whole database, hashes included.

Exit codes: 0 done and whole, 1 a broken chain or a bad signature, 2 bad usage or a file
that cannot be read.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from seat_common.version import add_version_flag
from seat_hub.storage.audit_chain import GENESIS, AuditRow, verify
from seat_hub.storage.interface import LedgerError
from seat_hub.storage.sqlite.audit import audit_rows
from seat_hub.storage.stores import StoreAddress, address_argument, open_store

#: The first line of a day file says what it is.
DAY_FILE_KIND = "seat-audit-day"


class AuditCliError(Exception):
    """Something the command cannot do, said plainly (exit 2)."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="seat-hub audit", description=__doc__.split("\n")[0])
    add_version_flag(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="check the hash chain of the audit log")
    check.add_argument("--db", type=address_argument, required=True,
                       help="the hub's records: an SQLite file (PATH, sqlite:PATH) or postgresql://…")
    keygen = commands.add_parser("keygen", help="make an Ed25519 key pair for signing exports")
    keygen.add_argument("--out", type=Path, required=True,
                        help="path prefix: writes PREFIX.key (mode 0600) and PREFIX.pub")
    export = commands.add_parser("export", help="write one day's rows, signed")
    export.add_argument("--db", type=address_argument, required=True)
    export.add_argument("--day", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    export.add_argument("--signing-key", type=Path, required=True, help="PEM Ed25519 key")
    export.add_argument("--out", type=Path, required=True, help="folder for the day file")
    checked = commands.add_parser("check-export", help="check a day file and its signature")
    checked.add_argument("file", type=Path)
    checked.add_argument("--public-key", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        match args.command:
            case "verify":
                return _verify(args.db)
            case "keygen":
                return _keygen(args.out)
            case "export":
                return _export(args.db, args.day, args.signing_key, args.out)
            case _:
                return _check_export(args.file, args.public_key)
    except AuditCliError as exc:
        print(f"seat-hub audit: {exc}", file=sys.stderr)
        return 2


def _verify(db_path: StoreAddress) -> int:
    check = verify(_chain(db_path))
    if not check.intact:
        print(f"audit log {db_path}: BROKEN at row {check.broken_seq}: {check.reason}"
              f" ({check.rows} rows before it are whole)")
        return 1
    print(f"audit log {db_path}: {check.rows} rows, chain whole"
          f" (last row {check.last_seq}, hash {check.last_hash[:16]}…)")
    return 0


def _keygen(prefix: Path) -> int:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    key_path = prefix.with_name(prefix.name + ".key")
    pub_path = prefix.with_name(prefix.name + ".pub")
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise AuditCliError(f"cannot create {key_path}: {exc.strerror}") from exc
    with os.fdopen(fd, "wb") as out:
        out.write(private)
    pub_path.write_bytes(public)
    print(f"signing key {key_path} (keep it secret), public key {pub_path}")
    return 0


def _export(db_path: StoreAddress, day: date, key_path: Path, out_dir: Path) -> int:
    key = _load_private(key_path)
    rows = _chain(db_path)
    check = verify(rows)
    if not check.intact:
        print(f"audit log {db_path}: BROKEN at row {check.broken_seq}: {check.reason};"
              " not signed")
        return 1
    previous, day_rows = GENESIS, []
    for row in rows:
        on = datetime.fromtimestamp(row.at).date()
        if on < day:
            previous = row.hash
        elif on == day:
            day_rows.append(row)
    header = {"kind": DAY_FILE_KIND, "day": day.isoformat(), "rows": len(day_rows),
              "first_seq": day_rows[0].seq if day_rows else None, "previous_hash": previous,
              "exported_at": datetime.now().astimezone().isoformat(timespec="seconds")}
    lines = [json.dumps(header, ensure_ascii=False)]
    lines += [json.dumps(_as_dict(row), ensure_ascii=False) for row in day_rows]
    body = ("\n".join(lines) + "\n").encode()
    out_dir.mkdir(parents=True, exist_ok=True)
    day_file = out_dir / f"audit-{day.isoformat()}.jsonl"
    day_file.write_bytes(body)
    day_file.with_name(day_file.name + ".sig").write_text(
        base64.b64encode(key.sign(body)).decode() + "\n")
    print(f"{day_file}: {len(day_rows)} rows of {day.isoformat()}, signed")
    return 0


def _check_export(day_file: Path, pub_path: Path) -> int:
    try:
        body = day_file.read_bytes()
        signature = base64.b64decode(day_file.with_name(day_file.name + ".sig").read_text().strip(),
                                     validate=True)
    except (OSError, ValueError) as exc:
        raise AuditCliError(f"cannot read {day_file} and its .sig: {exc}") from exc
    public = _load_public(pub_path)
    try:
        public.verify(signature, body)
    except InvalidSignature:
        print(f"{day_file}: the signature does not match (changed, or another key)")
        return 1
    try:
        header, *records = [json.loads(line) for line in body.decode().splitlines()]
        if header.get("kind") != DAY_FILE_KIND or len(records) != header["rows"]:
            raise ValueError("not a day file, or its row count is wrong")
        rows = [AuditRow(**record) for record in records]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        print(f"{day_file}: signed, but not a readable day file: {exc}")
        return 1
    check = verify(rows, previous=header["previous_hash"], first_seq=header["first_seq"] or 1)
    if not check.intact:
        print(f"{day_file}: BROKEN at row {check.broken_seq}: {check.reason}")
        return 1
    print(f"{day_file}: signature good, {check.rows} rows of {header['day']}, chain whole")
    return 0


def _as_dict(row: AuditRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in AuditRow.__dataclass_fields__}


def _chain(address: StoreAddress) -> list[AuditRow]:
    """Every row of the audit log, in order: read from the SQLite file itself (a changed
    byte must show), or through the PostgreSQL store opened read-only."""
    if address.path is not None:
        with contextlib.closing(_read_only(address.path)) as db:
            return _rows(db)
    try:
        return asyncio.run(_server_chain(address))
    except LedgerError as exc:
        raise AuditCliError(str(exc)) from exc


async def _server_chain(address: StoreAddress) -> list[AuditRow]:
    store = await open_store(address, read_only=True)
    try:
        return await store.audit.chain()
    finally:
        await store.close()


def _rows(db: sqlite3.Connection) -> list[AuditRow]:
    try:
        return list(audit_rows(db))
    except (LookupError, sqlite3.DatabaseError) as exc:
        raise AuditCliError(str(exc)) from exc


def _read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to the hub's file (a hub may be writing it)."""
    if not path.is_file():
        raise AuditCliError(f"no such file: {path}")
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0)


def _load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise AuditCliError(f"cannot read the signing key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditCliError(f"{path} is not an Ed25519 key (make one with keygen)")
    return key


def _load_public(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise AuditCliError(f"cannot read the public key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise AuditCliError(f"{path} is not an Ed25519 public key")
    return key
