"""The agent's side of a consult (warm transfer) and of a three-way call.

``ConsultDesk`` sits beside the ``Workstation`` on the same hub link. The host (the agent
of the call) sends ``consult``: the hub puts the citizen on hold and rings a colleague
(the guest), whose desk shows the ringing consult with what the host knew (``state``,
``info``) and answers it (``answer``). Once answered, the two talk on a WebRTC peer of
their own (``ConsultPeer``: the host offers, ``consult_sdp``); the citizen's peer is not
touched. The host then chooses (``choose``): ``return``, ``three_way`` or
``hand_over``; the guest may ``return`` (leave).

Three-way: the host's workstation is the centre (docs/protocol.md). The consult peer
carries, from the start, the host's voice, the host's camera and a second video section
fed with the citizen's picture once three-way (dark until then, so nothing is
renegotiated); the citizen's voice is mixed into what the guest hears, and the guest's
voice into what the citizen hears (the call microphone's ``mixer``) and into what the
host hears (``Workstation.side_voice``, while the consult lasts). Pictures are forwarded
encoded (``seat_client.media.forwarding``): the citizen's to the guest, the guest's to the
citizen, and the host's camera as encoded for the citizen to the guest (encoded once).

Hand over: the hub offers the guest's seat the citizen's call as a named transfer (with
the note, verdicts, materials, chat and form); this desk accepts that offer at once.

Events: ``changed`` (``ConsultState | None``: the consult as the hub last said, None
once it is over), ``frame_arrived`` (a new picture from the colleague in ``frames``, or
of the citizen relayed by the host in ``second_frames``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

import av
from aiortc import RTCBundlePolicy, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from seat_client.call.session import FrameSlot
from seat_client.call.workstation import Workstation
from seat_client.media.audio_mix import VoiceMixer
from seat_client.media.forwarding import RelayVideoTrack, tap_first_video
from seat_common import protocol
from seat_common.events import Event
from seat_common.media import ice_policy
from seat_common.media.frame_assembly import install_frame_assembly
from seat_common.media.ice_policy import IceConfigError
from seat_common.media.rtp_costs import install_inline_audio
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)


class ConsultError(Exception):
    """A consult intent that cannot be sent now; the message is Chinese, for the agent."""


class ConsultPeer:
    """One seat's peer of a consult: its own camera and voice out, the colleague's in."""

    def __init__(self, ws: Workstation, state: protocol.ConsultState, consumers: TaskOwner
                 ) -> None:
        self.ws = ws
        self.role = state.role
        self.consult_id = state.consult_id
        configuration, self.ice_problem = ws.ice.peer_configuration()
        # Both video sections on one transport from the start (see ``CallSession``: aiortc's
        # balanced policy would route the second section to the first one's receiver).
        configuration.bundlePolicy = RTCBundlePolicy.MAX_BUNDLE
        self.pc = RTCPeerConnection(configuration)
        self.camera, self.microphone = ws.media.call_media()
        #: the host's second video section: the citizen's picture once three-way
        self.relay = RelayVideoTrack()
        #: (host) what the camera section sends: this peer's camera while talking; once
        #: three-way, the frames encoded for the citizen (the same picture, encoded once)
        self.camera_out = RelayVideoTrack()
        #: the colleague's camera; (guest) the citizen's picture relayed by the host
        self.frames = FrameSlot()
        self.second_frames = FrameSlot()
        self.audio_frames = 0
        self.frame_arrived: Event[None] = Event()
        self.consumers = consumers
        self.three_way = False
        #: (host) the guest's voice, for the citizen in a three-way call
        self.to_citizen = VoiceMixer()
        self._untap: list[Callable[[], None]] = []
        self.pc.on("track", self._on_track)

    async def offer(self) -> protocol.ConsultSdp | None:
        """(Host) the offer: voice, camera and the (dark) relay section."""
        ice_policy.apply_from_environment()
        self.pc.addTrack(self.microphone)
        self.pc.addTrack(self.camera_out)
        self.pc.addTrack(self.relay)
        self.camera_out.attach(self.pc)
        self.relay.attach(self.pc)
        self.consumers.spawn(self._pump_camera(), "consult-camera", report=False)
        # Frames go on to the screen (and to the citizen, in three-way) as soon as whole:
        # aiortc's own buffers would hold each one a frame interval (video) or four packets.
        install_frame_assembly(self.pc)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        if not self._gathered():
            return None
        return protocol.ConsultSdp(self.consult_id, "offer", self.pc.localDescription.sdp)

    async def answer(self, sdp: str) -> protocol.ConsultSdp | None:
        """(Guest) answer the host's offer with this seat's voice and camera."""
        ice_policy.apply_from_environment()
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        install_frame_assembly(self.pc)  # as the host's, for what it relays from the citizen
        install_inline_audio(self.pc)  # voice coded on the loop, as on the call
        self.pc.addTrack(self.microphone)
        self.pc.addTrack(self.camera)
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        if not self._gathered():
            return None
        return protocol.ConsultSdp(self.consult_id, "answer", self.pc.localDescription.sdp)

    async def answered(self, sdp: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp, "answer"))
        install_inline_audio(self.pc)  # voice coded on the loop, as on the call

    def _gathered(self) -> bool:
        try:
            if self.ice_problem:
                raise IceConfigError(self.ice_problem)
            self.ws.ice.check_gathered(self.pc.localDescription.sdp)
        except IceConfigError as exc:
            log.warning("consult %s cannot connect: %s", self.consult_id, exc)
            return False
        return True

    def go_three_way(self) -> None:
        """(Host) relay the citizen to the guest and the guest to the citizen."""
        call = self.ws.call
        if self.three_way or call is None:
            return
        self.three_way = True
        session = call.session
        to_guest = VoiceMixer()
        self.microphone.mixer = to_guest
        session.microphone.mixer = self.to_citizen
        # Each picture goes on as it came, encoded (seat_client.media.forwarding); the
        # decoded one is fed too, sent while forwarding waits for a key frame or cannot work.
        self.relay.forward_from(session.camera_tap())
        session.relay.forward_from(tap_first_video(self.pc))
        self.camera_out.forward_from(session.camera_sent())
        self._untap += [session.remote_video.connect(self.relay.feed),
                        session.remote_audio.connect(to_guest.add),
                        lambda: session.relay.forward_from(None)]

    async def _pump_camera(self) -> None:
        """(Host) this peer's camera to its camera section, sent while nothing is forwarded."""
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await self.camera.recv()
                if isinstance(frame, av.VideoFrame):
                    self.camera_out.feed(frame)

    def _on_track(self, track: MediaStreamTrack) -> None:
        videos = [t for t in self.pc.getTransceivers() if t.kind == "video"]
        second = any(t.receiver.track is track for t in videos[1:2])
        slot = self.second_frames if second else self.frames

        async def read() -> None:
            with contextlib.suppress(MediaStreamError):
                while True:
                    frame = await track.recv()
                    if isinstance(frame, av.AudioFrame):
                        self.audio_frames += 1
                        self._heard(frame)
                    else:
                        slot.put(frame)
                        self.frame_arrived.emit(None)
                        if self.three_way and slot is self.frames and isinstance(
                                frame, av.VideoFrame):
                            self._relay_to_citizen(frame)

        self.consumers.spawn(read(), f"consult-{track.kind}", report=False)

    def _relay_to_citizen(self, frame: av.VideoFrame) -> None:
        call = self.ws.call
        if call is not None:
            call.session.relay.feed(frame)

    def _heard(self, frame: av.AudioFrame) -> None:
        if self.role == "guest":
            self.ws.media.hear(frame)
            return
        side = self.ws.side_voice
        if side is not None:
            side.add(frame)
        if self.three_way:
            self.to_citizen.add(frame)

    async def close(self) -> None:
        for untap in self._untap:
            untap()
        self._untap.clear()
        call = self.ws.call
        if call is not None and call.session.microphone.mixer is self.to_citizen:
            call.session.microphone.mixer = None
        await self.consumers.close()
        for track in (self.camera, self.microphone, self.relay, self.camera_out):
            track.stop()
        await self.pc.close()
        if self.role == "guest":
            self.ws.media.stop_hearing()


