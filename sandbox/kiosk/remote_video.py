"""What the kiosk shows of its call's remote pictures: the agent's, and a third party's.

The kiosk offers two video sections (its camera, then its shared screen). The agent's
workstation answers the first with the agent's camera and, in a three-way call, the
second with the third party's picture it relays: a consulted colleague's, or a
supervisor's who joined from the seat wall (the hub's ``party_update`` names either).
``RemotePictures`` reads each remote video track (``consume``, on the qasync loop: the Qt
thread) and puts its frames on the window's ``KioskVideoPanel``; audio is read and dropped.

The third party's picture shows while its frames come, captioned 会商同事 or, after a
``party_update`` ``joined`` of a supervisor, 值班长. It goes away at once when the hub
says the third party left, when no frame has come for ``STALL_S`` (the relay stopped
sending), and with the call's media. After a leave, frames still in flight do not
bring it back: it shows again only after its frames stopped or the next join.
``KioskReport`` keeps the counts and every show and hide (``third_party_log``).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Final

from aiortc.mediastreams import MediaStreamError

from sandbox.kiosk.report import KioskReport
from sandbox.kiosk.video_panel import COLLEAGUE, SUPERVISOR, KioskVideoPanel, frame_to_image

#: No third-party frame for this long: the picture is gone (the relay stopped sending).
STALL_S: Final = 1.5


class RemotePictures:
    """The call's remote video on the kiosk's screen, and what was shown in the report."""

    def __init__(self, panel: KioskVideoPanel, report: KioskReport) -> None:
        self.panel = panel
        self.report = report
        #: a leave was heard: frames in flight do not show the picture again
        self._left = False

    async def consume(self, track: Any, section: int) -> None:
        """Read ``track`` until it ends; ``section`` is its video section (0, 1) or -1."""
        with contextlib.suppress(MediaStreamError):
            if section == 0:
                while True:
                    self._agent_frame(await track.recv())
            elif section == 1:
                await self._third_party(track)
            else:
                while True:
                    await track.recv()

    def _agent_frame(self, frame: Any) -> None:
        self.report.agent_frames += 1
        self.panel.show_agent(frame_to_image(frame))

    async def _third_party(self, track: Any) -> None:
        while True:
            try:
                async with asyncio.timeout(STALL_S):
                    frame = await track.recv()
            except TimeoutError:
                self._left = False  # stopped: the next frames are a new party's
                self.hide("stalled")
                continue
            if self._left:
                continue
            self.report.third_party_frames += 1
            if self.panel.third.isHidden():
                self.report.third_party_log.append(f"shown: {self.panel.third_label}")
            self.panel.show_third(frame_to_image(frame))

    def party_update(self, party: str, phase: str) -> None:
        """The hub's ``party_update``: a supervisor or a consulted colleague joined the
        call, or left it."""
        if phase == "joined":
            self._left = False
            self.panel.set_third_label(SUPERVISOR if party == "supervisor" else COLLEAGUE)
        else:
            self._left = True
            self.hide("left")
            self.panel.set_third_label(COLLEAGUE)

    def hide(self, why: str) -> None:
        if not self.panel.third.isHidden():
            self.report.third_party_log.append(f"hidden: {why}")
        self.panel.hide_third()

    def clear(self) -> None:
        """The call's media closed: no pictures, and the next call starts afresh."""
        self.hide("call_media_closed")
        self._left = False
        self.panel.set_third_label(COLLEAGUE)
        self.panel.clear()
