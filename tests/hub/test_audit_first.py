"""The audit log is written first: a supervisor's action whose row cannot be written is
refused and not done, and staff reading citizens' work orders leave a row before the
data leaves the hub, personal data in it masked."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from hubclient import SI_ITEM, Clients, agent_seat, db_rows

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common.protocol import (
    Ack,
    Presence,
    SearchWorkOrders,
    SuperviseState,
    Whisper,
    WhisperMessage,
    WorkOrderList,
)

SUPERVISOR = SeatSpec(agent_id="S01", name="李督导", role="supervisor", hall="东莞市民服务中心")


async def test_an_action_the_audit_log_cannot_take_is_refused_and_not_done(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001"), SUPERVISOR])
    supervisor = await clients.connect(hub.url, "supervisor")
    assert (await supervisor.hello("supervisor", token=hub.tokens["S01"])).role == "supervisor"
    agent = await clients.agent(hub, "0001")
    await supervisor.send(Whisper(agent_id="0001", text="请注意语速"))
    await supervisor.expect(Ack, lambda a: a.of == "whisper")
    await agent.expect(WhisperMessage)
    # Someone with the file removes the audit table (the triggers stop changes, not this).
    db = sqlite3.connect(hub.db_path, timeout=10)
    db.execute("DROP TABLE audit_log")
    db.close()
    await supervisor.send(SuperviseState(agent_id="0001", state="ready"))
    error = await supervisor.expect_error("internal")
    assert "audit log cannot be written" in error.message
    await supervisor.send(Whisper(agent_id="0001", text="再说一次"))
    await supervisor.expect_error("internal")
    leftovers = await agent.sync()
    assert not any(isinstance(m, (WhisperMessage, Presence)) for m in leftovers), leftovers
    assert await hub.wait_for_event("audit_unwritable")


async def test_an_agents_search_is_audited_before_it_is_answered_and_masked(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001")])
    citizen = await clients.citizen(hub, "吴小梅")
    await citizen.join(SI_ITEM)
    agent = await clients.agent(hub, "0001")
    await agent.send(SearchWorkOrders(text="11010519491231002X"))
    await agent.expect(WorkOrderList)
    rows = db_rows(hub.db_path, "SELECT supervisor_id, action, target, detail, result"
                   " FROM audit_log")
    assert [(r["supervisor_id"], r["action"], r["target"], r["result"]) for r in rows] == [
        ("0001", "search_work_orders", "0001", "read")]
    assert "11010519491231002X" not in rows[0]["detail"], "the ID number is masked"
    # A citizen reading nothing but their own call leaves no staff read.
    assert not db_rows(hub.db_path, "SELECT 1 FROM audit_log WHERE supervisor_id = ''")
