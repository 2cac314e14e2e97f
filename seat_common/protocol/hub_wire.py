"""The hub's wire format, protocol v1: every message type (``Message``), who may send which
(``SENDABLE_BY``), and ``encode`` / ``decode`` for the websocket's text frames, checked by
the one codec (``codec``) and refused with ``ProtocolError`` naming the field that is wrong.
"""

from __future__ import annotations

import typing
from typing import Final, TypeAlias

from seat_common.protocol.call_messages import (
    Accept,
    Ack,
    CallEnded,
    CallStarted,
    Chat,
    ChatMessage,
    Decline,
    Error,
    Hangup,
    Hello,
    Ice,
    JoinQueue,
    LeaveQueue,
    MediaState,
    Offer,
    OfferWithdrawn,
    PeerLink,
    Presence,
    Queued,
    QueuePosition,
    QueueSnapshot,
    Rate,
    Sdp,
    SetMode,
    SetState,
    Welcome,
    WorkOrderClosed,
    WrapUp,
)
from seat_common.protocol.catalog_messages import FetchCatalog, ServiceCatalog
from seat_common.protocol.codec import WireFormat, load_json
from seat_common.protocol.consult_messages import (
    AgentList,
    Consult,
    ConsultAnswer,
    ConsultChoice,
    ConsultSdp,
    ConsultState,
    ListAgents,
)
from seat_common.protocol.counter_messages import (
    BookingMade,
    FetchBookedMaterial,
    MakeReport,
    ReportProgress,
    ReportReady,
    WalkInClose,
    WalkInOpen,
    WalkInOpened,
)
from seat_common.protocol.material_messages import (
    CertificateConsent,
    CertificateConsentAnswer,
    CertificateConsentRequest,
    FetchMaterial,
    MaterialAdded,
    MaterialDownload,
    PreReviewNotice,
    ReviewVerdict,
    UploadFailed,
    UploadProgress,
    UploadStart,
)
from seat_common.protocol.recording_messages import (
    AssistTrail,
    AssistTrailSaved,
    FetchRecording,
    RecordingDownload,
    RecordingStored,
    RecordingUploadFailed,
    RecordingUploadOffset,
    RecordingUploadStart,
)
from seat_common.protocol.share_messages import ScreenShare, ShareMark
from seat_common.protocol.summary_messages import ContactSummary, ReceiptPdf
from seat_common.protocol.supervision_messages import (
    AuditLog,
    BargeIn,
    FetchAudit,
    JoinCall,
    MoveContact,
    PartyUpdate,
    RecordingSaved,
    SearchWorkOrders,
    StopWatch,
    SubscribeWall,
    SuperviseState,
    WallSnapshot,
    WallUpdate,
    WatchCall,
    WatchSdp,
    WatchState,
    Whisper,
    WhisperMessage,
    WorkOrderList,
)
from seat_common.protocol.terms import (
    MAX_MESSAGE_BYTES,
    VERSION,
    ProtocolError,
    Role,
)
from seat_common.protocol.transfer_messages import (
    Hold,
    HoldState,
    RaiseHand,
    Transfer,
    TransferUpdate,
)

Message: TypeAlias = (
    Hello
    | Welcome
    | JoinQueue
    | Queued
    | QueuePosition
    | LeaveQueue
    | QueueSnapshot
    | SetState
    | SetMode
    | Presence
    | Offer
    | OfferWithdrawn
    | Accept
    | Decline
    | CallStarted
    | Sdp
    | Ice
    | Chat
    | ChatMessage
    | MediaState
    | ScreenShare
    | ShareMark
    | PeerLink
    | Hangup
    | CallEnded
    | WrapUp
    | WorkOrderClosed
    | Rate
    | Ack
    | Error
    | UploadStart
    | UploadProgress
    | UploadFailed
    | MaterialAdded
    | FetchMaterial
    | MaterialDownload
    | ReviewVerdict
    | CertificateConsent
    | CertificateConsentRequest
    | CertificateConsentAnswer
    | PreReviewNotice
    | ContactSummary
    | ReceiptPdf
    | SubscribeWall
    | WallSnapshot
    | WallUpdate
    | Whisper
    | WhisperMessage
    | SuperviseState
    | MoveContact
    | FetchAudit
    | AuditLog
    | SearchWorkOrders
    | WorkOrderList
    | RecordingSaved
    | RecordingUploadStart
    | RecordingUploadOffset
    | RecordingUploadFailed
    | RecordingStored
    | FetchRecording
    | RecordingDownload
    | AssistTrail
    | AssistTrailSaved
    | WatchCall
    | BargeIn
    | JoinCall
    | PartyUpdate
    | StopWatch
    | WatchState
    | WatchSdp
    | FetchCatalog
    | ServiceCatalog
    | WalkInOpen
    | WalkInOpened
    | WalkInClose
    | BookingMade
    | FetchBookedMaterial
    | MakeReport
    | ReportProgress
    | ReportReady
    | Transfer
    | TransferUpdate
    | Hold
    | HoldState
    | RaiseHand
    | Consult
    | ConsultAnswer
    | ConsultChoice
    | ConsultSdp
    | ConsultState
    | ListAgents
    | AgentList
)

