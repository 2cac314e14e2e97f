"""The searchable work-order list: an agent's own, all for a supervisor, always masked."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hubclient import SI, SI_ITEM, Clients, agent_seat

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common.protocol import (
    Accept,
    Ack,
    Hangup,
    Offer,
    Rate,
    SearchWorkOrders,
    SetState,
    WorkOrderClosed,
    WorkOrderList,
    WrapUp,
)

SUPERVISOR = SeatSpec(agent_id="S01", name="李督导", role="supervisor")
ROOT = Path(__file__).resolve().parents[2]


async def test_agents_see_their_own_and_supervisors_all_masked(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001", SI), agent_seat("0002", SI), SUPERVISOR], ring_timeout=5)
    one = await clients.agent(hub, "0001")
    two = await clients.agent(hub, "0002")
    served: dict[str, str] = {}
    for agent, name in ((one, "王小明"), (two, "李大华")):
        await agent.ready()
        citizen = await clients.citizen(hub, name)
        queued = await citizen.join(
            SI_ITEM, name=name, id_number="441900199001011234", phone="13800138000"
        )
        offer = await agent.expect(Offer)
        await agent.send(Accept(call_id=offer.call_id))
        await agent.send(Hangup(call_id=offer.call_id))
        await agent.send(WrapUp(work_order_id=queued.work_order_id, outcome="resolved"))
        await agent.expect(WorkOrderClosed)
        await citizen.send(Rate(work_order_id=queued.work_order_id, score=9, comment="好"))
        await agent.send(SearchWorkOrders())  # also a round trip after the rating
        await agent.expect(WorkOrderList)
        served[agent.label] = queued.work_order_id
        await agent.send(SetState(state="away", reason="break"))

    await one.send(SearchWorkOrders())
    own = await one.expect(WorkOrderList)
    assert [r.work_order_id for r in own.rows] == [served["0001"]]
    row = own.rows[0]
    assert (row.agent_id, row.outcome, row.state, row.rating) == ("0001", "resolved", "closed", 9)
    assert row.item_name and row.handle_s >= 0
    assert row.citizen.name == "王**" and row.citizen.id_number.endswith("1234")
    assert "1990" not in row.citizen.id_number and row.citizen.phone == "138****8000"
    await one.send(SearchWorkOrders(agent_id="0002"))
    await one.expect_error("not_allowed")

    supervisor = await clients.connect(hub.url, "supervisor")
    await supervisor.hello("supervisor", token=hub.tokens["S01"])
    await supervisor.send(SearchWorkOrders())
    everything = await supervisor.expect(WorkOrderList)
    assert {r.work_order_id for r in everything.rows} == set(served.values())
    await supervisor.send(SearchWorkOrders(text="0002"))
    assert [r.agent_id for r in (await supervisor.expect(WorkOrderList)).rows] == ["0002"]
    await supervisor.send(SearchWorkOrders(text="失业"))  # by item name
    assert len((await supervisor.expect(WorkOrderList)).rows) == 2
    await supervisor.send(SearchWorkOrders(text="%"))  # a LIKE wildcard is just a character
    assert (await supervisor.expect(WorkOrderList)).rows == ()
    await supervisor.send(SearchWorkOrders(limit=1))
    cut = await supervisor.expect(WorkOrderList)
    assert len(cut.rows) == 1 and cut.truncated
    citizen = await clients.citizen(hub, "nosy")
    await citizen.send(SearchWorkOrders())
    await citizen.expect_error("not_allowed")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
async def test_the_statistics_report_is_made_from_the_ledger(
    start_hub: Callable[..., HubProcess], clients: Clients, tmp_path: Path
) -> None:
    hub = start_hub([agent_seat("0001", SI)], ring_timeout=5)
    agent = await clients.agent(hub, "0001")
    await agent.ready()
    citizen = await clients.citizen(hub, "王小明")
    queued = await citizen.join(SI_ITEM, name="王小明", id_number="441900199001011234")
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    await agent.send(Hangup(call_id=offer.call_id))
    await agent.send(WrapUp(work_order_id=queued.work_order_id, outcome="resolved"))
    await agent.expect(WorkOrderClosed)
    await citizen.send(Rate(work_order_id=queued.work_order_id, score=10))
    await citizen.expect(Ack)
    out = tmp_path / "day.pdf"
    day = time.strftime("%Y-%m-%d")
    done = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            str(ROOT / "scripts" / "stats_report.py"),
            "--db",
            str(hub.db_path),
            "--day",
            day,
            "--seats",
            str(hub.seats_path),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (summary["work_orders"], summary["users_served"], summary["average_rating"]) == (
        1,
        1,
        10,
    )
    pdftotext = await asyncio.to_thread(
        subprocess.run,
        ["pdftotext", "-layout", str(out), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    text = pdftotext.stdout
    assert "东莞市视频办服务统计报告" in text and "社会保障" in text and "坐席0001 0001" in text
    assert "王小明" not in text and "199001011234" not in text  # personal data stays out
