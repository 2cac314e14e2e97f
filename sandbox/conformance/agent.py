"""The conformance agent: a scripted agent seat that serves calls from a client under test
and writes a ``ConformanceReport`` of each.

It logs in to the hub as an agent (``Hello`` with the seat's token), goes ready, and for
each offer: accepts; keeps the client's candidates from ``call_started`` on (trickled
ones may come before the offer, ``seat_common.media.trickle``); checks and answers the SDP
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
(``call_media``); its link keeps every message in order (``inbox``). The agent takes a
call through its steps; the checks of the media (``media_checks``) and of the features
(``feature_checks``) are beside it, and what it is told in ``script``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sandbox.conformance.call_media import CallMedia
from sandbox.conformance.feature_checks import FeatureSteps
from sandbox.conformance.inbox import HubInbox, LinkError
from sandbox.conformance.media_checks import MediaSteps
from sandbox.conformance.report import ConformanceReport, Outcome, Step
from sandbox.conformance.script import AgentScript, ConformanceError
from seat_common import protocol, tls
from seat_common.media.ice_policy import IceConfig, IceConfigError
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)


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
        media_steps = MediaSteps(self._link, s, self._role, self.ice)
        features = FeatureSteps(self._link, s, self._role, lambda: self._media)
        await self._link.send(protocol.MediaState(started.call_id, "on", "on"))
        if not await media_steps.answer(report, started, media, mark):
            await self._hang_up(report, mark)
            return
        await media_steps.flows(report, started, media)
        # Chat and materials go through the hub: they are checked even without media.
        await features.exchange(report, started, mark)
        said = self._link.find(protocol.MediaState, mark,
                               lambda m: m.call_id == started.call_id)
        report.notes.append(
            f"the client said its camera is {said.camera} and its microphone {said.microphone}"
            if said is not None else
            "the client sent no media_state (see \"Camera and microphone state\")")
        if s.resume_wait_s > 0:
            await features.resume(report, started)
        await self._hang_up(report, mark)
        await self._link.send(protocol.WrapUp(
            started.work_order_id,
            "pre_reviewed" if report.outcome(Step.VERDICT) is Outcome.PASS else "resolved",
            "conformance kit"))
        await features.rating(report, started.work_order_id)
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
