"""Remote assistance on a kiosk (远程操控协办), the agent's side: control, input, printing.

A kiosk caller opens a data channel labelled ``"assist"`` (its messages:
``seat_common.protocol.assist``). ``RemoteAssist`` follows the workstation's calls, picks
that channel up when the call's ``CallSession`` announces it, and drives
the control session:

    UNAVAILABLE ─channel─▶ IDLE ─request_control()─▶ REQUESTED ─granted─▶ ACTIVE
                                                     │  denied ▶ DENIED    │ stop (either side)
                                                     ▼                     ▼
                                      (ask again from DENIED/STOPPED)   STOPPED
    any state ─the call ends─▶ ENDED

Pointer and key input is sent only while ACTIVE (otherwise refused here,
and the kiosk refuses it again on its side: it is the kiosk that decides).
Documents for the kiosk printer go as ``print_chunk`` messages. Every
request, grant, denial, stop, end, refused input and print is written to
the ``AssistAudit`` trail.

Events: ``state_changed`` (``AssistState``), ``id_card_read`` (``IdCardRead``),
``face_scanned`` (``FaceScanned``), ``input_refused`` (``InputRefusal``),
``print_finished`` (``PrintResult``).
"""

from __future__ import annotations

import asyncio
import base64
import enum
import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol

from seat_client.assist.audit import AssistAudit, AuditEvent
from seat_common.events import Event
from seat_common.protocol import assist as wire

if TYPE_CHECKING:
    from seat_client.call.workstation import ActiveCall

log = logging.getLogger(__name__)

#: Pause sending print chunks while this much is waiting in the channel's buffer.
_MAX_BUFFERED: Final = 512 * 1024


class AssistState(enum.Enum):
    """Where the control session of the current call is."""

    UNAVAILABLE = "unavailable"  # no assist channel (not a kiosk, or not open yet)
    IDLE = "idle"
    REQUESTED = "requested"
    ACTIVE = "active"
    DENIED = "denied"
    STOPPED = "stopped"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class InputRefusal:
    """Input that did not reach the kiosk: refused here (``by`` agent) or by the kiosk."""

    by: str
    reason: str
    seq: int


class AssistChannel(Protocol):
    """What we use of an ``aiortc.RTCDataChannel``."""

    @property
    def label(self) -> str: ...
    @property
    def readyState(self) -> str: ...  # aiortc's names
    @property
    def bufferedAmount(self) -> int: ...
    def send(self, data: str | bytes) -> None: ...
    def on(self, event: str, f: Callable[..., Any] | None = None) -> Any: ...


