"""What a simulated citizen is told to do (``CitizenScript``) and what it tells back
(``CitizenReport``), and the notice it shows before a recorded call (``RECORDING_NOTICE``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Final, Literal

from seat_common import protocol
from seat_common.personal_data import pii

#: What the citizen is told before the media of a recorded call starts.
RECORDING_NOTICE: Final = "本次通话将录音录像"


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
    #: The citizen's voice: a steady quiet 400 Hz tone, or for measuring delay, bursts of
    #: ``voice_hz`` (100 ms every 500 ms) whose capture times the peer keeps, and all it
    #: hears kept with arrival times (``CitizenPeer.voice.onsets``, ``CitizenPeer.timed``).
    voice: Literal["tone", "bursts"] = "tone"
    voice_hz: float = 1000.0
    #: With voice "bursts": the tone listened for in what the citizen hears (the report's
    #: ``heard_onsets``).
    listen_hz: float = 700.0
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
    #: When the link to the hub drops (not closed by the citizen), reconnect with the
    #: welcome's resume token (backoff 0.2 s doubling to 2 s) and take the call or the
    #: queue place back, as the web page does.
    reconnect: bool = False
    #: "gathered": the offer carries every candidate (aiortc's way); "early": each
    #: candidate goes first as an ``ice`` message and the offer follows without them
    #: (a trickling browser's worst case for the other side).
    trickle: Literal["gathered", "early"] = "gathered"
    #: Share a "screen" (a drawn portal form, ``sandbox.citizen.screen_share``) on the
    #: offer's second video section once the agent's answer is applied, as the hub's page
    #: does when the citizen presses 共享屏幕给工作人员看.
    share: bool = False
    #: The citizen's answer on their device when the agent asks to look up their electronic
    #: certificates (``certificate_consent_request``): 同意 (True), 不同意 (False), or no
    #: answer (None).
    certificate_consent: bool | None = True

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
    #: The ICE policy the hub handed out ("all" or "relay") and the SDP offer we sent.
    ice_policy: str = ""
    offer_sdp: str = ""
    candidates_trickled: int = 0  # with trickle "early": sent as ice before the offer
    frames_received: int = 0  # the agent's video
    #: A second picture: a consulted colleague's in a three-way call, relayed by the agent
    #: on the offer's second video section (frames, and when the first one arrived).
    second_frames_received: int = 0
    second_first_frame_at: float = 0.0
    video_sizes: dict[str, int] = field(default_factory=dict)  # "640x480" → frames
    stamped_frames: int = 0  # frames whose sandbox stamp could be read
    video_latency_ms_p50: float | None = None  # of stamped frames
    audio_frames_received: int = 0
    #: With the script's voice "bursts": when each burst of its voice was captured, and when
    #: each sound of ``listen_hz`` it heard could begin to play (``time.monotonic``, which
    #: every process on the machine shares).
    voice_onsets: list[float] = field(default_factory=list)
    heard_onsets: list[float] = field(default_factory=list)
    chats_sent: list[str] = field(default_factory=list)
    chats_delivered: int = 0  # our own chat lines echoed back by the hub
    chats_received: list[str] = field(default_factory=list)  # the agent's texts
    #: What the agent last said of their camera and microphone (``media_state``), if anything.
    agent_media: protocol.MediaState | None = None
    agent_media_updates: int = 0  # ``media_state`` messages received
    rated: bool = False
    rating_score: int | None = None
    outcome: str = ""  # from work_order_closed, if it came
    errors: list[str] = field(default_factory=list)
    protocol_errors: int = 0  # frames from the hub that failed protocol.decode
    hub_errors: int = 0  # ``error`` messages from the hub
    #: The hub's refusal of the hello or the join, as the citizen was told it (code and
    #: text: a full queue is ``busy`` with a polite Chinese "try later"); "" when admitted.
    refused_code: str = ""
    refused_message: str = ""
    #: Links to the hub that dropped, resumes the hub accepted, and times the call's media
    #: was made afresh (a fresh offer after a dropped link on either side came back).
    links_dropped: int = 0
    resumes: int = 0
    media_renewals: int = 0
    #: Cold transfers: what the hub told the citizen (``transfer_update`` phase and text,
    #: as shown: "正在为您转接…"), the agents met in order, and the agent video frames
    #: received when the call went to the next agent.
    transfer_notices: list[str] = field(default_factory=list)
    agents_met: list[str] = field(default_factory=list)
    frames_at_transfer: list[int] = field(default_factory=list)
    #: Holds: what the hub said (``hold_state``: "on: 请稍候…" / "off: 通话已恢复。").
    hold_notices: list[str] = field(default_factory=list)
    #: A supervisor joining the call and leaving it (``party_update``: "joined: 值班长…").
    party_notices: list[str] = field(default_factory=list)
    timestamps: dict[str, float] = field(default_factory=dict)
    #: Materials: uploads and what became of them, verdicts, annotated images
    #: (``CitizenMaterials.report``).
    materials: dict[str, Any] = field(default_factory=dict)
    #: Screen sharing with ``share``: starts, stops, frames sent, the agent's marks shown
    #: and refused (``ScreenSharing.facts``).
    sharing: dict[str, Any] = field(default_factory=dict)
    #: The certificates the agent asked to look up, one entry per request (names joined
    #: with 、), as the device showed them.
    consent_requests: list[str] = field(default_factory=list)

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
