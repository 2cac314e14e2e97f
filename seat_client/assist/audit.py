"""The audit trail of remote-assist control sessions: an append-only JSON-lines file.

Every request for control, grant, denial, stop (and who stopped), the end
with the call, input the kiosk refused and every document pushed to its
printer is one line in ``<directory>/remote-assist-audit.jsonl``::

    {"v": 1, "at": 1764301234.5, "event": "granted", "control_session": "…",
     "call_id": "…", "work_order_id": "…", "agent_id": "0012", "by": "kiosk", "detail": ""}

The file is the workstation's own copy, which its user could edit: each record is
also sent to the hub's audit log as it happens (``trail_sender``), under its
``entry_id`` so that sending it again is harmless. ID numbers never enter it
unmasked: ``detail`` goes through ``pii.mask_text``. ``recorded`` is emitted for
each new record.

A line is a few hundred bytes appended to a local file (a page-cache write,
no fsync): cheap enough to do on the event loop, and it keeps the order of
events without a writer task to own.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Final

from seat_common.events import Event
from seat_common.personal_data import pii
from seat_common.personal_data.private_files import private_dir
from seat_common.protocol import AssistTrailEvent

log = logging.getLogger(__name__)

FILE_NAME: Final = "remote-assist-audit.jsonl"
AuditEvent = AssistTrailEvent


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
    #: The record's key at the hub (32 hex digits); a line written before there was one
    #: gets the hash of its content when read.
    entry_id: str = ""


class AssistAudit:
    """Appends ``AuditRecord`` lines to ``directory/remote-assist-audit.jsonl``."""

    def __init__(self, directory: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = directory / FILE_NAME
        self._clock = clock
        private_dir(directory)
        self.recorded: Event[AuditRecord] = Event()

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
            entry_id=secrets.token_hex(16),
        )
        line = json.dumps(asdict(entry), ensure_ascii=False, separators=(",", ":"))
        try:
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError:
            # The session goes on; the operator sees the failure in the log.
            log.exception("remote-assist audit: cannot append to %s", self.path)
        self.recorded.emit(entry)
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
                entry = AuditRecord(**json.loads(line))
                if not re.fullmatch(r"[0-9a-f]{32}", entry.entry_id):
                    key = hashlib.sha256(line.encode("utf-8")).hexdigest()[:32]
                    entry = replace(entry, entry_id=key)
                found.append(entry)
            except (ValueError, TypeError):
                log.warning("remote-assist audit: line %d of %s is damaged", number, self.path)
        return found
