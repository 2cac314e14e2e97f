"""The kiosk's call: a caller like a citizen, sharing its screen and taking remote assistance.

``KioskPeer`` connects to the hub as role ``kiosk`` with its device id and
token (``KioskLogin``), queues for an item on channel ``kiosk`` with its hall,
and on ``call_started`` builds the WebRTC offer: the ``assist`` data channel first, then the camera
(``StampedCameraTrack``), then the shared screen (``KioskScreenTrack``) —
the agent's ``CallSession`` takes the second video track as the screen —
and a quiet tone. ``RemotePictures`` shows the agent's picture and a third party's.

On the ``assist`` channel it answers the agent: a control request shows
the consent prompt; once the citizen grants it the banner shows and
pointer and key input drive the kiosk's widgets (``remote_input``);
before consent, after a stop, or on a local-only widget input is refused,
logged, kept in the report and reported back (``input_refused``). The
kiosk's stop button stops the gate first, then tells the agent. The end of
the call ends control. Documents pushed by the agent go to the printer.
ID-card reads and face scans are sent to the agent as they happen.

``report`` holds what happened, with ``time.perf_counter`` times of every
handled input (tests and ``scripts/bench_assist.py`` read it). The peer's
background work (the hub reader, the remote tracks, printing) belongs to
its ``TaskOwner``: a failure is logged and kept in the report, and the end
of the contact cancels whatever still runs.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import ssl
import time
from collections.abc import Coroutine
from typing import Any, Final

from aiortc import RTCDataChannel, RTCPeerConnection, RTCSessionDescription
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from sandbox.camera import StampedCameraTrack, ToneAudioTrack
from sandbox.citizen import RECORDING_NOTICE
from sandbox.device_login import KioskLogin
from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.control import ControlGate, ControlState
from sandbox.kiosk.id_card import IdCard, face_scan
from sandbox.kiosk.printer import KioskPrinter, application_form_pdf
from sandbox.kiosk.remote_input import RemoteInput
from sandbox.kiosk.remote_video import RemotePictures
from sandbox.kiosk.report import HandledInput, KioskReport
from sandbox.kiosk.screen_track import KioskScreenTrack
from seat_common import protocol, tls
from seat_common.events import Event
from seat_common.media import ice_policy
from seat_common.media.ice_policy import IceConfig, IceConfigError
from seat_common.media.trickle import TrickledCandidates
from seat_common.personal_data import pii
from seat_common.protocol import assist as wire
from seat_common.tasks import TaskFailure, TaskOwner

log = logging.getLogger(__name__)

_MAX_KEPT: Final = 5000
#: Refusals are reported to the agent at most this often (the first few always).
_REFUSAL_REPORT_INTERVAL_S: Final = 0.5
#: What the kiosk's screen says when the hub revoked its token (the hub closes the link).
REVOKED_STATUS: Final = "本终端的登录凭据已被吊销，暂停服务，请联系管理员"


class KioskPeer:
    """One kiosk's contact with the hub and its call. Event: ``input_handled``."""

    def __init__(
        self,
        hub_url: str,
        window: KioskWindow,
        printer: KioskPrinter,
        *,
        item_code: str,
        login: KioskLogin,
        name: str = "自助终端",
        camera_size: tuple[int, int] = (320, 240),
        camera_fps: float = 15.0,
        screen_fps: float = 12.0,
        reply_timeout_s: float = 10.0,
        ca_file: str = "",
    ) -> None:
        tls.check_url(hub_url, what="hub address", secure="wss")
        self.hub_url = hub_url
        #: a wss:// hub's certificate is checked against the system store or ``ca_file``
        self._ssl = tls.client_context_for(hub_url, ca_file or None)
        self.window = window
        self.printer = printer
        self.item_code = item_code
        self.login = login
        self.name = name
        self.camera_size = camera_size
        self.camera_fps = camera_fps
        self.screen_fps = screen_fps
        self.reply_timeout_s = reply_timeout_s
        self.gate = ControlGate()
        self.input = RemoteInput(window)
        self.report = KioskReport()
        self.pictures = RemotePictures(window.video, self.report)
        self.card: IdCard | None = None
        self.input_handled: Event[HandledInput] = Event()
        self.channel_open = asyncio.Event()
        self.finished = asyncio.Event()
        self.screen: KioskScreenTrack | None = None
        self._ws: ClientConnection | None = None
        self._pc: RTCPeerConnection | None = None
        #: the agent's trickled candidates, kept until its answer is applied
        self._candidates: TrickledCandidates | None = None
        #: the STUN/TURN servers and policy from the hub's welcome
        self._ice = IceConfig()
        self._channel: RTCDataChannel | None = None
        self._local_tracks: list[Any] = []
        self._tasks = TaskOwner("kiosk")
        self._tasks.failed.connect(self._on_task_failed)
        self._contact_over = False
        self._call_id = ""
        self._last_refusal_report = 0.0
        self.gate.state_changed.connect(self._on_gate_state)
        window.consent_answered.connect(self._on_consent_answered)
        window.stop_requested.connect(self._on_stop_pressed)
        window.print_requested.connect(lambda: self._spawn(self._print_form(), "print-form"))

    # --- the contact -----------------------------------------------------------

    async def run(self, give_up_after_s: float = 600.0) -> KioskReport:
        """Queue, take the call, and return when it ends (or the hub goes away)."""
        try:
            async with (
                asyncio.timeout(give_up_after_s),
                connect(self.hub_url, max_size=1024 * 1024, compression=None,
                        open_timeout=self.reply_timeout_s, ssl=self._ssl) as ws,
            ):
                self._ws = ws
                self._spawn(self._read(ws), "reader")
                await self._send(self.login.hello(self.name))
                card = self.card
                citizen = protocol.CitizenInfo(
                    name="" if card is None else card.name,
                    id_number="" if card is None else card.id_number,
                    hall=self.window.hall,
                )
                await self._send(protocol.JoinQueue(self.item_code, "kiosk", citizen,
                                                    large_text=self.window.large_text))
                await self.finished.wait()
        except ssl.SSLError as exc:  # before OSError, of which it is one
            self._error(f"kiosk contact ended: {tls.tls_failure(exc) or exc}")
        except (TimeoutError, OSError, ConnectionClosed) as exc:
            self._error(f"kiosk contact ended: {exc!r}")
        finally:
            self._end_control()
            await self._close_media()
            self._contact_over = True
            await self._tasks.close()
            self._ws = None
        return self.report

    async def hang_up(self) -> None:
        if self._call_id:
            await self._send(protocol.Hangup(self._call_id))

    def read_id_card(self, card: IdCard) -> None:
        """The citizen swipes an ID card: fill the form, tell the agent."""
        self.card = card
        self.window.fill_from_id_card(card)
        self._send_assist(wire.IdCardRead(card.name, card.id_number,
                                          base64.b64encode(card.photo_jpeg).decode("ascii")))

    def scan_face(self, live_seed: int) -> None:
        """The citizen looks into the face scanner; compared with the card's photo."""
        if self.card is None:
            self._error("face scan without an ID card read")
            return
        scan = face_scan(self.card, live_seed)
        self.window.show_face_scan(scan)
        self._send_assist(wire.FaceScanned(scan.matched, scan.score))

    # --- hub messages -------------------------------------------------------------

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for frame in ws:
                if isinstance(frame, bytes):
                    continue  # material uploads are not the kiosk's business here
                try:
                    message = protocol.decode(frame)
                except protocol.ProtocolError as exc:
                    self._error(f"bad message from the hub: {exc}")
                    continue
                await self._on_hub_message(message)
        except ConnectionClosed:
            pass
        finally:
            self.finished.set()

    async def _on_hub_message(self, message: protocol.Message) -> None:
        match message:
            case protocol.Welcome():
                self._ice = IceConfig(message.ice_servers, message.ice_policy)
            case protocol.Queued():
                self.report.work_order_id = message.work_order_id
                self.window.set_status(f"正在为您接通视频坐席，前面还有 {message.position - 1} 人")
            case protocol.CallStarted():
                if self._pc is not None:  # the first agent's media, if a transfer left it
                    self._end_control()
                    await self._close_media()
                self._call_id = self.report.call_id = message.call_id
                self.report.calls.append(message.call_id)
                status = f"已接通坐席：{message.peer_name}"
                if message.recorded:  # told before any media flows
                    self.report.recording_notice = RECORDING_NOTICE
                    status += f"。{RECORDING_NOTICE}"
                self.window.set_status(status)
                await self._offer(message.call_id)
            case protocol.Sdp() if message.call_id == self._call_id and self._pc is not None:
                with contextlib.suppress(ValueError):
                    await self._pc.setRemoteDescription(
                        RTCSessionDescription(message.sdp, message.sdp_type))
                    if self._candidates is not None:
                        await self._candidates.remote_description_set()
            case protocol.Ice() if message.call_id == self._call_id:
                if self._candidates is not None:
                    await self._candidates.add(message)  # kept until the answer is applied
            case protocol.MediaState() if message.call_id == self._call_id:
                self.report.agent_media = message
            case protocol.TransferUpdate() if message.work_order_id == self.report.work_order_id:
                await self._transfer_update(message)
            case protocol.HoldState() if message.call_id == self._call_id:
                state = "on" if message.on else "off"
                self.report.hold_notices.append(f"{state}: {message.message}")
                self.window.set_status(message.message)
            case protocol.PartyUpdate() if message.call_id == self._call_id:
                self.report.party_notices.append(f"{message.phase}: {message.message}")
                self.pictures.party_update(message.party, message.phase)
                self.window.set_status(message.message)
            case protocol.CallEnded() if message.call_id == self._call_id:
                self.report.ended_by = message.ended_by
                self.window.set_status("通话已结束")
                self._end_control()
                await self._close_media()
                self.finished.set()
            case protocol.Error():
                if message.code == "revoked":  # the hub closes the link next
                    self.window.set_status(REVOKED_STATUS)
                self._error(f"hub error {message.code}: {message.message}")
            case _:
                pass

    async def _transfer_update(self, message: protocol.TransferUpdate) -> None:
        """An agent hands the call on: the screen says so (正在为您转接…). Waiting in the next
        queue, the first agent's media and control end here; the contact goes on, and the
        next agent's ``call_started`` brings a new call."""
        self.report.transfer_notices.append(f"{message.phase}: {message.message}")
        self.window.set_status(message.message)
        if message.phase == "waiting":
            self._end_control()
            await self._close_media()

    async def _offer(self, call_id: str) -> None:
        ice_policy.apply_from_environment()
        try:
            configuration = self._ice.rtc_configuration()
        except IceConfigError as exc:
            self._error(f"unusable ICE servers: {exc}")
            await self._send(protocol.Hangup(call_id))
            return
        pc = self._pc = RTCPeerConnection(configuration)
        self._candidates = TrickledCandidates(pc, on_refused=self._error)
        # The channel is part of the offer: created before it.
        channel = self._channel = pc.createDataChannel(wire.CHANNEL_LABEL)
        channel.on("open", self._on_channel_open)
        channel.on("message", self._on_assist_message)

        @pc.on("track")
        def _on_track(track: Any) -> None:  # the agent's camera, then a third party's
            video = [t.receiver.track for t in pc.getTransceivers() if t.kind == "video"]
            section = video.index(track) if track in video else -1
            self._spawn(self.pictures.consume(track, section), f"consume-{track.kind}")

        @pc.on("connectionstatechange")
        def _on_state() -> None:
            if pc.connectionState == "connected":
                self.report.connected = True
            elif pc.connectionState in ("failed", "closed"):
                self._end_control()

        camera = StampedCameraTrack(*self.camera_size, fps=self.camera_fps)
        self.screen = KioskScreenTrack(self.window, self.window.personal_widgets, self.screen_fps)
        audio = ToneAudioTrack()
        self._local_tracks = [camera, self.screen, audio]
        pc.addTrack(camera)  # first video track: the camera
        pc.addTrack(self.screen)  # second: the shared screen
        pc.addTrack(audio)
        await pc.setLocalDescription(await pc.createOffer())
        try:
            self._ice.check_gathered(pc.localDescription.sdp)
        except IceConfigError as exc:  # relay-only and no relay: say so, end the call
            self._error(f"media cannot connect: {exc}")
            await self._send(protocol.Hangup(call_id))
            return
        await self._send(protocol.Sdp(call_id, "offer", pc.localDescription.sdp))

    # --- the assist channel -----------------------------------------------------------

    def _on_channel_open(self) -> None:
        self.channel_open.set()
        card = self.card
        if card is not None:  # read before the call: the agent gets it now
            self.read_id_card(card)

    def _on_assist_message(self, data: str | bytes) -> None:
        received_at = time.perf_counter()
        try:
            message = wire.parse(data)
        except wire.AssistWireError as exc:
            self._error(f"bad assist message ignored: {exc}")
            return
        match message:
            case wire.Pointer() | wire.Key():
                self._on_input(message, received_at)
            case wire.RequestControl():
                if not self.gate.request(message.session):
                    log.info("kiosk: control request while %s ignored", self.gate.state.value)
            case wire.ControlStopped() if message.session == self.gate.session:
                self.gate.stop("agent")
            case wire.PrintChunk():
                self._spawn(self._print_chunk(message), "print")
            case _:
                self._error(f"assist message {message.TYPE} is not for the kiosk")

    def _on_input(self, message: wire.Pointer | wire.Key, received_at: float) -> None:
        kind = f"pointer:{message.action}" if isinstance(message, wire.Pointer) else "key"
        if not self.gate.admit(message.seq, kind):
            self._refused(message.seq, kind, "no_control")
            return
        if isinstance(message, wire.Pointer):
            delivery = self.input.pointer(message)
        else:
            delivery = self.input.key(message)
        if delivery.refused is not None:
            self.gate.refuse(message.seq, kind, delivery.refused)
            self._refused(message.seq, kind, delivery.refused)
            return
        handled = HandledInput(message.seq, kind, delivery.widget, received_at,
                               time.perf_counter())
        if len(self.report.handled) < _MAX_KEPT:
            self.report.handled.append(handled)
        self.input_handled.emit(handled)

    def _refused(self, seq: int, kind: str, reason: wire.RefusalReason) -> None:
        log.warning("kiosk: agent input %s #%d refused: %s", kind, seq, reason)
        if len(self.report.refused) < _MAX_KEPT:
            self.report.refused.append((seq, kind, reason))
        now = time.monotonic()
        count = self.gate.refused_count
        if count <= 3 or now - self._last_refusal_report >= _REFUSAL_REPORT_INTERVAL_S:
            self._last_refusal_report = now
            self._send_assist(wire.InputRefused(seq, reason, count))

    async def _print_chunk(self, chunk: wire.PrintChunk) -> None:
        result = await self.printer.accept(chunk)
        if result is not None:
            self._note_print(result)
            self._send_assist(result)

    async def _print_form(self) -> None:
        document = await asyncio.to_thread(application_form_pdf, self.window.form_values())
        self._note_print(await self.printer.print_pdf(document, "申请表.pdf"))

    def _note_print(self, result: wire.PrintResult) -> None:
        if result.ok:
            self.report.printed.append(result.name)
            self.window.set_status(f"正在打印：{result.name}，请在出纸口取件")
        else:
            self.report.print_failures.append(f"{result.name}: {result.error}")
            self.window.set_status("打印失败，请联系工作人员")

    # --- consent, banner, stop ---------------------------------------------------------

    def _on_consent_answered(self, granted: bool) -> None:
        session = self.gate.session
        if self.gate.answer(granted):
            reply = wire.ControlGranted(session) if granted else wire.ControlDenied(session)
            self._send_assist(reply)

    def _on_stop_pressed(self) -> None:
        # Locally first: from here on the gate refuses input, whatever is in flight.
        session = self.gate.session
        if self.gate.stop("kiosk"):
            self._send_assist(wire.ControlStopped(session, "kiosk"))

    def _on_gate_state(self, state: ControlState) -> None:
        self.report.control_states.append(state.value)
        self.input.reset()
        self.window.show_consent(state is ControlState.ASKING)
        self.window.show_banner(state is ControlState.GRANTED)
        log.info("kiosk: remote assistance %s", state.value)

    def _end_control(self) -> None:
        if self.gate.state is not ControlState.ENDED:
            self.gate.stop("call_end")

    # --- plumbing ------------------------------------------------------------------------

    def _send_assist(self, message: wire.AssistMessage) -> None:
        channel = self._channel
        if channel is None or channel.readyState != "open":
            return
        try:
            channel.send(wire.format_message(message))
        except Exception as exc:  # the channel closing under us
            self._error(f"cannot send {message.TYPE}: {exc!r}")

    async def _send(self, message: protocol.Message) -> None:
        if self._ws is not None:
            await self._ws.send(protocol.encode(message))

    async def _close_media(self) -> None:
        for track in self._local_tracks:
            track.stop()
        self._local_tracks = []
        pc, self._pc = self._pc, None
        self._channel = None
        if pc is not None:
            call_id = self._call_id  # the call this media was for, as it closes
            await pc.close()
            self.report.media_closed.append(call_id)
        self.pictures.clear()  # after the close: no frame of this call comes any more

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        if self._contact_over:  # the window outlives the contact; its work does not
            coro.close()
            self._error(f"the contact is over; {name} not started")
            return
        self._tasks.spawn(coro, name)

    def _on_task_failed(self, failure: TaskFailure) -> None:
        self._error(f"task {failure.name} failed: {failure.error!r}")

    def _error(self, text: str) -> None:
        if len(self.report.errors) < 100:
            self.report.errors.append(pii.mask_text(text))
        log.info("kiosk: %s", pii.mask_text(text))
