"""Drives one call through the real window, as an agent would, for the unattended demo.

Goes ready, accepts the first offer with the banner's button, waits for
the citizen's video to paint, chats both ways through the chat pane, saves
a screenshot mid-call, pre-reviews the citizen's photos and sends the
verdict, fills and submits the item's application form and waits for the
receipt, hangs up, wraps up with an outcome and waits for the hub to close
the work order. Before going ready it shows counter mode's layout for a screenshot
(best effort). Prints one JSON summary line; exit code 0 only if every step of the call
happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path

from seat_client.acceptance.desk import ApplicationDesk
from seat_client.call.hub_link import LinkState
from seat_common.forms import FormField
from ui.workstation.main_window import MainWindow


class AutopilotError(RuntimeError):
    """A step did not happen in time."""


class Autopilot:
    """One scripted call on ``window``; screenshots go to ``out_dir``."""

    def __init__(self, window: MainWindow, out_dir: Path, step_timeout_s: float = 30.0) -> None:
        self.window = window
        self.out_dir = out_dir
        self.timeout = step_timeout_s
        self.summary: dict[str, object] = {"call_accepted": False}

    async def run(self) -> int:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        try:
            await self._one_call()
            self.summary["ok"] = True
            code = 0
        except AutopilotError as exc:
            self.summary["ok"] = False
            self.summary["failed_step"] = str(exc)
            self._screenshot("failure.png")
            code = 1
        print(json.dumps(self.summary, ensure_ascii=False), flush=True)
        return code

    async def _one_call(self) -> None:
        w = self.window
        ws = w.workstation
        await self._until(lambda: ws.link.state is LinkState.CONNECTED, "connect to the hub")
        self._screenshot("01-idle.png")
        await self._counter_mode()
        w.status_strip.state_chosen.emit("ready", "")
        await self._until(lambda: ws.presence.state in ("ready", "ringing"), "go ready")
        await self._until(lambda: w.offer_banner.isVisible(), "an offer rings")
        self._screenshot("02-ringing.png")
        offered_at = time.monotonic()
        w.offer_banner.accept_button.click()
        await self._until(lambda: ws.call is not None, "the call starts")
        self.summary["call_accepted"] = True
        await self._until(lambda: w.video_pane.view.painted_count >= 1, "first remote frame")
        self.summary["accept_to_first_frame_ms"] = round((time.monotonic() - offered_at) * 1000)
        w.chat_pane.input.setText("您好，我是视频办坐席，请问需要办理什么业务？")
        w.chat_pane.send_button.click()
        await self._until(lambda: w.chat_pane.sent_count >= 1, "our chat line echoes")
        await self._until(lambda: w.chat_pane.received_count >= 1, "a chat line from the citizen")
        await self._until(lambda: w.video_pane.view.painted_count >= 60, "two seconds of video")
        self.summary["screenshot"] = str(self._screenshot("03-in-call.png"))
        await self._pre_review()
        await self._application()
        if self.window.plugins is not None:
            self.window.work_tabs.setCurrentWidget(self.window.plugins.panel)
            await asyncio.sleep(0.3)
            self._screenshot("03e-task-plugin.png")
        w.video_pane.hang_up_button.click()
        await self._until(lambda: w.work_order_pane.wrap_up_box.isVisible(), "wrap-up opens")
        self.summary["remote_frames_painted"] = w.video_pane.view.painted_count
        self.summary["chat_sent"] = w.chat_pane.sent_count
        self.summary["chat_received"] = w.chat_pane.received_count
        pane = w.work_order_pane
        pane.outcome.setCurrentIndex(pane.outcome.findData("resolved"))
        pane.notes.setPlainText("已解答失业保险明细查询方法（演示）")
        self._screenshot("04-wrap-up.png")
        work_order_id = ws.wrap_up.work_order_id if ws.wrap_up else ""
        pane.submit.click()
        await self._until(lambda: any(h.work_order_id == work_order_id for h in ws.history),
                          "the hub closes the work order")
        closed = next(h for h in ws.history if h.work_order_id == work_order_id)
        self.summary["work_order"] = closed.work_order_id
        self.summary["outcome"] = closed.outcome
        self._screenshot("05-closed.png")

    async def _counter_mode(self) -> None:
        """Counter mode's layout, for the screenshots, while the seat is still away (no offer
        ringing, which would hold the mode); best effort, then back to video. Never fails
        the demo: the call is what it checks."""
        w = self.window
        if w.counter is None:
            return
        ws, timeout = w.workstation, self.timeout
        self.timeout = 5.0
        try:
            w.status_strip.mode_chosen.emit("counter")
            await self._until(lambda: w.mode_layout.shown == "counter", "counter layout")
            await asyncio.sleep(0.3)
            self._screenshot("05b-counter-mode.png")
            self.summary["counter_mode"] = True
        except AutopilotError as exc:
            self.summary["counter_mode"] = f"not shown: {exc}"
        finally:
            w.status_strip.mode_chosen.emit("video")
            with contextlib.suppress(AutopilotError):
                await self._until(lambda: ws.presence.mode == "video", "back to video")
            self.timeout = timeout

    async def _pre_review(self) -> None:
        """Wait for the citizen's photos, accept the first, ask for the rest, send the verdict."""
        parts = self.window.pre_review
        if parts is None:
            return
        pane = parts.pane
        self.window.work_tabs.setCurrentWidget(pane)
        await self._until(lambda: pane.strip.count() >= 2, "the citizen's photos arrive")
        session = pane.session
        assert session is not None
        self.summary["materials_received"] = len(session.materials)
        first, *_ = session.materials
        codes = [m.code for m in session.checklist]
        session.assign(first, codes[0])
        session.mark(codes[0], "accepted")
        for code in codes[1:]:
            session.mark(code, "to_correct", "glare", "请避开灯光重新拍摄")
        await asyncio.sleep(1.0)  # let the full image paint before the screenshot
        self._screenshot("03b-pre-review.png")
        sent: list[object] = []
        unsubscribe = parts.desk.verdict_sent.connect(sent.append)
        pane.send.click()
        await self._until(lambda: bool(sent), "the verdict reaches the citizen")
        unsubscribe()
        self.summary["verdict_sent"] = True

    async def _application(self) -> None:
        """Fill in what the form still misses (as the citizen says it), submit, see the receipt."""
        parts = self.window.applications
        state = parts.desk.form if parts is not None else None
        if parts is None or state is None:
            return
        self.window.work_tabs.setCurrentWidget(parts.form)
        fill_form_as_the_citizen_says(parts.desk)
        await asyncio.sleep(0.3)  # the pane settles its layout before the screenshot
        self._screenshot("03c-application.png")
        if parts.form.identity.isVisible():
            # The demo's applicant is not the caller (the demo types one ID number for
            # everyone): the agent has checked with the caller and confirms, as the form asks.
            parts.form.identity.confirm.setChecked(True)
            self.summary["identity_confirmed"] = True
        parts.form.submit.click()
        await self._until(lambda: self.window.work_tabs.currentWidget() is parts.receipt,
                          "the government API accepts and the receipt shows")
        accepted = [e for e in parts.desk.outbox.entries() if e.application_no]
        self.summary["application_number"] = accepted[-1].application_no if accepted else ""
        self._screenshot("03d-receipt.png")

    async def _until(self, condition: Callable[[], bool], step: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AutopilotError(step)
            await asyncio.sleep(0.05)

    def _screenshot(self, name: str) -> Path:
        path = self.out_dir / name
        self.window.grab().save(str(path))
        return path


def fill_form_as_the_citizen_says(desk: ApplicationDesk) -> None:
    """Confirm what the form knows from the call and fill in what it still misses (the demo's
    applicant, ``DEMO_APPLICANT`` in the licence library, for every ID number)."""
    state = desk.form
    if state is None:
        return
    desk.confirm_all()  # the name from the call, checked with the citizen
    for _ in range(3):  # a scenario answer can reveal more fields
        for item in state.missing():
            desk.edit(item.field.code, _demo_value(item.field))


def _demo_value(field: FormField) -> str:
    """What a citizen might answer for a field, in the field's own format."""
    if field.options:
        return field.options[0].value
    return {
        "id_number": "44190019551101002X",
        "uscc": "91441900MA4U00012J",  # an employer's code, as on its licence
        "mobile": "13800138000",
        "landline": "0769-22801234",
        "postal_code": "523000",
        "date": time.strftime("%Y-%m-%d"),
        "date_range": f"{time.strftime('%Y-%m-%d')}/2028-12-31",
        "integer": "1",
        "region": "441900004",
        "textarea": "日用百货零售",
    }.get(field.kind, "东莞市南城街道鸿福路 88 号")
