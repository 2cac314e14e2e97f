"""A real hub process on a PostgreSQL database (``seat-hub --db postgresql://…``): a call
through to a closed work order and an audit row, both in the database, the chain whole;
and the command line's checks of a database address."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import psycopg
import pytest
from hubclient import a_resolved_call, agent_seat
from psycopg.rows import dict_row

from sandbox.hub_process import HubStartError
from seat_common.protocol import (
    Ack,
    Rate,
)
from seat_hub.cli import parse_args
from seat_hub.storage.audit_chain import AuditRow, verify


def _rows(url: str, sql: str, params: tuple[object, ...] = ()) -> list[dict[str, object]]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(sql.encode(), params).fetchall()


async def test_a_call_through_a_hub_on_postgresql_is_a_closed_work_order_and_audited(
    start_hub, clients, postgres_url: str, tmp_path: Path
) -> None:
    hub = start_hub([agent_seat("a1")], ring_timeout=5, extra_args=[
        "--db", postgres_url, "--materials", str(tmp_path / "shared-materials"),
        "--citizen-key-file", str(tmp_path / "citizen-key.secret")])
    call = await a_resolved_call(hub, clients)
    citizen, wo = call.citizen, call.work_order_id
    await citizen.send(Rate(work_order_id=wo, score=10, comment="很满意"))
    assert await citizen.expect(Ack) == Ack(of="rate", work_order_id=wo)

    [row] = await asyncio.to_thread(_rows, postgres_url,
                                    "SELECT * FROM work_orders WHERE id = %s", (wo,))
    assert (row["state"], row["outcome"], row["agent_id"], row["rating"]) == (
        "closed", "resolved", "a1", 10)
    assert row["citizen_id_number"] == "441900199001011234" and row["citizen_key"]
    chat = await asyncio.to_thread(_rows, postgres_url, "SELECT text FROM chat_messages")
    assert [c["text"] for c in chat] == ["我想查失业保险"]
    assert (tmp_path / "citizen-key.secret").exists()  # made where it was named

    # SIGHUP: the seats are read again, and the reload is an audit row in the database.
    assert hub._proc is not None
    hub._proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 60
    while not hub.events("seats_reloaded"):
        assert time.monotonic() < deadline, hub.log_text()
        await asyncio.sleep(0.05)
    audit = await asyncio.to_thread(_rows, postgres_url, "SELECT * FROM audit_log ORDER BY seq")
    assert audit and {r["action"] for r in audit} == {"seats_reload"}
    assert verify(AuditRow(**r) for r in audit).intact  # type: ignore[arg-type]
    assert await asyncio.to_thread(hub.stop) == 0
    [listening] = hub.events("listening")
    assert listening["db"].startswith("postgresql://postgres@127.0.0.1:")


async def test_a_second_hub_on_the_same_database_is_refused_while_the_first_runs(
    start_hub, postgres_url: str, tmp_path: Path
) -> None:
    """Until hubs share their live state, a hub's queue and calls are its own: a second hub
    would close the first one's work orders as stale when it starts."""
    shared = ["--db", postgres_url, "--materials", str(tmp_path / "m"),
              "--citizen-key-file", str(tmp_path / "key.secret")]
    first = start_hub([agent_seat("a1")], extra_args=shared)
    with pytest.raises(HubStartError, match="another hub is using postgresql://postgres@"):
        start_hub([agent_seat("a1")], extra_args=shared)
    assert await asyncio.to_thread(first.stop) == 0
    second = start_hub([agent_seat("a1")], extra_args=shared)  # the first let go of it
    assert await asyncio.to_thread(second.stop) == 0


def test_a_postgresql_hub_needs_a_shared_material_folder_and_key(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_args(["--seats", "s.json", "--db", "postgresql://seat@db.example/seat"])
    assert stopped.value.code == 2
    assert "--materials" in capsys.readouterr().err


@pytest.mark.parametrize(("address", "said"), [
    ("mysql://seat@db/seat", "unsupported database scheme 'mysql'"),
    ("postgresql:seat", "want postgresql://user@host/dbname"),
    ("sqlite:", "sqlite: wants a file path"),
])
def test_a_database_address_of_another_kind_is_refused_with_what_is_accepted(
    address: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_args(["--seats", "s.json", "--db", address])
    assert stopped.value.code == 2
    assert said in capsys.readouterr().err


def test_a_plain_path_and_sqlite_path_are_the_embedded_store() -> None:
    for given in ("var/hub.sqlite3", "sqlite:var/hub.sqlite3"):
        args = parse_args(["--seats", "s.json", "--db", given])
        assert (args.db.kind, args.db.path) == ("sqlite", Path("var/hub.sqlite3"))


def test_the_config_file_names_a_postgresql_database(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text('seats = "/var/lib/seat/seats.json"\n'
                      'db = "postgresql://seat@db1,db2/seat?target_session_attrs=read-write"\n'
                      'materials = "/srv/seat/materials"\n'
                      'citizen_key_file = "/etc/seat/citizen-key.secret"\n', encoding="utf-8")
    args = parse_args(["--config", str(config)])
    assert (args.db.kind, args.db.url) == (
        "postgresql", "postgresql://seat@db1,db2/seat?target_session_attrs=read-write")
