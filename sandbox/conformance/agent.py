"""The conformance agent: a scripted agent seat that serves calls from a client under test
and writes a ``ConformanceReport`` of each.

It logs in to the hub as an agent (``Hello`` with the seat's token), goes ready, and for
each offer: accepts; keeps the client's candidates from ``call_started`` on (trickled
ones may come before the offer, ``seat_common.trickle``); checks and answers the SDP
offer with a stamped test pattern and a tone (``sandbox.camera``); waits for media both
ways (frames from the client, and the client's RTCP receiver reports on the agent's
streams); for a kiosk, the ``assist`` data channel and the second (screen) video track;
sends a chat line and waits for the client's chat and a material upload; sends a
pre-review verdict on what was uploaded; hangs up, wraps up and looks the work order up
(``search_work_orders``) for the client's rating. Everything it sees is checked against
``docs/protocol.md`` and written down in plain words.

Chat, upload (and so the verdict), rating and resume are features a client may leave
out: missing, they are ``NOT TRIED`` unless ``AgentScript.require`` names them; done
wrong, they FAIL. The agent's media are aiortc's, as the workstation's are
(``call_media``); its link keeps every message in order (``inbox``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from sandbox.conformance.call_media import CallMedia
from sandbox.conformance.inbox import HubInbox, LinkError
from sandbox.conformance.report import ConformanceReport, Outcome, Step
from seat_common import protocol, tls
from seat_common.ice_policy import IceConfig, IceConfigError, candidate_types
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)

#: Steps a client may leave out (``NOT TRIED`` unless required).
FEATURES: Final = frozenset({Step.CHAT, Step.UPLOAD, Step.RATING, Step.RESUME})
CHAT_TEXT: Final = "您好，这里是一致性测试坐席。请回复一句话，并上传一张证件照片。"
RESUME_TEXT: Final = "恢复测试：请现在断开网络（或把应用切到后台），然后重新连接。"
_SECTION: Final = re.compile(r"^m=(\w+) ", re.MULTILINE)


class ConformanceError(Exception):
    """The agent itself cannot go on (the hub refused its login, the link broke)."""


@dataclass(frozen=True, slots=True)
class AgentScript:
    """How long the agent waits for each part, and which features it requires."""

    #: for a contact to be offered (the client's hello and join_queue)
    contact_wait_s: float = 600.0
    #: for the client's SDP offer after call_started
    offer_wait_s: float = 20.0
    #: for the media to connect, and then to flow both ways
    connect_wait_s: float = 30.0
    media_wait_s: float = 30.0
    #: for the client's chat and upload, from when the media flow
    feature_wait_s: float = 45.0
    #: for the rating, after the wrap-up
    rating_wait_s: float = 30.0
    #: with resume: how long the agent waits, after asking in the chat, for the client to
    #: drop its link and come back (0: resume is not checked)
    resume_wait_s: float = 0.0
    #: features that FAIL when not tried
    require: frozenset[Step] = frozenset()
    min_video_frames: int = 10
    min_audio_frames: int = 25
    chat_text: str = CHAT_TEXT

    def __post_init__(self) -> None:
        if not self.require <= FEATURES:
            extra = ", ".join(sorted(s.value for s in self.require - FEATURES))
            raise ValueError(f"only features can be required, not {extra}")


class ConformanceAgent:
    """Serves calls of one client role (``citizen`` or ``kiosk``) on ``hub_url``."""

    def __init__(
        self,
        hub_url: str,
        token: str,
        role: str,
        script: AgentScript | None = None,
        *,
        ca_file: str | None = None,
    ) -> None:
        if role not in ("citizen", "kiosk", "any"):
            raise ValueError(f"role must be citizen, kiosk or any, not {role!r}")
        tls.check_url(hub_url, what="hub address", secure="wss")
        self.hub_url = hub_url
        #: the client role expected; "any" takes a kiosk's calls as kiosk, others as citizen
        self.role = role
        self._role = "citizen" if role == "any" else role
        self.script = script or AgentScript()
        self._token = token
        self._ssl = tls.client_context_for(hub_url, ca_file)
        self._link = HubInbox(self._on_arrival)
        self._tasks = TaskOwner("conformance agent")
        self._call_id = ""
        self._media: CallMedia | None = None
        self.ice = IceConfig()
        self.agent_id = ""

    # --- the link ----------------------------------------------------------------------

    async def log_in(self) -> None:
        """Connect, say hello as the agent seat and go ready; raise if refused."""
        try:
            await self._log_in()
        except LinkError as exc:
            raise ConformanceError(str(exc)) from exc

    async def _log_in(self) -> None:
        await self._link.connect(self.hub_url, self._ssl)
        self._tasks.spawn(self._link.read(), "hub-reader")
        await self._link.send(protocol.Hello(role="agent", token=self._token))
        message = await self._link.expect((protocol.Welcome, protocol.Error), 10.0, 0)
        if isinstance(message, protocol.Error) or message is None:
            why = "no answer" if message is None else f"{message.code}: {message.message}"
            raise ConformanceError(f"the hub refused the conformance agent's login ({why})")
        self.agent_id = message.agent_id
        self.ice = IceConfig.from_welcome(message)
        await self._link.send(protocol.SetState("ready"))

    async def close(self) -> None:
        await self._close_media()
        await self._link.close()
        await self._tasks.close()

    async def serve(self, calls: int, on_report: Callable[[ConformanceReport], None]) -> None:
        """Serve ``calls`` calls (0: until cancelled), handing each report to ``on_report``."""
        served = 0
        while calls == 0 or served < calls:
            on_report(await self.serve_one())
            served += 1

    # --- one call ----------------------------------------------------------------------

    async def serve_one(self) -> ConformanceReport:
        """Wait for the next contact and take it through every step."""
        report = ConformanceReport(self._role)
        try:
            await self._call(report)
        except LinkError as exc:
            raise ConformanceError(str(exc)) from exc
        finally:
            await self._close_media()
            self._call_id = ""
        return report

    async def _call(self, report: ConformanceReport) -> None:
        s = self.script
        mark = self._link.mark()
        offer = await self._link.expect(protocol.Offer, s.contact_wait_s, mark)
        if offer is None:
            report.failed_step(Step.HELLO, f"no contact reached the agent within "
                               f"{s.contact_wait_s:g} s: did the client send hello and "
                               "join_queue (and get welcome and queued)?")
            return
        report.work_order_id = offer.work_order_id
        if self.role == "any":
            self._role = report.role = "kiosk" if offer.channel == "kiosk" else "citizen"
        if not self._check_login(report, offer):
            await self._link.send(protocol.Decline(offer.call_id))
            return
        await self._link.send(protocol.Accept(offer.call_id))
        started = await self._link.expect(
            protocol.CallStarted, 10.0, mark, lambda m: m.work_order_id == offer.work_order_id)
        if started is None:
            report.failed_step(Step.QUEUE, "the client left the queue before its call started")
            return
        self._call_id = started.call_id
        media = self._open_media()
        await self._link.send(protocol.MediaState(started.call_id, "on", "on"))
        if not await self._answer(report, started, media, mark):
            await self._hang_up(report, mark)
            return
        await self._media_flows(report, started, media)
        # Chat and materials go through the hub: they are checked even without media.
        await self._features(report, started, mark)
        said = self._link.find(protocol.MediaState, mark,
                               lambda m: m.call_id == started.call_id)
        report.notes.append(
            f"the client said its camera is {said.camera} and its microphone {said.microphone}"
            if said is not None else
            "the client sent no media_state (see \"Camera and microphone state\")")
        if s.resume_wait_s > 0:
            await self._resume(report, started)
        await self._hang_up(report, mark)
        await self._link.send(protocol.WrapUp(
            started.work_order_id,
            "pre_reviewed" if report.outcome(Step.VERDICT) is Outcome.PASS else "resolved",
            "conformance kit"))
        await self._rating(report, started.work_order_id)
        for step in Step:
            if step in s.require and report.outcome(step) in (None, Outcome.NOT_TRIED):
                report.failed_step(step, "required, and the client did not do it")

    def _check_login(self, report: ConformanceReport, offer: protocol.Offer) -> bool:
        if self._role == "kiosk" and offer.channel != "kiosk":
            report.failed_step(Step.HELLO, f"the contact came on channel {offer.channel}: a "
                               "kiosk logs in with role kiosk and queues on channel kiosk")
            return False
        if self._role == "citizen" and offer.channel == "kiosk":
            report.failed_step(Step.HELLO, "a kiosk called, but a citizen client was expected")
            return False
        report.passed_step(Step.HELLO, f"logged in as {self._role}")
        report.passed_step(Step.QUEUE, f"joined the queue for {offer.item_code} "
                           f"({offer.item_name}) on channel {offer.channel}, {offer.media} call")
        return True

    def _open_media(self) -> CallMedia:
        try:
            media = CallMedia(self.ice, self._tasks)
        except IceConfigError as exc:
            raise ConformanceError(f"the hub's ICE servers are unusable: {exc}") from exc
        self._media = media
        return media

    async def _answer(
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
        problems = self._section_problems(sections, started.media)
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

    def _section_problems(self, sections: list[str], call_media: str) -> list[str]:
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

    async def _media_flows(
        self, report: ConformanceReport, started: protocol.CallStarted, media: CallMedia
    ) -> None:
        s = self.script
        connected = await _poll(lambda: media.state in ("connected", "failed"),
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
            await _poll(lambda: media.video_frames[1] > 0 and "assist" in media.channels, 10.0)
            if "assist" not in media.channels:
                report.failed_step(Step.ASSIST, "no data channel labelled assist was opened")
            elif media.video_frames[1] == 0:
                report.failed_step(Step.ASSIST, "no frames on the second video track (the "
                                   "kiosk's shared screen)")
            else:
                report.passed_step(Step.ASSIST, "the assist channel is open and the shared "
                                   f"screen arrives ({media.video_frames[1]} frames)")

    async def _features(
        self, report: ConformanceReport, started: protocol.CallStarted, mark: int
    ) -> None:
        s = self.script
        call_id = started.call_id
        await self._link.send(protocol.Chat(call_id, s.chat_text))
        ours = await self._link.expect(protocol.ChatMessage, 10.0, mark,
                                  lambda m: m.call_id == call_id and m.sender_role == "agent")
        deadline = time.monotonic() + s.feature_wait_s

        def client_chat(m: protocol.ChatMessage) -> bool:
            return m.call_id == call_id and m.sender_role == self._role

        def upload_done(m: protocol.MaterialAdded | protocol.UploadFailed) -> bool:
            if isinstance(m, protocol.MaterialAdded):
                return (m.material.work_order_id == started.work_order_id
                        and m.material.source == "citizen_upload")
            return m.work_order_id == started.work_order_id and m.uploader_role == self._role

        def ended(m: protocol.CallEnded) -> bool:
            return m.call_id == call_id

        while time.monotonic() < deadline:
            if (self._link.find(protocol.ChatMessage, mark, client_chat) is not None
                    and self._link.find((protocol.MaterialAdded, protocol.UploadFailed), mark,
                                   upload_done) is not None):
                break
            if self._link.find(protocol.CallEnded, mark, ended) is not None:
                break
            await self._link.wait_any(min(1.0, max(deadline - time.monotonic(), 0.01)))
        chat = self._link.find(protocol.ChatMessage, mark, client_chat)
        if chat is not None and ours is not None:
            report.passed_step(Step.CHAT, f"the agent's line was delivered and the client wrote "
                               f"back: {chat.text[:40]!r}")
        elif ours is None:
            report.failed_step(Step.CHAT, "the agent's chat line was not delivered")
        else:
            report.record(Step.CHAT, Outcome.NOT_TRIED, "the client sent no chat line")
        done = self._link.find((protocol.MaterialAdded, protocol.UploadFailed), mark, upload_done)
        if isinstance(done, protocol.UploadFailed):
            report.failed_step(Step.UPLOAD, f"the upload of {done.filename!r} failed: "
                               f"{done.reason} ({done.message})")
            report.record(Step.VERDICT, Outcome.SKIP, "nothing was stored to review")
        elif isinstance(done, protocol.MaterialAdded):
            material = done.material
            report.passed_step(Step.UPLOAD, f"{material.filename!r} arrived whole "
                               f"({material.byte_size} bytes, {material.width}×{material.height}"
                               "): its SHA-256 and chunk CRCs matched")
            await self._verdict(report, started, material, mark)
        else:
            report.record(Step.UPLOAD, Outcome.NOT_TRIED, "the client uploaded no material")
            report.record(Step.VERDICT, Outcome.SKIP, "nothing was uploaded to review")

    async def _verdict(
        self, report: ConformanceReport, started: protocol.CallStarted,
        material: protocol.MaterialInfo, mark: int,
    ) -> None:
        entry = protocol.VerdictEntry(
            material.material_code or "conformance", "to_correct", "blurry",
            "一致性测试：请重拍（无需真的重拍）", (material.material_id,))
        await self._link.send(protocol.ReviewVerdict(started.work_order_id, started.item_code,
                                                (entry,)))
        answer = await self._link.expect(
            (protocol.Ack, protocol.Error), 10.0, mark,
            lambda m: m.of == "review_verdict")
        if isinstance(answer, protocol.Ack):
            report.passed_step(Step.VERDICT, "a pre-review verdict (to_correct, reason "
                               "blurry) went to the client")
        else:
            why = "no answer" if answer is None else answer.message
            report.failed_step(Step.VERDICT, f"the verdict could not be sent: {why}")

    async def _resume(self, report: ConformanceReport, started: protocol.CallStarted) -> None:
        """Ask the client to drop its link and come back; check the call's media return."""
        s = self.script
        call_id = started.call_id
        mark = self._link.mark()
        await self._link.send(protocol.Chat(call_id, RESUME_TEXT))

        def link(up: bool) -> Callable[[protocol.PeerLink], bool]:
            return lambda m: m.call_id == call_id and m.up is up

        def ended(m: protocol.CallEnded) -> bool:
            return m.call_id == call_id

        dropped = await self._link.expect(protocol.PeerLink, s.resume_wait_s, mark, link(False))
        if dropped is None:
            report.record(Step.RESUME, Outcome.NOT_TRIED, "the client's link did not drop")
            return
        back = await self._link.expect(
            (protocol.PeerLink, protocol.CallEnded), s.resume_wait_s, mark,
            lambda m: link(True)(m) if isinstance(m, protocol.PeerLink) else ended(m))
        if not isinstance(back, protocol.PeerLink):
            report.failed_step(Step.RESUME, "the client's link dropped and it did not come back "
                               "in time: send hello with resume set to the welcome's "
                               "resume_token")
            return
        renewed = self._media  # a fresh peer connection, made when the link came back
        offer = await self._link.expect(
            protocol.Sdp, s.offer_wait_s, self._link.position(back),
            lambda m: m.call_id == call_id and m.sdp_type == "offer")
        if offer is None or renewed is None:
            report.failed_step(Step.RESUME, "the client came back but made no new offer: after "
                               "call_started again, offer from a new peer connection")
            return
        try:
            answer = await renewed.answer(offer.sdp, started.media)
        except (ValueError, AssertionError, KeyError, IndexError) as exc:
            report.failed_step(Step.RESUME, f"the new offer could not be applied: {exc!r}")
            return
        await self._link.send(protocol.Sdp(call_id, "answer", answer))
        before = renewed.video_frames[0] + renewed.audio_frames
        flowing = await _poll(lambda: renewed.state == "connected"
                              and renewed.video_frames[0] + renewed.audio_frames
                              >= before + s.min_audio_frames, s.connect_wait_s)
        if not flowing:
            report.failed_step(Step.RESUME, "the client came back, but the call's media did "
                               f"not (state {renewed.state})")
            return
        report.passed_step(Step.RESUME, "the client dropped its link, came back with its "
                           "resume token and offered afresh; the media flow again")

    async def _hang_up(self, report: ConformanceReport, mark: int) -> None:
        call_id = self._call_id

        def ended(m: protocol.CallEnded) -> bool:
            return m.call_id == call_id

        already = self._link.find(protocol.CallEnded, mark, ended)
        if already is not None:
            report.passed_step(Step.HANG_UP, f"the call ended by {already.ended_by} "
                               f"({already.reason or 'hangup'})")
            await self._close_media()
            return
        await self._link.send(protocol.Hangup(call_id))
        got = await self._link.expect(protocol.CallEnded, 10.0, mark, ended)
        await self._close_media()
        if got is None:
            report.failed_step(Step.HANG_UP, "the hub did not end the call")
        else:
            report.passed_step(Step.HANG_UP, "the agent hung up; call_ended went to both sides")

    async def _rating(self, report: ConformanceReport, work_order_id: str) -> None:
        deadline = time.monotonic() + self.script.rating_wait_s
        while time.monotonic() < deadline:
            mark = self._link.mark()
            await self._link.send(protocol.SearchWorkOrders(text=work_order_id, limit=5))
            found = await self._link.expect(protocol.WorkOrderList, 10.0, mark)
            rows = [] if found is None else [
                r for r in found.rows if r.work_order_id == work_order_id]
            if rows and rows[0].rating:
                report.passed_step(Step.RATING, f"the client rated the call {rows[0].rating}/10")
                return
            await asyncio.sleep(0.5)
        report.record(Step.RATING, Outcome.NOT_TRIED, "the client did not rate the call")

    # --- what arrives ------------------------------------------------------------------

    async def _on_arrival(self, message: protocol.Message) -> bool:
        """Candidates go to the call's peer at once (True: taken, not kept); when the
        client's link comes back, the fresh peer is made here, before its candidates."""
        media = self._media
        if isinstance(message, protocol.Ice):
            if media is not None and message.call_id == self._call_id:
                await media.add_ice(message)
            return True
        if (isinstance(message, protocol.PeerLink) and message.up
                and message.call_id == self._call_id and media is not None):
            self._open_media()
            self._tasks.spawn(media.close(), "close-old-media")
        return False

    async def _close_media(self) -> None:
        media, self._media = self._media, None
        if media is not None:
            await media.close()


async def _poll(condition: Callable[[], bool], within: float) -> bool:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True
