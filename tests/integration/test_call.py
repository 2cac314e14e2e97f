"""A whole call: real hub process, simulated citizen (real aiortc peer), workstation offscreen.

The agent goes ready, the offer rings, the agent accepts with the banner's
button, the citizen's video paints in the video view, chat goes both ways,
the agent hangs up and wraps up, the citizen rates, and the hub's SQLite
ledger holds the closed work order with its outcome and rating.
"""

from __future__ import annotations

import asyncio
import sqlite3

from sandbox.citizen import CitizenScript, SimulatedCitizen
from tests.integration.conftest import Seat, until


async def test_a_whole_call_end_to_end(seat: Seat) -> None:
    window, ws = seat.window, seat.workstation
    citizen = SimulatedCitizen(
        seat.hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
        id_number="441900195501011234", phone="13800138000", priority="elderly",
        script=CitizenScript(chat_lines=("您好，我想查失业保险明细",), reply_to_chat=True,
                             rating_score=10, rating_comment="很方便", await_outcome_s=10),
    )
    run = asyncio.get_running_loop().create_task(citizen.run())

    window.status_strip.state_chosen.emit("ready", "")
    await until(lambda: window.offer_banner.isVisible(), "the offer rings")
    assert "失业保险个人明细查询" in window.offer_banner.title.text()
    assert "老年人" in window.offer_banner.title.text()  # the priority badge
    assert "441900195501011234" not in window.offer_banner.details.text()
    assert window.ringer.ringing

    window.offer_banner.accept_button.click()
    await until(lambda: ws.call is not None, "the call starts")
    assert not window.offer_banner.isVisible() and not window.ringer.ringing
    await until(lambda: window.video_pane.view.painted_count >= 15, "citizen video painted")

    window.chat_pane.input.setText("您好，请出示身份证")
    window.chat_pane.send_button.click()
    await until(lambda: window.chat_pane.sent_count >= 1, "our line comes back from the hub")
    await until(lambda: window.chat_pane.received_count >= 2, "the citizen's lines arrive")
    transcript = window.chat_pane.transcript.toPlainText()
    assert "您好，我想查失业保险明细" in transcript

    window.video_pane.hang_up_button.click()
    await until(lambda: window.work_order_pane.wrap_up_box.isVisible(), "wrap-up opens")
    assert not window.video_pane.hang_up_button.isEnabled()
    pane = window.work_order_pane
    pane.outcome.setCurrentIndex(pane.outcome.findData("guided"))
    pane.notes.setPlainText("指导查询")
    pane.submit.click()
    await until(lambda: len(ws.history) == 1, "the work order closes")
    assert "已办结" in window.status_strip.message.text(), "the status strip says so"
    assert not pane.wrap_up_box.isVisible()
    assert pane.history.count() == 1
    assert pane.name.text() == "—", "the closed citizen's facts leave the pane"

    report = await asyncio.wait_for(run, 20)
    assert report.errors == [], report.errors
    assert report.frames_received > 10, "the agent's video reached the citizen"
    assert "您好，请出示身份证" in report.chats_received
    assert report.ended_by == "agent"
    assert report.rated

    with sqlite3.connect(seat.hub.db_path) as db:
        row = db.execute(
            "SELECT agent_id, outcome, notes, rating, answered_at IS NOT NULL, "
            "ended_by, closed_at IS NOT NULL FROM work_orders WHERE id = ?",
            (ws.history[0].work_order_id,),
        ).fetchone()
    assert row == ("0012", "guided", "指导查询", 10, 1, "agent", 1)
