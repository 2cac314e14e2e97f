"""The audit trail of remote-assist control sessions: an append-only JSON-lines file.

Every request for control, grant, denial, stop (and who stopped), the end
with the call, input the kiosk refused and every document pushed to its
printer is one line in ``<directory>/remote-assist-audit.jsonl``::

    {"v": 1, "at": 1764301234.5, "event": "granted", "control_session": "…",
     "call_id": "…", "work_order_id": "…", "agent_id": "0012", "by": "kiosk", "detail": ""}

The record is self-contained so that it can be forwarded unchanged to the
hub's audit log once it exists (issue #6). ID numbers never enter it
unmasked: ``detail`` goes through ``pii.mask_text``.

A line is a few hundred bytes appended to a local file (a page-cache write,
no fsync): cheap enough to do on the event loop, and it keeps the order of
events without a writer task to own.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final, Literal

from seat_common import pii

log = logging.getLogger(__name__)

FILE_NAME: Final = "remote-assist-audit.jsonl"
AuditEvent = Literal[
    "requested", "granted", "denied", "stopped", "ended", "input_refused", "print_pushed",
    "print_result", "id_card_read", "face_scanned",
]


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One line of the audit trail."""

    at: float
    event: AuditEvent
    control_session: str
    call_id: str
    work_order_id: str
    agent_id: str
    by: str = ""
    detail: str = ""
    v: int = 1


class AssistAudit:
    """Appends ``AuditRecord`` lines to ``directory/remote-assist-audit.jsonl``."""

    def __init__(self, directory: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = directory / FILE_NAME
        self._clock = clock
        directory.mkdir(parents=True, exist_ok=True)

    def record(
        self,
        event: AuditEvent,
        *,
        control_session: str,
        call_id: str,
        work_order_id: str,
        agent_id: str,
        by: str = "",
        detail: str = "",
    ) -> AuditRecord:
        entry = AuditRecord(
            at=self._clock(),
            event=event,
            control_session=control_session,
            call_id=call_id,
            work_order_id=work_order_id,
            agent_id=agent_id,
            by=by,
            detail=pii.mask_text(detail)[:500],
        )
        line = json.dumps(asdict(entry), ensure_ascii=False, separators=(",", ":"))
        try:
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError:
            # The session goes on; the operator sees the failure in the log.
            log.exception("remote-assist audit: cannot append to %s", self.path)
        return entry

    def records(self) -> list[AuditRecord]:
        """Every record so far (a bad line is skipped with a warning)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        found = []
        for number, line in enumerate(text.splitlines(), 1):
            try:
                found.append(AuditRecord(**json.loads(line)))
            except (ValueError, TypeError):
                log.warning("remote-assist audit: line %d of %s is damaged", number, self.path)
        return found