class ConsultDesk:
    """Consults of one workstation, as host or guest (see the module's docstring)."""

    def __init__(self, workstation: Workstation, tasks: TaskOwner | None = None) -> None:
        self.ws = workstation
        self.state: protocol.ConsultState | None = None
        self.changed: Event[protocol.ConsultState | None] = Event()
        self.frame_arrived: Event[None] = Event()
        self.peer: ConsultPeer | None = None
        #: the work order handed over to this seat: its offer is accepted at once
        self._taking = ""
        self._tasks = tasks or TaskOwner("consult")
        self._stop_hearing = workstation.link.message.connect(self._on_message)

    @property
    def frames(self) -> FrameSlot | None:
        return self.peer.frames if self.peer is not None else None

    @property
    def second_frames(self) -> FrameSlot | None:
        return self.peer.second_frames if self.peer is not None else None

    # --- intents -----------------------------------------------------------------

    async def consult(self, to_kind: protocol.TransferTo, to: str, note: str = "",
                      form: Iterable[tuple[str, str]] = ()) -> None:
        """Put the citizen on hold and call ``to`` (an agent id, item or theme code)."""
        call = self.ws.call
        if call is None:
            raise ConsultError("当前没有通话，无法会商")
        if self.state is not None:
            raise ConsultError("已在会商中")
        values = tuple(protocol.FormValue(name=k[:64], value=v[:500]) for k, v in form if k)
        await self.ws.link.send(protocol.Consult(
            call_id=call.started.call_id, to_kind=to_kind, to=to, note=note[:500],
            form=values[:100]))

    async def answer(self, accept: bool) -> None:
        state = self.state
        if state is None or state.role != "guest" or state.phase != "ringing":
            raise ConsultError("没有等待接听的会商")
        await self.ws.link.send(protocol.ConsultAnswer(state.consult_id, accept))

    async def choose(self, choice: protocol.ConsultChoiceKind) -> None:
        state = self.state
        if state is None:
            raise ConsultError("当前没有会商")
        await self.ws.link.send(protocol.ConsultChoice(state.consult_id, choice))

    async def close(self) -> None:
        """Drop the consult's peer and end the desk's tasks. The link outlives the desk (the
        seat closes it later): what the hub says from now on is no longer heard here, as it
        could only start tasks on a closed owner."""
        self._stop_hearing()
        await self._drop_peer()
        await self._tasks.close()

    # --- hub messages --------------------------------------------------------------

    def _on_message(self, message: protocol.Message) -> None:
        match message:
            case protocol.ConsultState():
                self._on_state(message)
            case protocol.ConsultSdp():
                self._on_sdp(message)
            case protocol.Offer() if message.work_order_id == self._taking:
                self._taking = ""
                self._spawn(self.ws.accept(), "take-handed-over-call")
            case _:
                pass

    def _on_state(self, state: protocol.ConsultState) -> None:
        if state.phase == "ended":
            if state.reason == "handed_over" and state.role == "guest":
                self._taking = state.work_order_id
            self.state = None
            self._spawn(self._drop_peer(), "consult-ended")
            self.changed.emit(state)
            self.changed.emit(None)
            return
        self.state = state
        if state.phase in ("talking", "three_way") and self.peer is None:
            self.peer = ConsultPeer(self.ws, state,
                                    self._tasks.child(f"consult {state.consult_id}"))
            self.peer.frame_arrived.connect(self.frame_arrived.emit)
            if state.role == "host":
                self.ws.side_voice = VoiceMixer()
                self._spawn(self._offer(self.peer), "consult-offer")
        if state.phase == "three_way" and self.peer is not None and state.role == "host":
            self.peer.go_three_way()
        self.changed.emit(state)

    def _on_sdp(self, message: protocol.ConsultSdp) -> None:
        peer = self.peer
        if peer is None or peer.consult_id != message.consult_id:
            log.warning("consult SDP for a consult not ours: %s", message.consult_id)
            return
        if peer.role == "guest" and message.sdp_type == "offer":
            self._spawn(self._answer(peer, message.sdp), "consult-answer")
        elif peer.role == "host" and message.sdp_type == "answer":
            self._spawn(peer.answered(message.sdp), "consult-answered")

    async def _offer(self, peer: ConsultPeer) -> None:
        offer = await peer.offer()
        if offer is not None:
            await self.ws.link.send(offer)
        else:
            await self.ws.link.send(protocol.ConsultChoice(peer.consult_id, "return"))

    async def _answer(self, peer: ConsultPeer, sdp: str) -> None:
        answer = await peer.answer(sdp)
        if answer is not None:
            await self.ws.link.send(answer)
        else:
            await self.ws.link.send(protocol.ConsultChoice(peer.consult_id, "return"))

    async def _drop_peer(self) -> None:
        peer, self.peer = self.peer, None
        if peer is None:
            return
        if peer.role == "host":
            self.ws.side_voice = None
        await peer.close()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.spawn(coro, name)
