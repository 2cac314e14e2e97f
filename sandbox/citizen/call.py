"""A simulated citizen's call: what it does from ``call_started`` to the rating.

``CitizenCall`` is the call phase of a ``SimulatedCitizen``'s contact (``contact``). On
``call_started`` the citizen is the caller: when the call is recorded it first shows the
notice ``RECORDING_NOTICE`` (kept in the report), then its ``CitizenPeer`` offers the
call's media, its ``CitizenChat`` says the script's lines and its ``CitizenMaterials``
sends the script's photos, each a task of the contact's ``TaskOwner``; the hub's messages
for them reach them through ``on_message``. The agent hangs
up, or the citizen does after the scripted time. A transfer brings the next agent (a new
call id, new media); the citizen's or the agent's link coming back renews the media in
the same call. After the call it rates the contact if scripted and waits for the outcome
as long as the script says. A citizen leaving on purpose in a call says goodbye with
``hang_up`` (挂断).

The link, the routing of the hub's messages and the queue stay with the contact: this
module waits only on the milestones the link hands on, and writes to the contact's report.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sandbox.citizen.chat import CitizenChat
from sandbox.citizen.link import CitizenLink, ContactFinished
from sandbox.citizen.materials import CitizenMaterials
from sandbox.citizen.peer import CitizenPeer
from sandbox.citizen.script import RECORDING_NOTICE, CitizenReport, CitizenScript
from seat_common import protocol
from seat_common.tasks import TaskOwner


class CitizenCall:
    """The call phase of one contact: the call the citizen is in (``call_id``) and what it
    does there, as its script says, noted in the contact's report."""

    def __init__(
        self,
        report: CitizenReport,
        script: CitizenScript,
        link: CitizenLink,
        tasks: TaskOwner,
        *,
        chat: CitizenChat,
        peer: CitizenPeer,
        materials: CitizenMaterials,
        mark: Callable[[str], None],
        error: Callable[[str], None],
    ) -> None:
        self.report = report
        self.script = script
        self._link = link
        self._send = link.send
        self._tasks = tasks
        self._chat = chat
        self._peer = peer
        self._materials = materials
        self._mark = mark
        self._error = error

    @property
    def call_id(self) -> str:
        """The call the citizen is in now ("" before and after it)."""
        return self._chat.call_id

    async def follow(self, started: protocol.CallStarted) -> None:
        """From ``call_started`` to the call's ``call_ended``; the media closed after it."""
        report = self.report
        script = self.script
        report.call_id = started.call_id
        report.peer_name = started.peer_name
        report.agents_met.append(started.peer_name)
        report.call_started_at = time.time()
        self._mark("call_started")
        if started.call_role != "caller":
            self._error(f"expected to be the caller, hub said {started.call_role!r}")
        self._chat.call_id = started.call_id
        if started.recorded:  # told before any media flows
            report.recording_notice = RECORDING_NOTICE
            self._mark("recording_notice")
        await self._peer.offer(started)
        if script.chat_lines:
            self._tasks.spawn(self._chat.say_script_lines(started.call_id), "chat")
        if script.photos:
            self._tasks.spawn(
                self._materials.send_photos(started.work_order_id, script.photos), "photos"
            )

        deadline = (
            None if script.hangup_after_s is None else time.monotonic() + script.hangup_after_s
        )
        hung_up = False
        while True:
            message = await self._link.next_milestone(deadline)
            if message is None:
                if hung_up:
                    raise ContactFinished("citizen", "no call_ended after hangup")
                await self._send(protocol.Hangup(call_id=started.call_id))
                self._mark("hangup_sent")
                hung_up = True
                deadline = time.monotonic() + script.reply_timeout_s
                continue
            if isinstance(message, protocol.CallEnded) and message.call_id == started.call_id:
                report.ended_by = message.ended_by
                report.end_reason = message.reason
                report.call_ended_at = time.time()
                self._mark("call_ended")
                break
            if isinstance(message, protocol.CallStarted) and message.call_id == started.call_id:
                await self._renew_media(started)  # we came back: the call goes on
            elif isinstance(message, protocol.PeerLink) and message.call_id == started.call_id:
                if message.up:
                    await self._renew_media(started)  # the agent came back
            elif isinstance(message, protocol.TransferUpdate) and message.phase == "waiting":
                await self._peer.close()  # the first agent's leg is over: wait for the next
            elif isinstance(message, protocol.CallStarted) and report.transfer_notices:
                started = message  # handed on: the same work order with the next agent
                await self._next_agent(started)
            elif isinstance(message, protocol.CallStarted):
                self._error(f"second call_started {message.call_id} during a call")
        self._chat.call_id = ""
        await self._peer.close()

    async def on_message(self, message: protocol.Message) -> bool:
        """Hand a message from the hub to the part of the call it is for: media to the
        peer, chat to the chat, photos' answers to the materials, a request for consent to
        the script's answer. False for a message none of them handles (a milestone)."""
        match message:
            case protocol.Sdp():
                await self._peer.on_sdp(message)
            case protocol.Ice():
                await self._peer.on_ice(message)
            case protocol.ChatMessage():
                await self._chat.on_message(message)
            case protocol.ShareMark():
                self._peer.on_share_mark(message)
            case protocol.CertificateConsentRequest():
                self.report.consent_requests.append("、".join(message.certificates))
                if self.script.certificate_consent is not None:
                    await self._send(protocol.CertificateConsentAnswer(
                        message.work_order_id, message.consent_ref,
                        agreed=self.script.certificate_consent))
            case _ if isinstance(message, CitizenMaterials.HANDLED):
                await self._materials.on_message(message)
            case _:
                return False
        return True

    async def hang_up(self) -> None:
        """挂断 now, as a citizen leaving on purpose does (``call_ended`` is not awaited:
        the link's close follows)."""
        await self._send(protocol.Hangup(call_id=self.call_id))
        self._mark("hangup_sent")
        self.report.ended_by = self.report.ended_by or "citizen"

    async def after(self) -> None:
        """After the call: the rating if scripted, then the outcome if the script waits
        for it."""
        report = self.report
        script = self.script
        if script.rating_score is not None and report.work_order_id:
            await self._send(
                protocol.Rate(
                    work_order_id=report.work_order_id,
                    score=script.rating_score,
                    comment=script.rating_comment,
                )
            )
            self._mark("rate_sent")
            deadline = time.monotonic() + script.reply_timeout_s
            while True:
                message = await self._link.next_milestone(deadline)
                if message is None:
                    self._error("no ack for rate")
                    break
                if isinstance(message, protocol.Ack) and message.of == protocol.Rate.TYPE:
                    report.rated = True
                    report.rating_score = script.rating_score
                    self._mark("rated")
                    break
                if isinstance(message, protocol.Error):
                    break  # recorded by the reader
        if script.await_outcome_s > 0 and not report.outcome:
            deadline = time.monotonic() + script.await_outcome_s
            while not report.outcome:
                if await self._link.next_milestone(deadline) is None:
                    break

    async def _next_agent(self, started: protocol.CallStarted) -> None:
        """The call was transferred: new call id, new agent, new media."""
        report = self.report
        await self._peer.close()
        report.frames_at_transfer.append(report.frames_received)
        report.call_id = started.call_id
        report.peer_name = started.peer_name
        report.agents_met.append(started.peer_name)
        self._chat.call_id = started.call_id
        self._mark("transferred_call_started")
        await self._peer.offer(started)

    async def _renew_media(self, started: protocol.CallStarted) -> None:
        """Make the call's media afresh: a new peer and a new offer (aiortc has no ICE
        restart; the agent answers with a new peer too)."""
        await self._peer.close()
        self.report.media_renewals += 1
        self._mark("media_renewed")
        await self._peer.offer(started)
