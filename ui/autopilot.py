"""Drives one call through the real window, as an agent would, for the unattended demo.

Goes ready, accepts the first offer with the banner's button, waits for
the citizen's video to paint, chats both ways through the chat pane, saves
a screenshot mid-call, hangs up, wraps up with an outcome and waits for the
hub to close the work order. Prints one JSON summary line; exit code 0 only
if every step happened.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

from seat_client.hub_link import LinkState
from ui.main_window import MainWindow


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
