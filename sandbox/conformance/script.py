"""What the conformance agent is told: how long it waits for each part of a call, and
which features (steps a client may leave out) it requires; and the error it raises when
it cannot go on itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sandbox.conformance.report import Step

#: Steps a client may leave out (``NOT TRIED`` unless required).
FEATURES: Final = frozenset({Step.CHAT, Step.UPLOAD, Step.RATING, Step.RESUME})
CHAT_TEXT: Final = "您好，这里是一致性测试坐席。请回复一句话，并上传一张证件照片。"


class ConformanceError(Exception):
    """The agent itself cannot go on (the hub refused its login, the link broke)."""


@dataclass(frozen=True, slots=True)
class AgentScript:
    """How long the agent waits for each part, and which features it requires."""

    #: for a contact to be offered (the client's hello and join_queue)
    contact_wait_s: float = 600.0
    #: for the client's SDP offer after call_started
    offer_wait_s: float = 20.0
    #: for the media to connect, and then to flow both ways
    connect_wait_s: float = 30.0
    media_wait_s: float = 30.0
    #: for the client's chat and upload, from when the media flow
    feature_wait_s: float = 45.0
    #: for the rating, after the wrap-up
    rating_wait_s: float = 30.0
    #: with resume: how long the agent waits, after asking in the chat, for the client to
    #: drop its link and come back (0: resume is not checked)
    resume_wait_s: float = 0.0
    #: features that FAIL when not tried
    require: frozenset[Step] = frozenset()
    min_video_frames: int = 10
    min_audio_frames: int = 25
    chat_text: str = CHAT_TEXT

    def __post_init__(self) -> None:
        if not self.require <= FEATURES:
            extra = ", ".join(sorted(s.value for s in self.require - FEATURES))
            raise ValueError(f"only features can be required, not {extra}")


__all__ = ["CHAT_TEXT", "FEATURES", "AgentScript", "ConformanceError"]