class RemoteAssist:
    """The agent's control session over one kiosk call at a time."""

    def __init__(
        self,
        audit: AssistAudit,
        *,
        agent_id: str = "",
        new_session_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self.audit = audit
        self.agent_id = agent_id
        self._new_session_id = new_session_id
        self.state = AssistState.UNAVAILABLE
        self.control_session = ""
        self.call_id = ""
        self.work_order_id = ""
        self.last_id_card: wire.IdCardRead | None = None
        self.last_face_scan: wire.FaceScanned | None = None
        self.refused_count = 0
        self.state_changed: Event[AssistState] = Event()
        self.id_card_read: Event[wire.IdCardRead] = Event()
        self.face_scanned: Event[wire.FaceScanned] = Event()
        self.input_refused: Event[InputRefusal] = Event()
        self.print_finished: Event[wire.PrintResult] = Event()
        self._channel: AssistChannel | None = None
        self._seq = 0
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def channel(self) -> AssistChannel | None:
        """The open assist channel of the current call, if any."""
        return self._channel

    # --- following the calls -------------------------------------------------

    def on_call_changed(self, call: ActiveCall | None) -> None:
        """Subscribe this to ``Workstation.call_changed``."""
        if call is None:
            self.end_call()
            return
        self.end_call()
        self.call_id = call.started.call_id
        self.work_order_id = call.started.work_order_id
        if call.started.channel == "kiosk":
            self._unsubscribe = call.session.data_channel_opened.connect(self._on_channel)

    def _on_channel(self, channel: Any) -> None:
        if channel.label == wire.CHANNEL_LABEL:
            self.attach(channel)

    def attach(self, channel: AssistChannel) -> None:
        """Use ``channel`` (open, labelled ``assist``) for the current call."""
        self._channel = channel
        channel.on("message", self._on_message)
        channel.on("close", lambda: self._channel_closed(channel))
        self._set_state(AssistState.IDLE)

    def end_call(self) -> None:
        """The call is over: control ends with it (recorded if there was a session)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.state in (AssistState.REQUESTED, AssistState.ACTIVE):
            self._audit("ended", by="call_end")
            self._set_state(AssistState.ENDED)
        elif self.state is not AssistState.UNAVAILABLE:
            self._set_state(AssistState.ENDED)
        self._channel = None
        self.control_session = ""

    def _channel_closed(self, channel: AssistChannel) -> None:
        if channel is self._channel:
            self.end_call()

    # --- intents -----------------------------------------------------------------

    def request_control(self) -> bool:
        """Ask the kiosk for control; False if there is no channel or it is already asked."""
        if self.state not in (AssistState.IDLE, AssistState.DENIED, AssistState.STOPPED):
            return False
        self.control_session = self._new_session_id()
        if not self._send(wire.RequestControl(self.control_session)):
            return False
        self._audit("requested", by="agent")
        self._set_state(AssistState.REQUESTED)
        return True

    def release(self) -> bool:
        """Give control back (or withdraw the request); the kiosk's banner goes away."""
        if self.state not in (AssistState.REQUESTED, AssistState.ACTIVE):
            return False
        self._send(wire.ControlStopped(self.control_session, "agent"))
        self._audit("stopped", by="agent")
        self._set_state(AssistState.STOPPED)
        return True

    def send_pointer(
        self, x: float, y: float, action: wire.PointerAction, button: wire.PointerButton = "left"
    ) -> int | None:
        """Send a pointer event (x, y: 0..1 of the shared frame); its seq, or None if refused."""
        seq = self._next_seq()
        if not self._may_send_input(seq):
            return None
        clamped = wire.Pointer(seq, min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0), action, button)
        return seq if self._send(clamped) else None

    def send_key(self, key: wire.KeyName = "", text: str = "") -> int | None:
        """Send a named key or typed text; its seq, or None if refused."""
        seq = self._next_seq()
        if not self._may_send_input(seq):
            return None
        try:
            message = wire.Key(seq, key, text[:64])
            wire.format_message(message)
        except wire.AssistWireError as exc:
            log.warning("remote assist: key not sent: %s", exc)
            return None
        return seq if self._send(message) else None

    async def push_document(self, pdf: bytes, name: str) -> str:
        """Send a PDF to the kiosk printer; returns the job id (the result comes as an event).

        Raises ``ValueError`` for a document that is not a PDF or too large,
        ``ConnectionError`` when there is no open assist channel.
        """
        if not pdf.startswith(b"%PDF-"):
            raise ValueError("not a PDF document")
        if len(pdf) > wire.MAX_PRINT_BYTES:
            raise ValueError(f"document of {len(pdf)} bytes is over {wire.MAX_PRINT_BYTES}")
        channel = self._channel
        if channel is None or channel.readyState != "open":
            raise ConnectionError("no remote-assist channel to the kiosk")
        job = uuid.uuid4().hex
        digest = hashlib.sha256(pdf).hexdigest()
        size = wire.PRINT_CHUNK_BYTES
        total = -(-len(pdf) // size)
        for index in range(total):
            data = base64.b64encode(pdf[index * size : (index + 1) * size]).decode("ascii")
            chunk = wire.PrintChunk(job, name, index, total, len(pdf), digest, data)
            if not self._send(chunk):
                raise ConnectionError("the remote-assist channel closed while printing")
            if channel.bufferedAmount > _MAX_BUFFERED:  # let SCTP drain, chunk by chunk
                await asyncio.sleep(0.01)
        self._audit("print_pushed", by="agent", detail=f"{name} ({len(pdf)} bytes, job {job})")
        return job

    # --- from the kiosk ------------------------------------------------------------

    def _on_message(self, data: str | bytes) -> None:
        try:
            message = wire.parse(data)
        except wire.AssistWireError as exc:
            log.warning("remote assist: bad message from the kiosk ignored: %s", exc)
            return
        match message:
            case wire.ControlGranted() | wire.ControlDenied() | wire.ControlStopped():
                self._on_control(message)
            case wire.InputRefused():
                self.refused_count += 1
                self._audit("input_refused", by="kiosk",
                            detail=f"seq {message.seq}: {message.reason} ({message.count})")
                self.input_refused.emit(InputRefusal("kiosk", message.reason, message.seq))
            case wire.PrintResult():
                self._audit("print_result", by="kiosk",
                            detail=f"{message.name}: {'ok' if message.ok else message.error}")
                self.print_finished.emit(message)
            case wire.IdCardRead():
                self.last_id_card = message
                self._audit("id_card_read", by="kiosk", detail=message.id_number)
                self.id_card_read.emit(message)
            case wire.FaceScanned():
                self.last_face_scan = message
                self._audit("face_scanned", by="kiosk",
                            detail=f"matched={message.matched} score={message.score:.2f}")
                self.face_scanned.emit(message)
            case _:
                log.warning("remote assist: %s is not for the agent; ignored", message.TYPE)

    def _on_control(
        self, message: wire.ControlGranted | wire.ControlDenied | wire.ControlStopped
    ) -> None:
        if message.session != self.control_session:
            log.info("remote assist: %s for an old control session ignored", message.TYPE)
            return
        if isinstance(message, wire.ControlGranted) and self.state is AssistState.REQUESTED:
            self._audit("granted", by="kiosk")
            self._set_state(AssistState.ACTIVE)
        elif isinstance(message, wire.ControlDenied) and self.state is AssistState.REQUESTED:
            self._audit("denied", by="kiosk")
            self._set_state(AssistState.DENIED)
        elif isinstance(message, wire.ControlStopped) and self.state in (
            AssistState.REQUESTED, AssistState.ACTIVE
        ):
            self._audit("stopped", by=message.by)
            self._set_state(AssistState.STOPPED)

    # --- plumbing -------------------------------------------------------------------

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _may_send_input(self, seq: int) -> bool:
        if self.state is AssistState.ACTIVE:
            return True
        self.refused_count += 1
        self.input_refused.emit(InputRefusal("agent", "no_control", seq))
        return False

    def _send(self, message: wire.AssistMessage) -> bool:
        channel = self._channel
        if channel is None or channel.readyState != "open":
            log.info("remote assist: %s not sent: no open channel", message.TYPE)
            return False
        try:
            channel.send(wire.format_message(message))
        except Exception:  # aiortc raises InvalidStateError as the channel closes
            log.exception("remote assist: sending %s failed", message.TYPE)
            return False
        return True

    def _audit(self, event: AuditEvent, *, by: str, detail: str = "") -> None:
        self.audit.record(
            event,
            control_session=self.control_session,
            call_id=self.call_id,
            work_order_id=self.work_order_id,
            agent_id=self.agent_id,
            by=by,
            detail=detail,
        )

    def _set_state(self, state: AssistState) -> None:
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state)