#: The hub's wire format: its version and its message types.
HUB_WIRE: Final[WireFormat[Message]] = WireFormat("protocol", VERSION, typing.get_args(Message))

MESSAGE_TYPES: Final[dict[str, type[Message]]] = HUB_WIRE.types

#: Which roles may send which message types to the hub. Everything else the
#: hub sends; a client sending it is refused.
SENDABLE_BY: Final[dict[str, frozenset[Role]]] = {
    "hello": frozenset({"citizen", "agent", "supervisor", "kiosk"}),
    "join_queue": frozenset({"citizen", "kiosk"}),
    "leave_queue": frozenset({"citizen", "kiosk"}),
    "set_state": frozenset({"agent"}),
    "set_mode": frozenset({"agent"}),
    "accept": frozenset({"agent"}),
    "decline": frozenset({"agent"}),
    "sdp": frozenset({"citizen", "kiosk", "agent"}),
    "ice": frozenset({"citizen", "kiosk", "agent"}),
    "chat": frozenset({"citizen", "kiosk", "agent"}),
    "media_state": frozenset({"citizen", "kiosk", "agent"}),
    "screen_share": frozenset({"citizen"}),
    "share_mark": frozenset({"agent"}),
    "hangup": frozenset({"citizen", "kiosk", "agent"}),
    "wrap_up": frozenset({"agent"}),
    "rate": frozenset({"citizen", "kiosk"}),
    "upload_start": frozenset({"citizen", "kiosk", "agent"}),
    "fetch_material": frozenset({"citizen", "kiosk", "agent"}),
    "review_verdict": frozenset({"agent"}),
    "contact_summary": frozenset({"agent"}),
    "receipt_pdf": frozenset({"agent"}),
    "certificate_consent": frozenset({"agent"}),
    "certificate_consent_request": frozenset({"agent"}),
    "certificate_consent_answer": frozenset({"citizen"}),
    "subscribe_wall": frozenset({"supervisor"}),
    "whisper": frozenset({"supervisor"}),
    "supervise_state": frozenset({"supervisor"}),
    "move_contact": frozenset({"supervisor"}),
    "fetch_audit": frozenset({"supervisor"}),
    "search_work_orders": frozenset({"agent", "supervisor"}),
    "recording_saved": frozenset({"agent"}),
    "recording_upload_start": frozenset({"agent"}),
    "fetch_recording": frozenset({"supervisor"}),
    "assist_trail": frozenset({"agent"}),
    "watch_call": frozenset({"supervisor"}),
    "barge_in": frozenset({"supervisor"}),
    "join_call": frozenset({"supervisor"}),
    "stop_watch": frozenset({"supervisor", "agent"}),
    "watch_sdp": frozenset({"supervisor", "agent"}),
    "fetch_catalog": frozenset({"citizen", "kiosk"}),
    "walk_in_open": frozenset({"agent"}),
    "walk_in_close": frozenset({"agent"}),
    "booking_made": frozenset({"agent"}),
    "fetch_booked_material": frozenset({"agent", "supervisor"}),
    "make_report": frozenset({"supervisor"}),
    "transfer": frozenset({"agent"}),
    "hold": frozenset({"agent"}),
    "raise_hand": frozenset({"agent"}),
    "consult": frozenset({"agent"}),
    "consult_answer": frozenset({"agent"}),
    "consult_choice": frozenset({"agent"}),
    "consult_sdp": frozenset({"agent"}),
    "list_agents": frozenset({"agent"}),
}


def encode(message: Message) -> str:
    """The text frame for ``message``."""
    return HUB_WIRE.to_text(message)


def decode(frame: str | bytes) -> Message:
    """Check one text frame from the wire and return its typed message.

    Raises ``ProtocolError`` with a code and the offending field.
    """
    if isinstance(frame, bytes):
        if len(frame) > MAX_MESSAGE_BYTES:
            raise ProtocolError("too_large", f"message over {MAX_MESSAGE_BYTES} bytes")
        try:
            frame = frame.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError("bad_json", "message is not UTF-8") from exc
    # Characters are up to 4 bytes in UTF-8: count bytes only when it could matter.
    if len(frame) > MAX_MESSAGE_BYTES or (
        len(frame) * 4 > MAX_MESSAGE_BYTES
        and len(frame.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES
    ):
        raise ProtocolError("too_large", f"message over {MAX_MESSAGE_BYTES} bytes")
    return HUB_WIRE.from_wire(load_json(frame))


def from_wire(raw: object) -> Message:
    """Check already-parsed JSON data and return its typed message."""
    return HUB_WIRE.from_wire(raw)
