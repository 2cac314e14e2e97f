"""The conformance agent's checks of a call's media: the client's SDP offer (its sections,
applied and answered), its candidates (well formed, in a section of the offer, relay only
where the hub says so), and media flowing both ways; for a kiosk, the assist channel and
the shared screen.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import Final

from sandbox.conformance.call_media import CallMedia
from sandbox.conformance.inbox import HubInbox
from sandbox.conformance.report import ConformanceReport, Outcome, Step
from sandbox.conformance.script import AgentScript
from seat_common import protocol
from seat_common.media.ice_policy import IceConfig, candidate_types

_SECTION: Final = re.compile(r"^m=(\w+) ", re.MULTILINE)


class MediaSteps:
    """The offer/answer, trickle, media and assist steps of one call from a client of
    ``role`` (``citizen`` or ``kiosk``), under the hub's ICE configuration ``ice``."""

    def __init__(self, link: HubInbox, script: AgentScript, role: str, ice: IceConfig) -> None:
        self._link = link
        self.script = script
        self._role = role
        self.ice = ice

    async def answer(
        self, report: ConformanceReport, started: protocol.CallStarted,
        media: CallMedia, mark: int,
    ) -> bool:
        s = self.script
        sdp = await self._link.expect(
            protocol.Sdp, s.offer_wait_s, mark, lambda m: m.call_id == started.call_id)
        if sdp is None:
            report.failed_step(Step.OFFER_ANSWER, f"no SDP offer within {s.offer_wait_s:g} s "
                               "of call_started: the caller (the client) sends the offer")
            return False
        if sdp.sdp_type != "offer":
            report.failed_step(Step.OFFER_ANSWER, "the client sent an SDP answer: the client "
                               "is the caller and sends an offer")
            return False
        sections = _SECTION.findall(sdp.sdp)
        problems = self.section_problems(sections, started.media)
        try:
            answer = await media.answer(sdp.sdp, started.media)
        except (ValueError, AssertionError, KeyError, IndexError) as exc:
            report.failed_step(Step.OFFER_ANSWER, f"the offer could not be applied: {exc!r}")
            return False
        await self._link.send(protocol.Sdp(started.call_id, "answer", answer))
        if problems:
            report.failed_step(Step.OFFER_ANSWER, "; ".join(problems))
        else:
            report.passed_step(Step.OFFER_ANSWER, f"the offer ({', '.join(sections)}) was "
                               "applied and answered")
        report.notes.append(
            f"candidates: {media.offered_candidates} in the offer, "
            f"{media.trickled} trickled ({media.trickled_early} before the offer)")
        return True

    def section_problems(self, sections: list[str], call_media: str) -> list[str]:
        problems = []
        if "audio" not in sections:
            problems.append("the offer has no audio section")
        videos = sections.count("video")
        if call_media == "video" and videos == 0:
            problems.append("a video call's offer has no video section")
        if self._role == "kiosk":
            if videos < 2:
                problems.append("a kiosk's offer needs two video sections (camera, then "
                                "the shared screen)")
            if "application" not in sections:
                problems.append("a kiosk's offer needs the assist data channel (created "
                                "before the offer)")
        return problems

    async def flows(
        self, report: ConformanceReport, started: protocol.CallStarted, media: CallMedia
    ) -> None:
        s = self.script
        connected = await poll(lambda: media.state in ("connected", "failed"),
                                s.connect_wait_s)
        refused = list(media.candidates.refused)
        if refused:
            report.failed_step(Step.TRICKLE, f"{len(refused)} candidate(s) were malformed, "
                               f"e.g. {refused[0]}")
        misplaced = media.misplaced()
        if misplaced:
            refused.append("misplaced")
            report.failed_step(Step.TRICKLE, f"{len(misplaced)} trickled candidate(s) name no "
                               f"section of the offer (sdp_mid {misplaced[0].sdp_mid!r}, "
                               f"sdp_mline_index {misplaced[0].sdp_mline_index})")
        kinds = candidate_types("\n".join(media.candidate_lines))
        if self.ice.relay_only and kinds - {"relay"}:
            refused.append("not relay")
            report.failed_step(Step.TRICKLE, "the hub is relay-only, but the client offered "
                               f"{', '.join(sorted(kinds - {'relay'}))} candidates: use "
                               "iceTransportPolicy relay")
        if not connected or media.state != "connected":
            report.failed_step(Step.MEDIA, f"the media did not connect within "
                               f"{s.connect_wait_s:g} s (state {media.state}): check "
                               "the candidates, the ICE servers and that the answer was applied")
            if not refused and media.offered_candidates + media.trickled == 0:
                report.failed_step(Step.TRICKLE, "the client gave no candidates at all (none "
                                   "in the offer, none trickled)")
            elif not refused:
                report.record(Step.TRICKLE, Outcome.SKIP, "the candidates were well formed, "
                              "but no pair of them connected")
            return
        if not refused:
            report.passed_step(Step.TRICKLE, "every candidate was well formed and the media "
                               "connected")
        want_video = started.media == "video"

        deadline = time.monotonic() + s.media_wait_s
        heard: set[str] = set()
        while time.monotonic() < deadline:
            heard = await media.received_by_client()
            got_video = media.video_frames[0] >= s.min_video_frames or not want_video
            if got_video and media.audio_frames >= s.min_audio_frames and (
                {"audio", "video"} if want_video else {"audio"}) <= heard:
                break
            await asyncio.sleep(0.2)
        missing = []
        if want_video and media.video_frames[0] < s.min_video_frames:
            missing.append(f"only {media.video_frames[0]} video frames arrived from the client")
        if media.audio_frames < s.min_audio_frames:
            missing.append(f"only {media.audio_frames} audio frames arrived from the client")
        for kind in sorted(({"audio", "video"} if want_video else {"audio"}) - heard):
            missing.append(f"the client never reported receiving the agent's {kind} "
                           "(no RTCP receiver report)")
        if missing:
            report.failed_step(Step.MEDIA, "; ".join(missing))
        else:
            sizes = ", ".join(sorted(media.video_sizes)) or "no video"
            report.passed_step(Step.MEDIA, f"{media.video_frames[0]} video frames ({sizes}) and "
                               f"{media.audio_frames} audio frames from the client; the client "
                               f"receives the agent's {' and '.join(sorted(heard))}")
        if self._role == "kiosk":
            await poll(lambda: media.video_frames[1] > 0 and "assist" in media.channels, 10.0)
            if "assist" not in media.channels:
                report.failed_step(Step.ASSIST, "no data channel labelled assist was opened")
            elif media.video_frames[1] == 0:
                report.failed_step(Step.ASSIST, "no frames on the second video track (the "
                                   "kiosk's shared screen)")
            else:
                report.passed_step(Step.ASSIST, "the assist channel is open and the shared "
                                   f"screen arrives ({media.video_frames[1]} frames)")


async def poll(condition: Callable[[], bool], within: float) -> bool:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


__all__ = ["MediaSteps", "poll"]
