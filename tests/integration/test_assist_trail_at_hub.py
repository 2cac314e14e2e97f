"""The remote-assist trail reaches the hub's audit log, against a real hub process.

Entries recorded while the workstation is offline are queued and sent once it logs in;
the hub writes each entry once, whoever sends it again (an answer lost with the link),
under the agent it logged in, with the ID number masked; a workstation started again sends
only what the hub never confirmed; and editing the local file afterwards changes nothing
at the hub.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.assist.audit import AssistAudit
from seat_client.assist.trail_sender import AssistTrailSender
from seat_client.call.hub_link import HubLink, LinkState
from seat_common import protocol
from tests.integration.conftest import until

ID_NUMBER = "11010519491231002X"


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))]) as process:
        yield process


def agent_link(hub: HubProcess) -> HubLink:
    token = hub.tokens["0012"]
    return HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))


def hub_trail(hub: HubProcess) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(hub.db_path) as db:
        return db.execute("SELECT supervisor_id, action, target, detail FROM audit_log"
                          " WHERE action LIKE 'assist_%' ORDER BY seq").fetchall()


def record(audit: AssistAudit, event: protocol.AssistTrailEvent, detail: str = "") -> str:
    return audit.record(event, control_session="CS-1", call_id="C-1", work_order_id="WO-1",
                        agent_id="0012", by="agent", detail=detail).entry_id


async def test_the_trail_reaches_the_hub_once_even_offline_and_resent(
    hub: HubProcess, tmp_path: Path
) -> None:
    audit = AssistAudit(tmp_path / "audit")
    link = agent_link(hub)
    sender = AssistTrailSender(link, audit)
    await sender.start()
    # Offline: the entries wait.
    first = record(audit, "requested")
    second = record(audit, "id_card_read", f"读卡 {ID_NUMBER}")
    assert set(sender.pending) == {first, second}
    link.start()
    try:
        await until(lambda: not sender.pending, "the hub confirms both entries")
        rows = hub_trail(hub)
        assert [(r[0], r[1], r[2]) for r in rows] == [
            ("0012", "assist_requested", "WO-1"), ("0012", "assist_id_card_read", "WO-1")]
        assert ID_NUMBER not in rows[1][3] and "读卡 1101" in rows[1][3]
        assert "CS-1" in rows[0][3] and "by agent" in rows[0][3]

        # An entry whose answer was lost is sent again: the hub answers, writes nothing new.
        saved: list[str] = []
        sender.saved.connect(saved.append)
        entry = audit.records()[0]
        await link.send(protocol.AssistTrail(
            entry_id=entry.entry_id, at=entry.at, event=entry.event,
            control_session=entry.control_session, call_id=entry.call_id,
            work_order_id=entry.work_order_id, by=entry.by, detail=entry.detail))
        third = record(audit, "granted")  # sent after it, so answered after it
        await until(lambda: third in saved, "the hub answers")
        assert len(hub_trail(hub)) == 3

    finally:
        await sender.close()
        await link.stop()

    # The link is down again: an entry waits on disk; a workstation started afresh sends
    # it, and only it.
    audit = AssistAudit(tmp_path / "audit")
    fourth = record(audit, "stopped")
    # The agent deletes the first line of the local file: the hub's log keeps it.
    lines = audit.path.read_text(encoding="utf-8").splitlines(keepends=True)
    audit.path.write_text("".join(lines[1:]), encoding="utf-8")
    link = agent_link(hub)
    sender = AssistTrailSender(link, AssistAudit(tmp_path / "audit"))
    await sender.start()
    assert list(sender.pending) == [fourth]
    link.start()
    try:
        await until(lambda: link.state is LinkState.CONNECTED and not sender.pending,
                    "the entry left offline reaches the hub")
    finally:
        await sender.close()
        await link.stop()
    assert [r[1] for r in hub_trail(hub)] == [
        "assist_requested", "assist_id_card_read", "assist_granted", "assist_stopped"]


def test_a_malformed_entry_is_refused_at_the_border() -> None:
    good = protocol.AssistTrail(entry_id="a" * 32, at=1.0, event="granted",
                                control_session="", call_id="", work_order_id="")
    raw = json.loads(protocol.encode(good))
    assert protocol.decode(json.dumps(raw)) == good
    for field, bad in (("entry_id", "x"), ("event", "deleted"), ("at", -1)):
        with pytest.raises(protocol.ProtocolError) as refused:
            protocol.decode(json.dumps({**raw, field: bad}))
        assert refused.value.field == field
