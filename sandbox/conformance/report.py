"""What the conformance agent found about one call, step by step, in plain words.

Each ``Step`` of a call gets one ``StepResult``: ``PASS``; ``FAIL`` with what was wrong
and the ``docs/protocol.md`` section to read; ``NOT TRIED`` when the client never did
that part (chat, uploads and rating are features a client may leave out, unless the
run requires them); ``SKIP`` when an earlier failure left nothing to check.
``ConformanceReport.text()`` is what a client developer reads; ``passed`` is the verdict.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Final


class Step(enum.Enum):
    """The steps of one call, in the order they happen."""

    HELLO = "hello"
    QUEUE = "queue"
    OFFER_ANSWER = "offer/answer"
    TRICKLE = "trickle"
    MEDIA = "media both ways"
    ASSIST = "assist channel"
    CHAT = "chat"
    UPLOAD = "upload"
    VERDICT = "verdict"
    HANG_UP = "hang-up"
    RATING = "rating"
    RESUME = "resume"


class Outcome(enum.Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    NOT_TRIED = "NOT TRIED"
    SKIP = "SKIP"


#: The section of docs/protocol.md a client developer should read for each step.
SECTIONS: Final[dict[Step, str]] = {
    Step.HELLO: "Roles and login",
    Step.QUEUE: "Routing (ACD); Messages: queue (join_queue); The catalog",
    Step.OFFER_ANSWER: "Media (WebRTC): Who offers; Tracks and their order; Codecs",
    Step.TRICKLE: "Media (WebRTC): Candidates (ice); Trickle timing; ICE servers and policy",
    Step.MEDIA: "Media (WebRTC): Tracks and their order; Resolution and frame rate",
    Step.ASSIST: "The remote-assist channel (远程操控协办)",
    Step.CHAT: "A call, start to finish (chat, chat_message)",
    Step.UPLOAD: "Materials (document photos) and the pre-review verdict; Binary chunk format",
    Step.VERDICT: "Materials (document photos) and the pre-review verdict (Verdict)",
    Step.HANG_UP: "A call, start to finish (hangup, call_ended)",
    Step.RATING: "A call, start to finish (Wrap-up and rating); Messages: after the call (rate)",
    Step.RESUME: "Keepalive, timeouts and coming back; A dropped link",
}


@dataclass(frozen=True, slots=True)
class StepResult:
    step: Step
    outcome: Outcome
    detail: str

    def line(self) -> str:
        text = f"{self.outcome.value:<9} {self.step.value:<15} {self.detail}"
        if self.outcome is Outcome.FAIL:
            text += f"\n{'':<25} → read docs/protocol.md, section \"{SECTIONS[self.step]}\""
        return text


@dataclass
class ConformanceReport:
    """The results of one call with the client (``role``: citizen or kiosk)."""

    role: str
    results: dict[Step, StepResult] = field(default_factory=dict)
    #: facts worth knowing that are not a verdict (e.g. when candidates came)
    notes: list[str] = field(default_factory=list)
    work_order_id: str = ""

    def record(self, step: Step, outcome: Outcome, detail: str) -> None:
        """The result of ``step``; the first FAIL of a step stands."""
        current = self.results.get(step)
        if current is not None and current.outcome is Outcome.FAIL:
            return
        self.results[step] = StepResult(step, outcome, detail)

    def passed_step(self, step: Step, detail: str) -> None:
        self.record(step, Outcome.PASS, detail)

    def failed_step(self, step: Step, detail: str) -> None:
        self.record(step, Outcome.FAIL, detail)

    def outcome(self, step: Step) -> Outcome | None:
        result = self.results.get(step)
        return None if result is None else result.outcome

    def failures(self) -> list[StepResult]:
        return [r for r in self.ordered() if r.outcome is Outcome.FAIL]

    @property
    def passed(self) -> bool:
        return not self.failures()

    def ordered(self) -> list[StepResult]:
        return [self.results[step] for step in Step if step in self.results]

    def text(self) -> str:
        head = f"Conformance of a {self.role} client"
        if self.work_order_id:
            head += f" (work order {self.work_order_id})"
        lines = [head, *(r.line() for r in self.ordered())]
        lines += [f"note      {note}" for note in self.notes]
        verdict = "PASSED" if self.passed else f"FAILED ({len(self.failures())} step(s))"
        lines.append(f"Result: {verdict}")
        return "\n".join(lines)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "work_order_id": self.work_order_id,
            "passed": self.passed,
            "steps": [
                {"step": r.step.value, "outcome": r.outcome.value, "detail": r.detail,
                 "section": SECTIONS[r.step]}
                for r in self.ordered()
            ],
            "notes": list(self.notes),
        }
