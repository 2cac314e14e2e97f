"""The agent's side of a supervisor watching the call: a one-way stream out, a voice in.

When the hub says a supervisor watches this seat's call (``WatchState``
``watching``), ``WatchRelay`` opens a second WebRTC peer, towards the
supervisor, and offers it: the citizen's camera as the agent sees it (every
decoded frame, newest wins) and the call's two voices mixed (the citizen's,
with the agent's own added). The citizen's connection is not touched, so a
watch can neither stall nor renegotiate the call.

The supervisor's microphone comes back on the same peer. While the watch is
``barging`` its frames are mixed into what the citizen hears (through the
call microphone's ``mixer``; a muted agent does not mute the supervisor);
otherwise they are read and dropped. There is no sound device on a counter
PC without a headset, so the agent's own earpiece is left to the platform.

If the peer fails, the relay tells the hub (``StopWatch``) and the watch
ends for both. ``watch_changed`` carries the current ``WatchState`` (or
``None`` when no one watches) for the "being watched" indicator.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import av
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from seat_client.call.workstation import ActiveCall, Workstation
from seat_client.media.audio_mix import VoiceMixer
from seat_client.media.fed_tracks import FedAudioTrack, FedVideoTrack
from seat_common import ice_policy, protocol
from seat_common.events import Event
from seat_common.ice_policy import IceConfigError
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)


class _Watched:
    """One watch of the current call: its peer, its tracks and its taps."""

    def __init__(self, state: protocol.WatchState, call: ActiveCall, consumers: TaskOwner
                 ) -> None:
        self.state = state
        self.call = call
        # The call's own ICE servers and policy (relay-only holds for the watch too).
        configuration, self.ice_problem = call.session.ice.peer_configuration()
        self.pc = RTCPeerConnection(configuration)
        self.video = FedVideoTrack() if call.started.media == "video" else None
        self.audio = FedAudioTrack()
        self.barge = VoiceMixer()
        self.supervisor_frames = 0
        #: reads the supervisor's voice; closed with the watch
        self.consumers = consumers
        session = call.session
        self._untap: list[Callable[[], None]] = [
            session.remote_audio.connect(self.audio.feed),
            session.microphone.voice.connect(self.audio.mixer.add),
        ]
        if self.video is not None:
            self._untap.append(session.remote_video.connect(self.video.feed))
        session.microphone.mixer = self.barge

    @property
    def barging(self) -> bool:
        return self.state.phase == "barging"

    def untap(self) -> None:
        for untap in self._untap:
            untap()
        self._untap.clear()
        if self.call.session.microphone.mixer is self.barge:
            self.call.session.microphone.mixer = None


class WatchRelay:
    """Follows ``WatchState`` for this seat's call and keeps the supervisor's peer."""

    def __init__(self, workstation: Workstation, tasks: TaskOwner | None = None) -> None:
        self._ws = workstation
        self._watched: _Watched | None = None
        self._tasks = tasks or TaskOwner("watch relay")
        self.watch_changed: Event[protocol.WatchState | None] = Event()
        workstation.link.message.connect(self._on_message)
        workstation.call_changed.connect(self._on_call_changed)

    @property
    def state(self) -> protocol.WatchState | None:
        return self._watched.state if self._watched is not None else None

    @property
    def supervisor_frames(self) -> int:
        """Frames of the supervisor's voice received in the current watch."""
        return self._watched.supervisor_frames if self._watched is not None else 0

    async def close(self) -> None:
        if self._watched is not None:
            await self._end()
        await self._tasks.close()

    # --- hub messages ---------------------------------------------------------------

    def _on_message(self, message: protocol.Message) -> None:
        if isinstance(message, protocol.WatchState):
            self._on_watch_state(message)
        elif isinstance(message, protocol.WatchSdp):
            watched = self._watched
            if watched is None or watched.state.watch_id != message.watch_id:
                return
            if message.sdp_type != "answer":
                log.warning("watch %s: unexpected SDP %s ignored", message.watch_id,
                            message.sdp_type)
                return
            self._spawn(self._answer_arrived(watched, message.sdp), "watch-answer")

    def _on_watch_state(self, state: protocol.WatchState) -> None:
        watched = self._watched
        if state.phase == "ended":
            if watched is not None and watched.state.watch_id == state.watch_id:
                self._spawn(self._end(state), "watch-end")
            return
        if watched is not None and watched.state.watch_id == state.watch_id:
            watched.state = state
            self.watch_changed.emit(state)
            return
        call = self._ws.call
        if call is None or call.started.call_id != state.call_id:
            log.warning("watch %s of a call not ours: %s", state.watch_id, state.call_id)
            self._spawn(self._ws.link.send(protocol.StopWatch(state.watch_id)), "watch-refuse")
            return
        if watched is not None:
            self._spawn(self._end(), "watch-replace")
        self._watched = _Watched(state, call, self._tasks.child(f"watch {state.watch_id}"))
        self.watch_changed.emit(state)
        self._spawn(self._offer(self._watched), "watch-offer")

    def _on_call_changed(self, call: ActiveCall | None) -> None:
        if call is None and self._watched is not None:
            # The hub ends the watch with the call; stop sending now, not a round trip later.
            self._spawn(self._end(), "watch-call-ended")

    # --- media ----------------------------------------------------------------------

    async def _offer(self, watched: _Watched) -> None:
        ice_policy.apply_from_environment()
        pc = watched.pc
        pc.on("track", lambda track: self._consume(watched, track))
        pc.on("connectionstatechange", lambda: self._on_connection_state(watched))
        if watched.video is not None:
            pc.addTrack(watched.video)
        pc.addTrack(watched.audio)
        await pc.setLocalDescription(await pc.createOffer())
        try:
            if watched.ice_problem:
                raise IceConfigError(watched.ice_problem)
            watched.call.session.ice.check_gathered(pc.localDescription.sdp)
        except IceConfigError as exc:
            log.warning("watch %s cannot connect: %s", watched.state.watch_id, exc)
            await self._ws.link.send(protocol.StopWatch(watched.state.watch_id))
            return
        await self._ws.link.send(
            protocol.WatchSdp(watched.state.watch_id, "offer", pc.localDescription.sdp)
        )

    async def _answer_arrived(self, watched: _Watched, sdp: str) -> None:
        await watched.pc.setRemoteDescription(RTCSessionDescription(sdp, "answer"))

    def _consume(self, watched: _Watched, track: MediaStreamTrack) -> None:
        async def read() -> None:
            with contextlib.suppress(MediaStreamError):
                while True:
                    frame = await track.recv()
                    if not isinstance(frame, av.AudioFrame):
                        continue
                    watched.supervisor_frames += 1
                    if watched.barging:
                        watched.barge.add(frame)

        watched.consumers.spawn(read(), "watch-supervisor-voice", report=False)

    def _on_connection_state(self, watched: _Watched) -> None:
        if watched.pc.connectionState == "failed" and watched is self._watched:
            log.warning("watch %s: the peer to the supervisor failed", watched.state.watch_id)
            self._spawn(self._ws.link.send(protocol.StopWatch(watched.state.watch_id)),
                        "watch-failed")

    async def _end(self, final: protocol.WatchState | None = None) -> None:
        watched, self._watched = self._watched, None
        if watched is None:
            return
        watched.untap()
        await watched.consumers.close()
        if watched.video is not None:
            watched.video.stop()
        watched.audio.stop()
        await watched.pc.close()
        log.info("watch %s ended (%s)", watched.state.watch_id,
                 final.reason if final is not None else "locally")
        self.watch_changed.emit(None)

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        # A watch that goes wrong is logged, not shown: the agent's call goes on regardless.
        self._tasks.spawn(coro, name, report=False)
