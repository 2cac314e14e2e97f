"""The statistics report made by the hub for the seat wall, through the wall's own core.

A real hub process holds a day with a walk-in and a caller who gave up; the
supervisor's ``ReportRequests`` (over a real ``HubLink``) asks for the year and gets
progress at every stage and the PDF, checked by SHA-256, whose text counts the walk-in
as a walk-in (not a call). The request is in the audit log; an agent may not ask, and a
period that is no period is refused with the field named.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hubclient import SI, SI_ITEM, Clients, agent_seat, wait_for_rows

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.supervision.report_request import ReportError, ReportRequests, ReportStatus
from seat_common.protocol import (
    CitizenInfo,
    Hello,
    LeaveQueue,
    MakeReport,
    WalkInClose,
    WalkInOpen,
    WalkInOpened,
    WorkOrderClosed,
)

SUPERVISOR = SeatSpec(agent_id="S01", name="李督导", role="supervisor", hall="东莞市民服务中心")


async def until(check: Callable[[], object], within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
async def test_a_supervisor_gets_the_year_report_with_progress_and_it_is_audited(
    start_hub: Callable[..., HubProcess], clients: Clients, tmp_path: Path
) -> None:
    hub = start_hub([agent_seat("0001", SI, mode="counter"), SUPERVISOR])
    clerk = await clients.agent(hub, "0001")
    await clerk.send(WalkInOpen(item_code=SI_ITEM, citizen=CitizenInfo(
        name="吴小梅", id_number="11010519491231002X")))
    opened = await clerk.expect(WalkInOpened)
    await clerk.send(WalkInClose(work_order_id=opened.work_order_id, outcome="accepted"))
    await clerk.expect(WorkOrderClosed)
    caller = await clients.citizen(hub, "caller")
    await caller.join(SI_ITEM)
    await caller.send(LeaveQueue())
    # An agent may not ask for the report.
    await clerk.send(MakeReport(report_id=1, period="year", start="2026"))
    assert (await clerk.expect_error("not_allowed")).of == "make_report"

    link = HubLink(hub.url, lambda: Hello(role="supervisor", token=hub.tokens["S01"]))
    reports = ReportRequests(link, idle_timeout_s=60)
    seen: list[ReportStatus] = []
    reports.progress.connect(seen.append)
    link.start()
    try:
        await until(lambda: link.state is LinkState.CONNECTED)
        with pytest.raises(ReportError) as backwards:
            await reports.make("custom", "2026-03-02", "2026-03-01")
        assert backwards.value.code == "bad_message" and "报表周期有误" in backwards.value.message
        year = str(time.localtime().tm_year)
        report = await reports.make("year", year, by=("channel", "hall"))
    finally:
        await link.stop()
    assert report.data.startswith(b"%PDF") and report.work_orders == 2
    assert report.filename == f"统计报表-{year}年.pdf"
    stages = [s.stage for s in seen]
    assert stages[:3] == ["reading", "counting", "writing"] and stages[-1] == "done"
    assert "receiving" in stages
    fractions = [s.fraction for s in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    pdf = tmp_path / "year.pdf"
    pdf.write_bytes(report.data)
    shown = await asyncio.to_thread(subprocess.run, ["pdftotext", "-layout", str(pdf), "-"],
                                    capture_output=True, text=True, check=True)
    text = " ".join(shown.stdout.split())
    for expected in ("工单数 2", "窗口接待 1", "服务用户数 1", "接通 0", "窗口现场",
                     "不计入呼入量"):
        assert expected in text, expected
    rows = await wait_for_rows(
        hub.db_path, "SELECT supervisor_id, action, target, result FROM audit_log"
        " WHERE action = 'make_report' ORDER BY seq", (), lambda rows: len(rows) == 2, 15)
    assert [(r["supervisor_id"], r["target"], r["result"]) for r in rows] == [
        ("S01", f"{year}年", "requested"), ("S01", f"{year}年", "ok")]
