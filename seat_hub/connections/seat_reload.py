"""Reading the seats file again while the hub runs (SIGHUP), and closing what it revokes.

``seat-admin`` edits the seats file; ``kill -HUP <hub>`` (``systemctl reload``) makes the
hub read it again with ``SeatsReload.reload``:

- The new file is checked exactly as at start (``load_seats`` with the catalog's skills).
  A file that fails is logged (``seats_reload_failed``, naming the entry) and written to
  the audit log as refused; the hub keeps the seats it had and keeps running.
- A row goes to the audit log first (``seats_reload``, what changes); when it cannot be
  written nothing changes (as for every audited action, ``supervision.audit``).
- Then the registry is swapped in place, logged-in agents get their new skills, hall and
  name (the ACD routes by them from the next offer on), the queue snapshots and the seat
  wall are sent again, and every session whose token the new file no longer holds (token
  revoked or issued anew, seat or kiosk removed, role changed) gets ``Error revoked`` and
  is closed (1008) with ``REVOKED_REASON``; its agent's call ends as for a closed link.
  A revoked seat parked in a call (its link dropped, waiting for it to come back) ends
  now, as it cannot come back. Its next login is refused (``bad_token``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from seat_hub.connections.errors import error_reply
from seat_hub.connections.front_desk import Hub
from seat_hub.parties.seats import SeatRegistry, SeatsError, load_seats
from seat_hub.parties.session import POLICY_VIOLATION, Session

#: The websocket close reason of a revoked session (what the clients show; ≤ 123 bytes).
REVOKED_REASON: Final = "您的登录凭据已被吊销，请联系管理员"
#: The ``Error`` sent before closing it.
REVOKED_MESSAGE: Final = (
    f"{REVOKED_REASON}。(your login credentials were revoked; please contact the administrator)"
)


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """What a reload changed (agent ids and kiosk device ids)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    closed: int

    def summary(self) -> str:
        return (f"added {','.join(self.added) or '-'}; removed {','.join(self.removed) or '-'};"
                f" changed {','.join(self.changed) or '-'}; sessions closed {self.closed}")


class SeatsReload:
    """Reloads ``path`` into ``hub``'s seat registry, one reload at a time."""

    def __init__(self, hub: Hub, path: Path, known_skills: Collection[str]) -> None:
        self._hub = hub
        self._path = path
        self._known_skills = frozenset(known_skills)
        self._lock = asyncio.Lock()

    async def reload(self) -> ReloadOutcome | None:
        """Read the file again and apply it; None when it was refused (old seats kept)."""
        async with self._lock:
            return await self._reload()

    async def _reload(self) -> ReloadOutcome | None:
        ctx = self._hub.ctx
        target = self._path.name[:64]
        try:
            new = await asyncio.to_thread(load_seats, self._path, self._known_skills)
        except SeatsError as exc:
            await self._audit(target, str(exc), "refused:bad_file")
            ctx.log.event("seats_reload_failed", path=str(self._path), error=str(exc),
                          kept_seats=len(ctx.seats), kept_kiosks=ctx.seats.kiosk_count)
            return None
        revoked = [s for s in self._hub.credentialed if not still_valid(s, new)]
        outcome = ReloadOutcome(*_differences(ctx.seats, new), closed=len(revoked))
        if not await self._audit(target, outcome.summary(), "requested"):
            ctx.log.event("seats_reload_failed", path=str(self._path),
                          error="the audit log cannot be written, so nothing was changed",
                          kept_seats=len(ctx.seats), kept_kiosks=ctx.seats.kiosk_count)
            return None
        ctx.seats.replace_with(new)
        for agent in ctx.live.agents.values():
            seat = new.get(agent.agent_id)
            if seat is not None and seat.role == "agent":
                agent.seat = seat  # skills, hall, name: routing uses them from now on
        for session in self._hub.credentialed:
            kiosk = new.kiosk(session.kiosk.device_id) if session.kiosk is not None else None
            if kiosk is not None:
                session.kiosk = kiosk  # the hall its next citizen is queued in
        for session in revoked:
            close_revoked(session)
        parked = [a.agent_id for a in list(ctx.live.agents.values())
                  if a.session not in self._hub.credentialed and not still_valid(a.session, new)]
        parked = [agent_id for agent_id in parked if self._hub.end_parked_agent(agent_id)]
        ctx.wall.seats_reloaded()
        ctx.queue_changed()
        self._hub.settle()  # new skills may let a waiting citizen be offered now
        ctx.publish_soon()
        await self._audit(target, outcome.summary(), "ok")
        # logged last: the line says the reload is done, audit rows and all
        ctx.log.event("seats_reloaded", path=str(self._path), seats=len(new),
                      kiosks=new.kiosk_count, added=list(outcome.added),
                      removed=list(outcome.removed), changed=list(outcome.changed),
                      sessions_closed=[s.session_id for s in revoked], parked_ended=parked)
        return outcome

    async def _audit(self, target: str, detail: str, result: str) -> bool:
        ctx = self._hub.ctx
        try:
            await ctx.audit.record(at=ctx.clock(), supervisor_id="", action="seats_reload",
                                   target=target, detail=detail[:500], result=result)
        except Exception as exc:
            ctx.log.event("audit_unwritable", action="seats_reload", target=target,
                          error=repr(exc))
            return False
        return True


def still_valid(session: Session, seats: SeatRegistry) -> bool:
    """Whether ``seats`` still holds the token ``session`` logged in with, for its role."""
    if not session.token_sha256:
        return False
    if session.role == "kiosk":
        kiosk = seats.kiosk(session.kiosk.device_id) if session.kiosk is not None else None
        return kiosk is not None and kiosk.token_sha256 == session.token_sha256
    seat = seats.get(session.agent_id)
    return seat is not None and seat.role == session.role and (
        seat.token_sha256 == session.token_sha256
    )


def close_revoked(session: Session) -> None:
    """Tell ``session`` its credentials were revoked, then close it (1008)."""
    session.send(error_reply("revoked", REVOKED_MESSAGE, "", ""))
    session.close(POLICY_VIOLATION, REVOKED_REASON)


def _differences(
    old: SeatRegistry, new: SeatRegistry
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    before: dict[str, object] = {s.agent_id: s for s in old.all()}
    before |= {f"kiosk:{k.device_id}": k for k in old.kiosks()}
    after: dict[str, object] = {s.agent_id: s for s in new.all()}
    after |= {f"kiosk:{k.device_id}": k for k in new.kiosks()}
    added = tuple(sorted(set(after) - set(before)))
    removed = tuple(sorted(set(before) - set(after)))
    changed = tuple(sorted(i for i in set(before) & set(after) if before[i] != after[i]))
    return added, removed, changed
