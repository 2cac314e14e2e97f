"""The agent workstation's core: presence, the ringing offer, the call, chat, wrap-up.

``Workstation`` turns hub messages into state the UI shows and turns the
agent's intents (accept, hang up, send a chat line, wrap up, go ready) into
hub messages. It owns the ``CallSession`` of the current call. No widgets:
the UI subscribes to the events below and calls the async methods. Its
background work (answering an offer's SDP, ICE candidates, closing a call's
media) runs on the ``TaskOwner`` it is given, whose ``failed`` the UI shows.

The citizen is told what the agent's camera and microphone do (``media_state``): when
the call starts, and whenever the camera is turned off or on, found missing
(``set_camera_available``) or the microphone muted, so a dark picture has a reason on
the citizen's screen (``agent_media``: ``AgentMediaState``, here ``agent_media``). The
citizen's own ``media_state`` is kept with the call.

Events:
- ``presence_changed`` (``Presence``): the seat's state and mode per the hub
- ``offer_changed`` (``Offer | None``): a call is ringing, or stopped ringing
- ``call_changed`` (``ActiveCall | None``): a call started or ended
- ``chat_added`` (``ChatMessage``): a chat line in the current call
- ``peer_media_changed`` (``MediaState``): the citizen's camera or microphone changed
  (also kept as ``ActiveCall.peer_media``)
- ``wrap_up_needed`` (``WrapUpRequest``): a call ended; outcome and notes are due
- ``work_order_closed`` (``WorkOrderClosed``)
- ``media_renewed`` (``ActiveCall``): the call goes on with a fresh ``session`` (media
  made anew after a dropped link, see below); whoever hooked the old one hooks this one
- ``peer_link_changed`` (``bool``): the citizen's link to the hub dropped (False; the hub
  keeps the call for its grace period) or is back (True)
- ``notice`` (``Notice``): something the agent should read (errors from the hub; a
  call whose media failed, code ``media_failed``; an ICE configuration from the hub
  that our peers cannot use, code ``bad_ice_config``)

A dropped link does not end the call here: the hub keeps it for its grace period, the
link logs in again, and the hub sends ``call_started`` again for the same call (a
``presence`` that is not ``on_call`` instead says the call ended meanwhile). The
citizen, the caller, then makes a fresh offer; aiortc has no ICE restart, so a second
offer for the current call replaces the call's ``CallSession`` with a new peer that
answers it (``media_renewed``). The same happens when the citizen's link comes back.

Each call's peer uses the ICE servers and policy of the hub's latest ``Welcome``
(``ice``): TURN credentials are renewed with every login.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

import av

from seat_client.call.agent_media import AgentMediaState
from seat_client.call.call_state import ActiveCall as ActiveCall
from seat_client.call.call_state import ClosedWorkOrder as ClosedWorkOrder
from seat_client.call.call_state import Notice as Notice
from seat_client.call.call_state import WrapUpRequest as WrapUpRequest
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.queue_model import QueueModel
from seat_client.call.session import CallPhase, CallSession
from seat_client.media.audio_mix import VoiceMixer
from seat_client.media.devices import SeatMedia, SyntheticMedia
from seat_common import protocol
from seat_common.events import Event
from seat_common.media.ice_policy import IceConfig, IceConfigError
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)
#: The task that closes an ended call's media.
_CLOSE_CALL = "close-call"


class Workstation:
    """One agent's seat, driven by the hub link."""

    def __init__(
        self,
        link: HubLink,
        *,
        media: SeatMedia | None = None,
        clock: Callable[[], float] = time.time,
        tasks: TaskOwner | None = None,
    ) -> None:
        self.link = link
        #: the seat's devices: each call takes its tracks here and plays the citizen on them
        self.media: SeatMedia = media or SyntheticMedia()
        self._clock = clock
        self.queue = QueueModel(clock)
        self.welcome: protocol.Welcome | None = None
        #: the STUN/TURN servers and policy from the latest welcome
        self.ice = IceConfig()
        #: this PC's own ICE rule (settings ``ice_policy``): "relay" keeps its media on the
        #: hub's TURN relays even when the hub's policy allows direct paths
        self.ice_policy: protocol.IcePolicy = "all"
        self.presence = protocol.Presence(state="offline", mode="video")
        self.offer: protocol.Offer | None = None
        self.call: ActiveCall | None = None
        self.wrap_up: WrapUpRequest | None = None
        self.history: list[ClosedWorkOrder] = []
        self.presence_changed: Event[protocol.Presence] = Event()
        self.offer_changed: Event[protocol.Offer | None] = Event()
        self.call_changed: Event[ActiveCall | None] = Event()
        self.chat_added: Event[protocol.ChatMessage] = Event()
        self.peer_media_changed: Event[protocol.MediaState] = Event()
        self.wrap_up_needed: Event[WrapUpRequest] = Event()
        self.work_order_closed: Event[protocol.WorkOrderClosed] = Event()
        self.media_renewed: Event[ActiveCall] = Event()
        self.peer_link_changed: Event[bool] = Event()
        self.notice: Event[Notice] = Event()
        self._tasks = tasks or TaskOwner("workstation")
        #: the agent's camera and microphone buttons, and telling the citizen of the call
        self.agent_media = AgentMediaState(
            link.send, self._tasks,
            lambda: self.call.started.call_id if self.call is not None else "")
        self._ended_calls: dict[str, ActiveCall] = {}
        self._unhear: Callable[[], None] = lambda: None
        #: asked before the session's first "ready" (the pre-call device check): False stays
        self.before_first_ready: Callable[[], Awaitable[bool]] | None = None
        self._ready_once = False
        #: a second voice mixed into what the agent hears of the citizen (a consulted
        #: colleague's, ``consult_desk``); None when there is none
        self.side_voice: VoiceMixer | None = None
        #: more voices mixed into what the agent hears (a joined supervisor's, ``hear_also``)
        self._more_heard: list[VoiceMixer] = []
        link.welcome.connect(self._on_welcome)
        link.message.connect(self._on_message)
        link.state_changed.connect(self._on_link_state)

    # --- intents ---------------------------------------------------------------

    async def accept(self) -> None:
        if self.offer is None:
            return
        await self.link.send(protocol.Accept(self.offer.call_id))

    async def decline(self) -> None:
        if self.offer is None:
            return
        await self.link.send(protocol.Decline(self.offer.call_id))

    async def hang_up(self) -> None:
        if self.call is not None:
            await self.link.send(protocol.Hangup(self.call.started.call_id))

    async def send_chat(self, text: str) -> None:
        text = text.strip()
        if self.call is None or not text:
            return
        await self.link.send(protocol.Chat(self.call.started.call_id, text[:2000]))

    async def submit_wrap_up(self, outcome: protocol.Outcome, notes: str) -> None:
        if self.wrap_up is None:
            return
        await self.link.send(
            protocol.WrapUp(self.wrap_up.work_order_id, outcome, notes.strip()[:2000])
        )

    async def set_ready(self) -> None:
        """Go ready; the first time in a session, ``before_first_ready`` may say not yet."""
        check = None if self._ready_once else self.before_first_ready
        if check is not None and not await check():
            return
        self._ready_once = True
        await self.link.send(protocol.SetState("ready"))

    async def set_away(self, reason: protocol.AwayReason) -> None:
        await self.link.send(protocol.SetState("away", reason))

    async def set_mode(self, mode: protocol.SeatMode) -> None:
        await self.link.send(protocol.SetMode(mode))

    @property
    def microphone_muted(self) -> bool:
        return self.agent_media.microphone_muted

    @property
    def camera_enabled(self) -> bool:
        return self.agent_media.camera_enabled

    @property
    def camera_available(self) -> bool:
        return self.agent_media.camera_available

    def set_microphone_muted(self, muted: bool) -> None:
        if self.call is not None:
            self.call.session.set_microphone_muted(muted)
        self.agent_media.set_microphone_muted(muted)

    def set_camera_enabled(self, enabled: bool) -> None:
        if self.call is not None:
            self.call.session.set_camera_enabled(enabled)
        self.agent_media.set_camera_enabled(enabled)

    def set_camera_available(self, available: bool) -> None:
        """Whether the agent has a working camera; the citizen in a call is told."""
        self.agent_media.set_camera_available(available)

    def media_state(self, call_id: str) -> protocol.MediaState:
        """What the citizen of call ``call_id`` is told of the agent's camera and microphone."""
        return self.agent_media.state(call_id)

    async def close(self) -> None:
        """Hang up media, stop background work and the link (on quit)."""
        if self.call is not None:
            await self.call.session.close()
        # A call that just ended is still closing its peer: let it finish, or aiortc's
        # transports would run on with nobody to stop them.
        await self._tasks.wait(_CLOSE_CALL)
        await self._tasks.close()
        await self.link.stop()

    # --- hub messages ------------------------------------------------------------

    def _on_welcome(self, welcome: protocol.Welcome) -> None:
        self.welcome = welcome
        policy = "relay" if self.ice_policy == "relay" else welcome.ice_policy
        self.ice = IceConfig(welcome.ice_servers, policy)
        try:
            self.ice.rtc_configuration()
        except IceConfigError as exc:
            # Kept as sent: each call's peer then fails with this reason, and no internal
            # address leaves under a relay-only policy we could not follow.
            mine = self.ice_policy == "relay" and welcome.ice_policy != "relay"
            whose = "this PC's ice_policy = relay" if mine else "the hub's ICE servers"
            self.notice.emit(Notice("bad_ice_config", f"{whose}: {exc}"))

    def _on_link_state(self, state: LinkState) -> None:
        if state in (LinkState.DISCONNECTED, LinkState.UNTRUSTED, LinkState.REFUSED,
                     LinkState.STOPPED):
            self.queue.clear()
            if self.offer is not None:
                self._set_offer(None)
            self._set_presence(protocol.Presence(state="offline", mode=self.presence.mode))
        if state is LinkState.REFUSED and self.link.refusal is not None:
            self.notice.emit(Notice(self.link.refusal.code, self.link.refusal.message))

    def _on_message(self, message: protocol.Message) -> None:
        match message:
            case protocol.Presence():
                if self.call is not None and message.state != "on_call":
                    self._call_gone_meanwhile(self.call)
                self._set_presence(message)
            case protocol.QueueSnapshot():
                self.queue.replace(message.entries)
            case protocol.Offer():
                self._set_offer(message)
            case protocol.OfferWithdrawn():
                if self.offer is not None and self.offer.call_id == message.call_id:
                    self._set_offer(None)
            case protocol.CallStarted():
                if self.call is not None and self.call.started.call_id == message.call_id:
                    log.info("call %s resumed after a dropped link", message.call_id)
                    self._expect_fresh_offer(self.call)
                else:
                    self._start_call(message)
            case protocol.PeerLink():
                if self.call is not None and self.call.started.call_id == message.call_id:
                    if message.up:
                        self._expect_fresh_offer(self.call)
                    self.peer_link_changed.emit(message.up)
            case protocol.Sdp() | protocol.Ice():
                self._to_session(message)
            case protocol.MediaState():
                if self.call is not None and self.call.started.call_id == message.call_id:
                    self.call.peer_media = message
                    self.peer_media_changed.emit(message)
            case protocol.ChatMessage():
                if self.call is not None and self.call.started.call_id == message.call_id:
                    self.call.chat.append(message)
                    self.chat_added.emit(message)
            case protocol.CallEnded():
                self._end_call(message)
            case protocol.WorkOrderClosed():
                self._close_work_order(message)
            case protocol.Error():
                self.notice.emit(Notice(message.code, message.message))
            case _:
                log.debug("ignored %s", type(message).__name__)

    def _set_presence(self, presence: protocol.Presence) -> None:
        if presence != self.presence:
            self.presence = presence
            self.presence_changed.emit(presence)
        if (
            presence.state == "wrap_up"
            and presence.work_order_id
            and self.call is None
            and self.wrap_up is None
        ):
            # Back after a crash or a dropped link: the hub still owes this wrap-up.
            self.wrap_up = WrapUpRequest(
                work_order_id=presence.work_order_id,
                item_name="",
                ended_by="hub",
                reason="disconnected",
                duration_s=0.0,
            )
            self.wrap_up_needed.emit(self.wrap_up)

    def _set_offer(self, offer: protocol.Offer | None) -> None:
        self.offer = offer
        self.offer_changed.emit(offer)

    def _start_call(self, started: protocol.CallStarted) -> None:
        offer = self.offer if self.offer and self.offer.call_id == started.call_id else None
        if self.offer is not None:
            self._set_offer(None)
        self.call = ActiveCall(started, offer, self._new_session(started), self._clock())
        self.call_changed.emit(self.call)
        self.agent_media.tell(again=True)

    def _new_session(self, started: protocol.CallStarted) -> CallSession:
        camera, microphone = self.media.call_media()
        session = CallSession(
            started.call_id, started.media, self.link.send, camera=camera, microphone=microphone,
            tasks=self._tasks.child(f"call {started.call_id}"), ice=self.ice,
        )
        session.phase_changed.connect(lambda phase: self._on_call_phase(session, phase))
        self._unhear()
        self._unhear = session.remote_audio.connect(self._hear)
        session.set_microphone_muted(self.microphone_muted)
        session.set_camera_enabled(self.camera_enabled)
        return session

    def _hear(self, frame: av.AudioFrame) -> None:
        side = self.side_voice
        if side is not None:
            frame = side.mix(frame)
        for voice in tuple(self._more_heard):
            frame = voice.mix(frame)
        self.media.hear(frame)

    def hear_also(self, voice: VoiceMixer) -> Callable[[], None]:
        """Mix ``voice`` into what the agent hears of the call (beside ``side_voice``); the
        returned function takes it out again."""
        self._more_heard.append(voice)

        def take_out() -> None:
            if voice in self._more_heard:
                self._more_heard.remove(voice)

        return take_out

    def _expect_fresh_offer(self, call: ActiveCall) -> None:
        """A link came back: the citizen will offer afresh, maybe trickling candidates
        first, so the new peer is made now to keep them (``seat_common.media.trickle``)."""
        if call.session.offer_taken:
            self._renew_media(call)

    def _renew_media(self, call: ActiveCall) -> None:
        """The citizen offers afresh (a link dropped and came back): a new peer answers."""
        old = call.session
        call.session = self._new_session(call.started)
        self._tasks.spawn(old.close(), "close-renewed-media")
        log.info("call %s: media made afresh", call.started.call_id)
        self.media_renewed.emit(call)
        self.agent_media.tell(again=True)

    def _call_gone_meanwhile(self, call: ActiveCall) -> None:
        """Back after a dropped link, the hub says we are not in the call: it ended."""
        self._end_call(
            protocol.CallEnded(call.started.call_id, call.work_order_id, "hub", "disconnected")
        )

    def _on_call_phase(self, session: CallSession, phase: CallPhase) -> None:
        if phase is CallPhase.FAILED and self.call is not None and self.call.session is session:
            self.notice.emit(Notice("media_failed", session.failure))

    def _to_session(self, message: protocol.Sdp | protocol.Ice) -> None:
        call = self.call
        if call is None or call.started.call_id != message.call_id:
            log.warning("signaling for a call that is not ours: %s", message.call_id)
            return
        if isinstance(message, protocol.Sdp):
            if message.sdp_type == "offer":
                if call.session.offer_taken:
                    self._renew_media(call)
                call.session.offer_taken = True
            self._tasks.spawn(call.session.handle_sdp(message), "answer")
        else:
            self._tasks.spawn(call.session.handle_ice(message), "ice")

    def _end_call(self, ended: protocol.CallEnded) -> None:
        call = self.call
        if call is None or call.started.call_id != ended.call_id:
            return
        self.call = None
        self._unhear()
        self.media.stop_hearing()
        self._tasks.spawn(call.session.close(), _CLOSE_CALL)
        self.call_changed.emit(None)
        if ended.reason == "transferred":
            return  # handed on (``transfer_desk``): the work order is not ours to wrap up
        self._ended_calls[call.work_order_id] = call
        self.wrap_up = WrapUpRequest(
            work_order_id=call.work_order_id,
            item_name=call.started.item_name,
            ended_by=ended.ended_by,
            reason=ended.reason,
            duration_s=self._clock() - call.started_at,
        )
        self.wrap_up_needed.emit(self.wrap_up)

    def _close_work_order(self, closed: protocol.WorkOrderClosed) -> None:
        call = self._ended_calls.pop(closed.work_order_id, None)
        if self.wrap_up is not None and self.wrap_up.work_order_id == closed.work_order_id:
            self.wrap_up = None
        if call is not None:
            self.history.append(
                ClosedWorkOrder(
                    work_order_id=closed.work_order_id,
                    item_name=call.started.item_name,
                    channel=call.started.channel,
                    outcome=closed.outcome,
                    closed_at=self._clock(),
                    chat_lines=len(call.chat),
                )
            )
        self.work_order_closed.emit(closed)
