"""A simulated citizen: a real websocket client and a real aiortc peer, driven by a script.

``SimulatedCitizen`` follows protocol v1 on the citizen's side, as the web
page, the mini-program and the kiosks do: hello → join the queue → wait
(watching the position move, or leaving after a scripted wait) → on
``call_started`` it is the caller (when the call is recorded it first shows
the notice ``RECORDING_NOTICE``, kept in the report): it sends the SDP offer with a stamped
test-pattern camera (``sandbox.camera``) and a quiet tone, applies the
agent's answer and any trickled ICE, and consumes every remote track
(frames counted; the agent's video stamp read when it has one) → chats as
scripted, optionally replying to the agent → the agent hangs up, or it
hangs up itself after a scripted time → it closes the peer, rates the
contact if scripted, and leaves. Everything it saw ends up in a
``CitizenReport``.

Every message from the hub goes through ``protocol.decode``; a broken one
is recorded in the report, never a crash. Every task the citizen starts is
owned and cancelled when ``run`` returns; the one internal queue (wire
milestones from the reader to the script) is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from aiortc.sdp import candidate_from_sdp
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from sandbox.camera import HeardAudio, StampedCameraTrack, ToneAudioTrack, read_stamp
from sandbox.citizen_materials import CitizenMaterials
from seat_common import ice_policy, pii, protocol
from seat_common.protocol import Channel, MediaKind, Priority

log = logging.getLogger(__name__)

#: Websocket frame limit on the citizen's side (the protocol's own limit is lower).
MAX_FRAME_BYTES: Final = 1024 * 1024
#: At most this many wire milestones wait for the script; more means a flooding hub.
_MILESTONE_QUEUE: Final = 256
#: Report lists stop growing here.
_MAX_ERRORS: Final = 100
_MAX_CHATS: Final = 500
_MAX_AUTO_REPLIES: Final = 20
_MAX_PENDING_ICE: Final = 64
_MAX_LATENCIES: Final = 20_000
#: What the citizen is told before the media of a recorded call starts.
RECORDING_NOTICE: Final = "本次通话将录音录像"

M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class CitizenScript:
    """What a simulated citizen does, and when (seconds)."""

    #: Chat lines sent after the call starts, one every ``chat_interval_s``.
    chat_lines: tuple[str, ...] = ()
    chat_interval_s: float = 2.0
    #: Answer each agent chat message with ``reply_text`` (at most 20 times).
    reply_to_chat: bool = False
    reply_text: str = "好的，明白了，谢谢！"
    #: Hang up this long after the call starts; None waits for the agent.
    hangup_after_s: float | None = None
    #: Leave the queue after waiting this long; None waits for a call.
    leave_queue_after_s: float | None = None
    #: Rate the contact 1–10 after the call; None does not rate.
    rating_score: int | None = None
    rating_comment: str = ""
    #: After the call (and rating), wait this long for ``work_order_closed``.
    await_outcome_s: float = 0.0
    #: The camera the citizen sends (media "video").
    width: int = 640
    height: int = 480
    fps: float = 30.0
    #: How long to wait for the hub to answer a request (welcome, queued, ack, call_ended).
    reply_timeout_s: float = 10.0
    #: The whole run ends after this long, whatever happens.
    give_up_after_s: float = 900.0
    #: Document photos sent after the call starts, one after another, each
    #: "kind[:defect[:seed]]" (``sandbox.documents``), e.g. "id_back:exif_6".
    photos: tuple[str, ...] = ()
    photo_width: int = 4000
    photo_height: int = 3000
    #: Where rendered photos are kept ("" = the system temp dir).
    photo_cache_dir: str = ""

    def __post_init__(self) -> None:
        if self.rating_score is not None and not 1 <= self.rating_score <= 10:
            raise ValueError(f"rating_score must be 1–10, not {self.rating_score}")
        for name in ("chat_interval_s", "reply_timeout_s", "give_up_after_s", "fps"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")


@dataclass
class CitizenReport:
    """What one simulated citizen did and saw. Times are ``time.time()`` seconds."""

    name: str
    id_number: str
    phone: str
    hall: str
    item_code: str
    channel: str
    priority: str
    media: str
    session_id: str = ""
    work_order_id: str = ""
    item_name: str = ""
    queued_position: int | None = None
    expected_wait_s: float | None = None
    last_position: int | None = None
    position_updates: int = 0
    left_queue: bool = False
    call_id: str = ""
    peer_name: str = ""
    call_started_at: float | None = None
    #: The notice shown before the media started ("" when the call was not recorded).
    recording_notice: str = ""
    call_ended_at: float | None = None
    #: "agent", "citizen", "hub", "kiosk" (from call_ended), "left_queue", or
    #: "disconnected" / "gave_up" / "error" when the run ended abnormally; "" if no call.
    ended_by: str = ""
    end_reason: str = ""
    media_state: str = ""  # the peer connection's last state
    frames_received: int = 0  # the agent's video
    video_sizes: dict[str, int] = field(default_factory=dict)  # "640x480" → frames
    stamped_frames: int = 0  # frames whose sandbox stamp could be read
    video_latency_ms_p50: float | None = None  # of stamped frames
    audio_frames_received: int = 0
    chats_sent: list[str] = field(default_factory=list)
    chats_delivered: int = 0  # our own chat lines echoed back by the hub
    chats_received: list[str] = field(default_factory=list)  # the agent's texts
    rated: bool = False
    rating_score: int | None = None
    outcome: str = ""  # from work_order_closed, if it came
    errors: list[str] = field(default_factory=list)
    protocol_errors: int = 0  # frames from the hub that failed protocol.decode
    hub_errors: int = 0  # ``error`` messages from the hub
    timestamps: dict[str, float] = field(default_factory=dict)
    #: Materials: uploads and what became of them, verdicts, annotated images
    #: (``CitizenMaterials.report``).
    materials: dict[str, Any] = field(default_factory=dict)

    @property
    def got_call(self) -> bool:
        return self.call_started_at is not None

    def to_json_dict(self, *, mask_personal_data: bool = True) -> dict[str, Any]:
        """The report as JSON-ready data; ID, phone and name masked unless told otherwise."""
        data = asdict(self)
        if mask_personal_data:
            data["name"] = pii.mask_name(self.name)
            data["id_number"] = pii.mask_id_number(self.id_number)
            data["phone"] = pii.mask_phone(self.phone)
            data["chats_sent"] = [pii.mask_text(t) for t in self.chats_sent]
            data["chats_received"] = [pii.mask_text(t) for t in self.chats_received]
            data["errors"] = [pii.mask_text(t) for t in self.errors]
        return data


class _Finished(Exception):
    """The script cannot go on (the hub refused, closed, or stopped answering)."""

    def __init__(self, ended_by: str, why: str) -> None:
        super().__init__(why)
        self.ended_by = ended_by


class SimulatedCitizen:
    """One citizen on one connection for one contact; ``run`` once."""

    def __init__(
        self,
        hub_url: str,
        item_code: str,
        channel: Channel,
        name: str,
        id_number: str = "",
        phone: str = "",
        hall: str = "",
        priority: Priority = "normal",
        media: MediaKind = "video",
        script: CitizenScript | None = None,
    ) -> None:
        self.hub_url = hub_url
        self.item_code = item_code
        self.channel: Channel = channel
        self.citizen = protocol.CitizenInfo(name=name, id_number=id_number, phone=phone, hall=hall)
        self.priority: Priority = priority
        self.media: MediaKind = media
        self.script = script if script is not None else CitizenScript()
        self.report = CitizenReport(
            name=name,
            id_number=id_number,
            phone=phone,
            hall=hall,
            item_code=item_code,
            channel=channel,
            priority=priority,
            media=media,
        )
        self._ws: ClientConnection | None = None
        self._milestones: asyncio.Queue[protocol.Message | None] = asyncio.Queue(_MILESTONE_QUEUE)
        self._tasks: set[asyncio.Task[None]] = set()
        self._pc: RTCPeerConnection | None = None
        self._local_tracks: list[Any] = []
        self._call_id = ""
        self._remote_description_set = False
        self._pending_ice: list[protocol.Ice] = []
        self._auto_replies = 0
        self._latencies: deque[float] = deque(maxlen=_MAX_LATENCIES)
        #: The last second of the agent's side of the call, to tell whose voice got through.
        self.heard = HeardAudio()
        self._ran = False
        self.materials = CitizenMaterials(
            self._send,
            self._send_binary,
            photo_size=(self.script.photo_width, self.script.photo_height),
            cache_dir=Path(self.script.photo_cache_dir) if self.script.photo_cache_dir else None,
            reply_timeout_s=self.script.reply_timeout_s,
        )

    # --- the script ----------------------------------------------------------

    async def run(self) -> CitizenReport:
        """Go through the whole contact and return the report (never raises for hub trouble)."""
        if self._ran:
            raise RuntimeError("a SimulatedCitizen runs once")
        self._ran = True
        report = self.report
        budget = asyncio.timeout(self.script.give_up_after_s)
        try:
            async with (
                budget,
                connect(
                    self.hub_url,
                    max_size=MAX_FRAME_BYTES,
                    compression=None,
                    open_timeout=self.script.reply_timeout_s,
                    close_timeout=2,
                ) as ws,
            ):
                self._ws = ws
                self._mark("connected")
                self._spawn(self._read_loop(ws), "reader")
                await self._follow_script()
        except _Finished as finished:
            report.ended_by = report.ended_by or finished.ended_by
            self._error(str(finished))
        except TimeoutError:
            if budget.expired():
                report.ended_by = report.ended_by or "gave_up"
                self._error(f"gave up after {self.script.give_up_after_s:g} s")
            else:  # the opening handshake timed out
                report.ended_by = report.ended_by or "disconnected"
                self._error("the hub did not complete the websocket handshake")
        except ConnectionClosed as exc:
            report.ended_by = report.ended_by or "disconnected"
            self._error(f"hub closed the connection: {exc}")
        except (OSError, InvalidHandshake, InvalidURI) as exc:
            report.ended_by = report.ended_by or "disconnected"
            self._error(f"cannot reach the hub: {exc}")
        finally:
            await self._close_media()
            await self._cancel_tasks()
            self._ws = None
            if self._latencies:
                ordered = sorted(self._latencies)
                report.video_latency_ms_p50 = ordered[len(ordered) // 2]
            report.materials = self.materials.report()
            self._mark("finished")
        return report

    async def _follow_script(self) -> None:
        script = self.script
        report = self.report
        await self._send(protocol.Hello(role="citizen", name=self.citizen.name))
        welcome = await self._expect(protocol.Welcome, script.reply_timeout_s, "welcome")
        report.session_id = welcome.session_id
        self._mark("welcomed")

        await self._send(
            protocol.JoinQueue(
                item_code=self.item_code,
                channel=self.channel,
                citizen=self.citizen,
                priority=self.priority,
                media=self.media,
            )
        )
        await self._expect(protocol.Queued, script.reply_timeout_s, "queued")

        started = await self._wait_for_call()
        if started is None:
            await self._leave_queue()
            return
        await self._call(started)
        await self._after_call()

    async def _wait_for_call(self) -> protocol.CallStarted | None:
        """The call, or None when the scripted wait ran out first."""
        leave_after = self.script.leave_queue_after_s
        deadline = None if leave_after is None else time.monotonic() + leave_after
        while True:
            message = await self._next_milestone(deadline)
            if message is None:
                return None
            if isinstance(message, protocol.CallStarted):
                return message
            if isinstance(message, protocol.Error):
                raise _Finished("error", "the hub refused while queued")
            # work_order_closed before any call: the hub gave up on us.
            if isinstance(message, protocol.WorkOrderClosed):
                raise _Finished("hub", f"work order closed while queued: {message.outcome}")

    async def _leave_queue(self) -> None:
        report = self.report
        await self._send(protocol.LeaveQueue())
        self._mark("leave_queue_sent")
        report.left_queue = True
        report.ended_by = "left_queue"
        deadline = time.monotonic() + self.script.reply_timeout_s
        while True:
            message = await self._next_milestone(deadline)
            if message is None:
                self._error("no answer to leave_queue")
                return
            if isinstance(message, protocol.Ack | protocol.WorkOrderClosed):
                self._mark("left_queue")
                return
            if isinstance(message, protocol.Error):
                return  # recorded by the reader
            if isinstance(message, protocol.CallStarted):
                # An agent took us just as we left: hang up at once.
                self._error("call started after leave_queue; hanging up")
                await self._send(protocol.Hangup(call_id=message.call_id))

    async def _call(self, started: protocol.CallStarted) -> None:
        report = self.report
        script = self.script
        report.call_id = started.call_id
        report.peer_name = started.peer_name
        report.call_started_at = time.time()
        self._mark("call_started")
        if started.call_role != "caller":
            self._error(f"expected to be the caller, hub said {started.call_role!r}")
        self._call_id = started.call_id
        if started.recorded:  # told before any media flows
            report.recording_notice = RECORDING_NOTICE
            self._mark("recording_notice")
        await self._offer(started)
        if script.chat_lines:
            self._spawn(self._chat(started.call_id), "chat")
        if script.photos:
            self._spawn(
                self.materials.send_photos(started.work_order_id, script.photos), "photos"
            )

        deadline = (
            None if script.hangup_after_s is None else time.monotonic() + script.hangup_after_s
        )
        hung_up = False
        while True:
            message = await self._next_milestone(deadline)
            if message is None:
                if hung_up:
                    raise _Finished("citizen", "no call_ended after hangup")
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
            if isinstance(message, protocol.CallStarted):
                self._error(f"second call_started {message.call_id} during a call")
        self._call_id = ""
        await self._close_media()

    async def _after_call(self) -> None:
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
                message = await self._next_milestone(deadline)
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
                if await self._next_milestone(deadline) is None:
                    break

    # --- waiting on the wire -------------------------------------------------

    async def _next_milestone(self, deadline: float | None) -> protocol.Message | None:
        """The next milestone message; None at ``deadline`` (monotonic). Raises when closed."""
        if deadline is None:
            message = await self._milestones.get()
        else:
            wait = asyncio.timeout(max(0.0, deadline - time.monotonic()))
            try:
                async with wait:
                    message = await self._milestones.get()
            except TimeoutError:
                # Our own deadline, not the whole run's give-up timeout. (Asking the clock
                # is not enough: under qasync a Qt coarse timer may fire a little early.)
                if wait.expired():
                    return None
                raise
        if message is None:
            raise _Finished("disconnected", "the hub closed the connection")
        return message

    async def _expect(self, kind: type[M], timeout_s: float, what: str) -> M:
        deadline = time.monotonic() + timeout_s
        while True:
            message = await self._next_milestone(deadline)
            if message is None:
                raise _Finished("error", f"no {what} from the hub within {timeout_s:g} s")
            if isinstance(message, kind):
                return message
            if isinstance(message, protocol.Error):
                raise _Finished("error", f"the hub refused before {what}")

    async def _read_loop(self, ws: ClientConnection) -> None:
        """Decode every frame; handle media and chat at once, pass milestones to the script."""
        try:
            async for frame in ws:
                if isinstance(frame, bytes):
                    self.materials.on_binary(frame)
                    continue
                try:
                    message = protocol.decode(frame)
                except protocol.ProtocolError as exc:
                    self.report.protocol_errors += 1
                    self._error(f"protocol error from hub: {exc.code}: {exc}")
                    continue
                await self._on_message(message)
        except ConnectionClosed:
            pass
        finally:
            self._mark("disconnected")
            # Wake the script; make room if the queue is full of unread milestones.
            if self._milestones.full():
                self._milestones.get_nowait()
            self._milestones.put_nowait(None)

    async def _on_message(self, message: protocol.Message) -> None:
        report = self.report
        # Queue facts are recorded here, in wire order: a queue_position may
        # follow queued before the script looks at either.
        if isinstance(message, protocol.Queued):
            report.work_order_id = message.work_order_id
            report.item_name = message.item_name
            report.queued_position = message.position
            report.last_position = message.position
            report.expected_wait_s = message.expected_wait_s
            self._mark("queued")
        if isinstance(message, protocol.QueuePosition):
            report.last_position = message.position
            report.expected_wait_s = message.expected_wait_s
            report.position_updates += 1
            return
        if isinstance(message, protocol.Sdp):
            await self._on_sdp(message)
            return
        if isinstance(message, protocol.Ice):
            await self._on_ice(message)
            return
        if isinstance(message, protocol.ChatMessage):
            await self._on_chat(message)
            return
        if isinstance(message, CitizenMaterials.HANDLED):
            await self.materials.on_message(message)
            return
        if isinstance(message, protocol.Error):
            report.hub_errors += 1
            where = f" [{message.field}]" if message.field else ""
            of = f" (of {message.of})" if message.of else ""
            self._error(f"hub error {message.code}: {message.message}{where}{of}")
        if isinstance(message, protocol.WorkOrderClosed):
            report.outcome = message.outcome
            self._mark("work_order_closed")
        try:
            self._milestones.put_nowait(message)
        except asyncio.QueueFull:
            self._error(f"dropped {message.TYPE}: too many unread messages from the hub")

    # --- media -----------------------------------------------------------------

    async def _offer(self, started: protocol.CallStarted) -> None:
        ice_policy.apply_from_environment()
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._pc = pc
        self._remote_description_set = False
        self._pending_ice.clear()

        @pc.on("track")
        def _on_track(track: Any) -> None:
            self._spawn(self._consume(track), f"consume-{track.kind}")

        @pc.on("connectionstatechange")
        def _on_state() -> None:
            self.report.media_state = pc.connectionState
            self._mark(f"media_{pc.connectionState}")
            if pc.connectionState == "failed":
                self._error("media connection failed")

        audio = ToneAudioTrack()
        self._local_tracks.append(audio)
        if self.media == "video":
            script = self.script
            camera = StampedCameraTrack(script.width, script.height, script.fps)
            self._local_tracks.append(camera)
            pc.addTrack(camera)
        else:
            # No camera, but the citizen still sees the agent.
            pc.addTransceiver("video", direction="recvonly")
        pc.addTrack(audio)
        await pc.setLocalDescription(await pc.createOffer())
        await self._send(
            protocol.Sdp(call_id=started.call_id, sdp_type="offer", sdp=pc.localDescription.sdp)
        )
        self._mark("offer_sent")

    async def _on_sdp(self, message: protocol.Sdp) -> None:
        pc = self._pc
        if pc is None or message.call_id != self._call_id:
            self._error(f"sdp for {message.call_id!r} outside our call")
            return
        if message.sdp_type != "answer" or self._remote_description_set:
            self._error(f"unexpected sdp {message.sdp_type} (we are the caller)")
            return
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=message.sdp, type="answer"))
        except (ValueError, AssertionError, KeyError, IndexError) as exc:
            self._error(f"bad sdp answer: {exc!r}")
            return
        self._remote_description_set = True
        self._mark("answer_received")
        pending, self._pending_ice = self._pending_ice, []
        for ice in pending:
            await self._add_ice(ice)

    async def _on_ice(self, message: protocol.Ice) -> None:
        if self._pc is None or message.call_id != self._call_id:
            return  # late candidates of a finished call
        if not message.candidate:
            return  # end of candidates
        if not self._remote_description_set:
            if len(self._pending_ice) < _MAX_PENDING_ICE:
                self._pending_ice.append(message)
            return
        await self._add_ice(message)

    async def _add_ice(self, message: protocol.Ice) -> None:
        if self._pc is None:
            return
        text = message.candidate.removeprefix("a=").removeprefix("candidate:")
        try:
            candidate = candidate_from_sdp(text)
            candidate.sdpMid = message.sdp_mid or None
            candidate.sdpMLineIndex = message.sdp_mline_index
            await self._pc.addIceCandidate(candidate)
        except (ValueError, AssertionError, IndexError) as exc:
            self._error(f"bad ice candidate {message.candidate[:80]!r}: {exc!r}")

    async def _consume(self, track: Any) -> None:
        """Read every frame of a remote track until it ends (aiortc queues are unbounded)."""
        report = self.report
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    received_at = time.time()
                    if report.frames_received == 0:
                        self._mark("first_video_frame")
                    report.frames_received += 1
                    size = f"{frame.width}x{frame.height}"
                    report.video_sizes[size] = report.video_sizes.get(size, 0) + 1
                    stamp = read_stamp(frame)
                    if stamp is not None:
                        report.stamped_frames += 1
                        self._latencies.append(stamp.latency_ms(received_at))
                else:
                    if report.audio_frames_received == 0:
                        self._mark("first_audio_frame")
                    report.audio_frames_received += 1
                    self.heard.add(frame)
        except MediaStreamError:
            return

    async def _close_media(self) -> None:
        for track in self._local_tracks:
            track.stop()
        self._local_tracks.clear()
        pc, self._pc = self._pc, None
        if pc is not None:
            self.report.media_state = pc.connectionState
            await pc.close()
            self._mark("media_closed")

    # --- chat ------------------------------------------------------------------

    async def _chat(self, call_id: str) -> None:
        for line in self.script.chat_lines:
            await asyncio.sleep(self.script.chat_interval_s)
            if self._call_id != call_id:
                return
            await self._say(call_id, line)

    async def _on_chat(self, message: protocol.ChatMessage) -> None:
        report = self.report
        if message.sender_role in ("citizen", "kiosk"):
            report.chats_delivered += 1
            return
        if len(report.chats_received) < _MAX_CHATS:
            report.chats_received.append(message.text)
        if (
            self.script.reply_to_chat
            and message.call_id == self._call_id
            and self._auto_replies < _MAX_AUTO_REPLIES
        ):
            self._auto_replies += 1
            await self._say(message.call_id, self.script.reply_text)

    async def _say(self, call_id: str, text: str) -> None:
        try:
            await self._send(protocol.Chat(call_id=call_id, text=text))
        except ConnectionClosed:
            return
        if len(self.report.chats_sent) < _MAX_CHATS:
            self.report.chats_sent.append(text)

    # --- plumbing --------------------------------------------------------------

    async def _send(self, message: protocol.Message) -> None:
        if self._ws is None:
            raise _Finished("disconnected", f"cannot send {message.TYPE}: not connected")
        await self._ws.send(protocol.encode(message))

    async def _send_binary(self, frame: bytes) -> None:
        if self._ws is None:
            raise _Finished("disconnected", "cannot send a chunk: not connected")
        await self._ws.send(frame)

    def _spawn(self, coro: Any, name: str) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro, name=f"citizen-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("citizen task %s failed", task.get_name(), exc_info=exc)
            self._error(f"task {task.get_name()} failed: {exc!r}")

    async def _cancel_tasks(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _mark(self, event: str) -> None:
        self.report.timestamps.setdefault(event, time.time())

    def _error(self, text: str) -> None:
        errors = self.report.errors
        if len(errors) < _MAX_ERRORS:
            errors.append(text)
        log.info("citizen %s: %s", pii.mask_name(self.citizen.name), pii.mask_text(text))
