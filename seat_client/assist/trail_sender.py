"""The remote-assist trail, sent to the hub's audit log as it happens; nothing lost offline.

``AssistTrailSender`` follows ``AssistAudit``: each new record is queued and sent as
``assist_trail`` at once when the hub link is up. The hub answers ``assist_trail_saved``
once the row is written; only then is the entry taken off the queue and its id appended
to ``<audit dir>/remote-assist-audit.sent``. When the link comes back (or the
workstation starts again) every entry of the local trail not listed there is sent again,
oldest first; the hub writes an entry id once, so an entry whose answer was lost with the
link is not written twice. A refused entry (``Error`` of ``assist_trail``: the hub could
not write its log) stays queued and goes again with the next link.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Final

from seat_client.assist.audit import AssistAudit, AuditRecord
from seat_client.call.hub_link import HubLink, LinkState, NotConnectedError
from seat_common import protocol
from seat_common.events import Event
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)

SENT_NAME: Final = "remote-assist-audit.sent"


class AssistTrailSender:
    """Sends ``audit``'s records over ``link``; ``pending`` are those the hub has not
    confirmed. Emits ``saved`` (entry id) for each confirmation."""

    def __init__(self, link: HubLink, audit: AssistAudit, tasks: TaskOwner | None = None
                 ) -> None:
        self._link = link
        self._audit = audit
        self._tasks = tasks or TaskOwner("assist trail")
        self.sent_path: Path = audit.path.with_name(SENT_NAME)
        self.pending: dict[str, AuditRecord] = {}
        self.saved: Event[str] = Event()
        self._unsubscribe = [
            audit.recorded.connect(self._on_audit_recorded),
            link.message.connect(self._on_message),
            link.state_changed.connect(self._on_link_state),
        ]

    async def start(self) -> None:
        """Queue what an earlier run left unconfirmed (read in a thread)."""
        unsent = await asyncio.to_thread(self._unconfirmed)
        for entry in unsent:
            self.pending.setdefault(entry.entry_id, entry)
        if unsent:
            log.info("remote-assist trail: %d entries to send to the hub", len(unsent))
        if self._link.state is LinkState.CONNECTED:
            self._send_all()

    async def close(self) -> None:
        for undo in self._unsubscribe:
            undo()
        await self._tasks.close()

    def _unconfirmed(self) -> list[AuditRecord]:
        try:
            sent = set(self.sent_path.read_text(encoding="utf-8").split())
        except FileNotFoundError:
            sent = set()
        return [e for e in self._audit.records() if e.entry_id not in sent]

    def _on_audit_recorded(self, entry: AuditRecord) -> None:
        self.pending[entry.entry_id] = entry
        if self._link.state is LinkState.CONNECTED:
            self._tasks.spawn(self._send(entry), "assist-trail", report=False)

    def _on_link_state(self, state: LinkState) -> None:
        if state is LinkState.CONNECTED:
            self._send_all()

    def _send_all(self) -> None:
        entries = list(self.pending.values())
        if entries:
            self._tasks.spawn(self._send_in_order(entries), "assist-trail", report=False)

    async def _send_in_order(self, entries: list[AuditRecord]) -> None:
        for entry in entries:
            if entry.entry_id in self.pending and not await self._send(entry):
                return  # the link went: everything goes again when it is back

    async def _send(self, entry: AuditRecord) -> bool:
        try:
            await self._link.send(protocol.AssistTrail(
                entry_id=entry.entry_id, at=max(0.0, entry.at), event=entry.event,
                control_session=entry.control_session[:64], call_id=entry.call_id[:64],
                work_order_id=entry.work_order_id[:64], by=entry.by[:64],
                detail=entry.detail[:500]))
        except NotConnectedError:
            return False
        return True

    def _on_message(self, message: protocol.Message) -> None:
        if isinstance(message, protocol.AssistTrailSaved):
            if self.pending.pop(message.entry_id, None) is not None:
                self._tasks.spawn(asyncio.to_thread(self._note_sent, message.entry_id),
                                  "assist-trail-sent", report=False)
                self.saved.emit(message.entry_id)
        elif isinstance(message, protocol.Error) and message.of == protocol.AssistTrail.TYPE:
            log.warning("the hub could not write a remote-assist trail entry: %s",
                        message.message)

    def _note_sent(self, entry_id: str) -> None:
        with self.sent_path.open("a", encoding="utf-8") as out:
            out.write(entry_id + "\n")
