"""The conformance agent's checks of what a client may leave out: chat, a material upload
(and the pre-review verdict on it), coming back after a dropped link (resume) and the
rating. Missing, they are ``NOT TRIED``; done wrong, they FAIL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Final

from sandbox.conformance.call_media import CallMedia
from sandbox.conformance.inbox import HubInbox
from sandbox.conformance.media_checks import poll
from sandbox.conformance.report import ConformanceReport, Outcome, Step
from sandbox.conformance.script import AgentScript
from seat_common import protocol

RESUME_TEXT: Final = "恢复测试：请现在断开网络（或把应用切到后台），然后重新连接。"


class FeatureSteps:
    """The chat, upload, verdict, resume and rating steps of one call from a client of
    ``role``; ``current_media`` gives the call's peer of the moment (a fresh one after
    the client's link came back)."""

    def __init__(self, link: HubInbox, script: AgentScript, role: str,
                 current_media: Callable[[], CallMedia | None]) -> None:
        self._link = link
        self.script = script
        self._role = role
        self._current_media = current_media

    async def exchange(
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

    async def resume(self, report: ConformanceReport, started: protocol.CallStarted) -> None:
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
        renewed = self._current_media()  # a fresh peer connection, made when the link came back
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
        flowing = await poll(lambda: renewed.state == "connected"
                              and renewed.video_frames[0] + renewed.audio_frames
                              >= before + s.min_audio_frames, s.connect_wait_s)
        if not flowing:
            report.failed_step(Step.RESUME, "the client came back, but the call's media did "
                               f"not (state {renewed.state})")
            return
        report.passed_step(Step.RESUME, "the client dropped its link, came back with its "
                           "resume token and offered afresh; the media flow again")

    async def rating(self, report: ConformanceReport, work_order_id: str) -> None:
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


__all__ = ["RESUME_TEXT", "FeatureSteps"]
