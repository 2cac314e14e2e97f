"""The simulated citizen's screen sharing (``--share``), as the hub's page does it.

Online-application coaching: the citizen shows the agent the government portal's form
they are stuck on. ``FormPageTrack`` is that "screen": a portal page drawn once with
Pillow (a header, a step line, labelled fields, a button) at 1280×720, with a small
"saving…" bar that moves so every frame differs, paced in real time.

``ScreenSharing`` follows the page (``seat_hub/web/share.js``) and the protocol's
"Online-application coaching" section: the offer carries a second video section,
``sendonly`` and empty (``attach`` is handed its sender); sharing puts the track on it
with ``replaceTrack`` — no new offer — and then says so (``screen_share``, ``sharing``
true, surface ``browser``); stopping takes the track off and says ``sharing`` false. The
agent's marks (``share_mark``) are checked where they enter, as the page checks them,
and counted in the citizen's report (``report.materials`` is the model: a dict of facts).
"""

from __future__ import annotations

import fractions
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any, Final

import av
import numpy as np
import numpy.typing as npt
from aiortc import RTCRtpSender
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from PIL import Image, ImageDraw, ImageFont

from sandbox.document_drawings import FONT_PATH
from sandbox.pacing import FramePacer
from seat_common import protocol

VIDEO_CLOCK_RATE: Final = 90_000
SCREEN_SIZE: Final = (1280, 720)
#: The page's own limits on what it draws (share.js): 1 point for a pointer, 2–64 for a
#: stroke, none for clear.
_POINTS: Final = {"pointer": (1, 1), "stroke": (2, protocol.MAX_STROKE_POINTS), "clear": (0, 0)}
_BAR: Final = (120, 560, 420, 568)  # the "saving…" bar: left, top, right, bottom


@cache
def form_page() -> npt.NDArray[np.uint8]:
    """The portal page the citizen is stuck on, RGB, drawn once."""
    width = SCREEN_SIZE[0]
    image = Image.new("RGB", SCREEN_SIZE, "#f0f4fa")
    draw = ImageDraw.Draw(image)

    def font(size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(FONT_PATH), size)

    draw.rectangle((0, 0, width, 84), fill="#c8102e")
    draw.text((40, 20), "广东政务服务网 · 东莞", font=font(36), fill="white")
    draw.text((120, 120), "失业保险金申领", font=font(40), fill="#1f2328")
    draw.text((120, 180), "第 2 步，共 4 步：填写申请人信息", font=font(24), fill="#57606a")
    for row, (label, value) in enumerate((("姓名", "陈小梅"), ("身份证号", ""),
                                          ("开户银行", "请选择"))):
        top = 240 + row * 90
        draw.text((120, top + 10), label, font=font(28), fill="#1f2328")
        draw.rectangle((300, top, 900, top + 56), fill="white", outline="#8c959f", width=2)
        draw.text((316, top + 12), value, font=font(28), fill="#57606a")
    draw.rectangle((120, 500, 300, 548), fill="#0969da")
    draw.text((166, 506), "下一步", font=font(28), fill="white")
    return np.asarray(image, dtype=np.uint8)


class FormPageTrack(MediaStreamTrack):
    """The shared "screen": ``form_page`` with a moving bar, ``fps`` frames a second."""

    kind = "video"

    def __init__(self, fps: float = 10.0) -> None:
        super().__init__()
        self.fps = fps
        self.frames_sent = 0
        self._pacer = FramePacer(fps)

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        index = await self._pacer.next_slot()
        pixels = form_page().copy()
        left, top, right, bottom = _BAR
        pixels[top:bottom, left:right] = (208, 215, 222)
        done = left + (index * 12) % (right - left)
        pixels[top:bottom, left:done] = (9, 105, 218)
        frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
        frame.pts = round(index * VIDEO_CLOCK_RATE / self.fps)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK_RATE)
        self.frames_sent += 1
        return frame


class ScreenSharing:
    """One citizen's sharing across calls: the empty section's sender, the track while
    sharing, and what came of it in ``facts`` (the report's ``sharing``)."""

    def __init__(self, send: Callable[[protocol.Message], Awaitable[None]],
                 facts: dict[str, Any], fps: float = 10.0) -> None:
        self._send = send
        self.facts = facts
        facts.update(starts=0, stops=0, frames_sent=0, marks_shown=0, marks_refused=[])
        self._fps = fps
        self._sender: RTCRtpSender | None = None
        self._track: FormPageTrack | None = None
        self._call_id = ""

    @property
    def sharing(self) -> bool:
        return self._track is not None

    def attach(self, sender: RTCRtpSender) -> None:
        """The offer's second video section (sendonly, no track yet) of a new peer."""
        self._sender = sender

    async def start(self, call_id: str) -> None:
        """Put the page on the section and tell the agent (after the track is on)."""
        if self._sender is None or self._track is not None:
            return
        self._track = FormPageTrack(self._fps)
        self._sender.replaceTrack(self._track)
        self._call_id = call_id
        self.facts["starts"] += 1
        await self._send(protocol.ScreenShare(call_id, sharing=True, surface="browser"))

    async def stop(self) -> None:
        """Take the page off the section (the call goes on) and tell the agent."""
        track, self._track = self._track, None
        if track is None:
            return
        if self._sender is not None:
            self._sender.replaceTrack(None)
        self._stopped(track)
        await self._send(protocol.ScreenShare(self._call_id, sharing=False, surface="browser"))

    def detach(self) -> None:
        """The peer is closing: nothing more is sent on its section."""
        track, self._track = self._track, None
        if track is not None:
            self._stopped(track)
        self._sender = None

    def on_mark(self, mark: protocol.ShareMark) -> None:
        """The agent's pointer or drawing: shown (counted) only if the page would draw it."""
        low, high = _POINTS.get(mark.kind, (1, 0))
        if self._track is None or mark.call_id != self._call_id:
            self.facts["marks_refused"].append("not_sharing")
        elif not low <= len(mark.points) <= high:
            self.facts["marks_refused"].append("points")
        elif not all(0.0 <= p.x <= 1.0 and 0.0 <= p.y <= 1.0 for p in mark.points):
            self.facts["marks_refused"].append("outside")
        else:
            self.facts["marks_shown"] += 1
            self.facts["last_mark"] = mark.kind

    def _stopped(self, track: FormPageTrack) -> None:
        self.facts["frames_sent"] += track.frames_sent
        self.facts["stops"] += 1
        track.stop()
