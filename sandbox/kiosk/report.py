"""What a kiosk's contact did, for the tests, the demo and the benchmarks: the calls it had,
the agent's inputs it handled or refused, what it printed, and what its screen told the
citizen (recording, transfer and hold notices, the remote pictures it showed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from seat_common import protocol


@dataclass(frozen=True, slots=True)
class HandledInput:
    """An agent input event a kiosk widget handled (``perf_counter`` seconds)."""

    seq: int
    kind: str
    widget: str
    received_at: float
    handled_at: float


@dataclass
class KioskReport:
    """One kiosk contact, as it went (filled in by ``KioskPeer``)."""

    call_id: str = ""
    work_order_id: str = ""
    connected: bool = False
    ended_by: str = ""
    control_states: list[str] = field(default_factory=list)
    handled: list[HandledInput] = field(default_factory=list)
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # seq, kind, reason
    printed: list[str] = field(default_factory=list)
    print_failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: What the screen told the citizen when the hub said the call is recorded.
    recording_notice: str = ""
    #: What the agent last said of their camera and microphone (``media_state``), if anything.
    agent_media: protocol.MediaState | None = None
    #: Transfer and hold notices the screen showed, as "phase: text" / "on: text".
    transfer_notices: list[str] = field(default_factory=list)
    hold_notices: list[str] = field(default_factory=list)
    #: A supervisor joining the call and leaving it (``party_update``), as shown.
    party_notices: list[str] = field(default_factory=list)
    #: Calls this contact had: more than one when an agent transferred it.
    calls: list[str] = field(default_factory=list)
    #: Calls whose media (peer connection and tracks) the kiosk has closed, in order: a
    #: transfer's first call is here once the citizen waits in the next queue.
    media_closed: list[str] = field(default_factory=list)
    #: Frames of the agent's picture and of a third party's (colleague or supervisor) shown.
    agent_frames: int = 0
    third_party_frames: int = 0
    #: The third party's picture shown and hidden, as "shown: 值班长" / "hidden: left".
    third_party_log: list[str] = field(default_factory=list)
