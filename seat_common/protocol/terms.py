"""The protocol's terms: version, limits, the string values messages may carry
(``Literal`` aliases), error codes and ``ProtocolError``."""

from __future__ import annotations

from typing import Final, Literal, TypeAlias, get_args

VERSION: Final = 1
#: Largest text frame either side accepts. SDP from a browser is ~10 KB.
MAX_MESSAGE_BYTES: Final = 256 * 1024

Role: TypeAlias = Literal["citizen", "agent", "supervisor", "kiosk"]
Channel: TypeAlias = Literal["web", "miniprogram", "official_account", "kiosk", "hotline"]
Priority: TypeAlias = Literal["normal", "elderly", "disabled"]
#: What a priority is worth: the citizen's word, checked (a kiosk's ID-card read shows the
#: age), or contradicted by that check (an elderly claim the ID number refutes; the
#: priority is then ``normal``).
PriorityCheck: TypeAlias = Literal["claimed", "verified", "refused"]
MediaKind: TypeAlias = Literal["video", "audio"]
AgentState: TypeAlias = Literal[
    "offline", "ready", "ringing", "on_call", "wrap_up", "away", "counter"
]
SeatMode: TypeAlias = Literal["video", "counter", "combined"]
#: How a consult stands: the guest's seat rings, host and guest talk (the citizen on
#: hold), all three talk, or it is over.
ConsultPhase: TypeAlias = Literal["ringing", "talking", "three_way", "ended"]
#: A seat's consult on the wall: none (""), or how it stands.
SeatConsult: TypeAlias = Literal["", "ringing", "talking", "three_way", "ended"]
AwayReason: TypeAlias = Literal["", "break", "meeting", "training", "missed_offers", "other"]
Outcome: TypeAlias = Literal[
    "resolved",  # question answered (咨询已解答)
    "guided",  # walked through the online form (指导办理)
    "pre_reviewed",  # materials pre-reviewed (材料预审)
    "accepted",  # application accepted (业务受理)
    "booked",  # counter appointment booked (代预约)
    "transferred",  # handed to another department (转办)
    "unresolved",  # could not be resolved (未解决)
    "dropped",  # the call broke off (通话中断)
    "abandoned",  # the citizen left the queue before an answer (set by the hub)
]
SdpType: TypeAlias = Literal["offer", "answer"]
WithdrawReason: TypeAlias = Literal["timeout", "declined", "citizen_left", "agent_left"]
EndReason: TypeAlias = Literal["hangup", "disconnected", "timeout", "transferred", ""]
CallRole: TypeAlias = Literal["caller", "callee"]
#: A party's camera in a call: sending, turned off by the person, or no working camera.
CameraState: TypeAlias = Literal["on", "off", "unavailable"]
#: A party's microphone in a call: sending, muted by the person, or no working microphone.
MicrophoneState: TypeAlias = Literal["on", "muted", "unavailable"]
#: A supervisor watching a call: only listening and looking, or talking into it too.
WatchPhase: TypeAlias = Literal["watching", "barging", "joined", "ended"]
#: How a seat's call is watched, on the wall ("" when no one watches).
SeatWatch: TypeAlias = Literal["", "watching", "barging", "joined"]
#: A third party of a call coming or going, as the citizen is told (``party_update``).
PartyPhase: TypeAlias = Literal["joined", "left"]
#: Who the third party is: a supervisor who joined from the seat wall, or the colleague a
#: consult brought into a three-way call.
PartyKind: TypeAlias = Literal["supervisor", "colleague"]
#: Which ICE candidates a peer may use: any, or only TURN relays (internal addresses stay in).
IcePolicy: TypeAlias = Literal["all", "relay"]
WatchEndReason: TypeAlias = Literal[
    "", "stopped", "call_ended", "agent_left", "supervisor_left", "media_failed"
]
ErrorCode: TypeAlias = Literal[
    "bad_json",
    "bad_message",
    "unknown_type",
    "unsupported_version",
    "too_large",
    "not_authenticated",
    "bad_token",
    "already_logged_in",
    "not_allowed",
    "no_such_item",
    "no_such_call",
    "no_such_work_order",
    "no_such_material",
    "no_such_agent",
    "not_in_queue",
    "already_queued",
    "bad_state",
    "rate_limited",
    "busy",
    "resume_refused",
    "taken_over",
    "revoked",
    "internal",
]

MaterialSource: TypeAlias = Literal[
    "citizen_upload", "video_still", "document_camera", "agent_annotated", "e_licence"
]
#: How the citizen answered the agent's request to look up their electronic licences:
#: consent given aloud in the call and recorded by the agent, or refused.
CertificateConsentMode: TypeAlias = Literal["spoken", "refused"]
ImageMime: TypeAlias = Literal["image/jpeg", "image/png"]
VerdictStatus: TypeAlias = Literal["accepted", "to_correct", "missing"]
UploadFailure: TypeAlias = Literal[
    "too_large",  # over the byte limit
    "too_many_pixels",  # header declares more pixels than allowed (a decompression bomb)
    "not_an_image",  # not a JPEG or PNG, or undecodable
    "truncated",  # the image data ends early
    "bad_metadata",  # absurd EXIF or oversized PNG text chunks
    "bad_checksum",  # a chunk's CRC32 or the file's SHA-256 does not match
    "bad_sequence",  # chunks out of order, or an upload id already in use
    "timeout",  # the upload stalled
    "disconnected",  # the uploader went away half way
    "quota",  # too many concurrent uploads, or too many bytes for the work order
    "no_such_work_order",  # not a work order this connection may add materials to
    "not_answered",  # the uploader's own work order, still waiting: no agent has answered
    "internal",
]

#: Outcomes an agent may choose at wrap-up (``abandoned`` is the hub's alone).
WRAP_UP_OUTCOMES: Final[tuple[Outcome, ...]] = tuple(
    o for o in get_args(Outcome) if o != "abandoned"
)

#: Largest upload or download id (they travel as u32 in chunk headers).
MAX_TRANSFER_ID: Final = 2**32 - 1

SHORT_TEXT: Final = {"max_len": 200}
ID_TEXT: Final = {"max_len": 64, "min_len": 1}


class ProtocolError(ValueError):
    """A message broke protocol v1. ``field`` names the offending field."""

    def __init__(self, code: ErrorCode, message: str, field: str = "") -> None:
        super().__init__(f"{message} ({field})" if field else message)
        self.code: ErrorCode = code
        self.message = message
        self.field = field
