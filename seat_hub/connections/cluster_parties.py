"""The parties a cluster's hub holds, and holding them in the cluster.

A party (``citizen.<work order>``, ``agent.<seat>``) is held here when this hub reads its
stream and its presence key names this hub's connection for it. ``HeldParties`` keeps the
maps the floor's parts share (not copied): party → local session and back, a local
citizen's call home, and the stand-ins of citizens whose calls are homed here. It holds a
party (telling a holder elsewhere at once: ``taken``), lets one go, and closes a
connection another hub took its party from (``taken_over``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from seat_common.protocol import Error
from seat_common.tasks import TaskOwner
from seat_hub.cluster.bus import BadMessage, SignalReader
from seat_hub.cluster.outbox import StreamOutbox
from seat_hub.cluster.presence import NAME, SHA256, Presence, PresenceError, issue_resume
from seat_hub.cluster.queue_results import MalformedState
from seat_hub.context import HubContext
from seat_hub.parties.remote_session import RemoteSession
from seat_hub.parties.session import POLICY_VIOLATION, Session

#: What a step on the shared state may raise: Redis away or failing (``RedisError``, a
#: socket's ``OSError``), or what Redis holds not being what the hubs write (a script's
#: answer or a hash: ``MalformedState``; a presence value: ``PresenceError``; a stream's
#: id: ``BadMessage``; a value that is not UTF-8 text: ``UnicodeDecodeError``, raised by
#: redis-py's decoding). Logged as ``cluster_error`` where it is caught, never the hub's
#: end. Not any ``ValueError``: a wrong argument is a bug here, answered ``internal``
#: and logged as one, not taken for Redis being away.
SHARED_ERRORS: Final = (RedisError, OSError, MalformedState, PresenceError, BadMessage,
                        UnicodeDecodeError)


class HeldParties:
    """The parties this hub holds (see the module's docstring). ``local``: party → the
    local session holding it; ``party_of``: back; ``homes``: a local citizen's session
    id → the party whose hub runs its call (its agent); ``remotes``: citizen party → its
    stand-in here, for calls homed on this hub."""

    def __init__(self, ctx: HubContext, client: aioredis.Redis, *, presence: Presence,
                 reader: SignalReader, outbox: StreamOutbox, tasks: TaskOwner) -> None:
        self.ctx = ctx
        self._redis = client
        self.presence = presence
        self.reader = reader
        self.outbox = outbox
        self._tasks = tasks
        self.local: dict[str, Session] = {}
        self.party_of: dict[str, str] = {}
        self.homes: dict[str, str] = {}
        self.remotes: dict[str, RemoteSession] = {}

    async def keep(self, party: str, session: Session) -> None:
        """``session`` holds ``party`` here: in memory, and its stream read (``hold`` next)."""
        self.local[party] = session
        self.party_of[session.session_id] = party
        await self.reader.add(party)

    async def hold(self, party: str, session: Session, resume: str = "") -> None:
        """Hold ``party`` on ``session`` here; a holder elsewhere is told at once (``taken``
        on the party's stream, which it reads), not only at its next renewal."""
        connection = _connection(session)
        previous, _ = await self.presence.hold(party, connection, resume_sha256=resume)
        if previous is not None and (previous.hub, previous.connection) != (
                self.presence.hub, connection):
            self.outbox.post(party, "taken", {"by": f"{self.presence.hub}:{connection}"})

    async def hold_citizen(self, party: str, session: Session) -> None:
        """Hold a citizen's party, and its resume token names the party on every hub."""
        resume = session.resume_key if SHA256.fullmatch(session.resume_key) else ""
        await self.hold(party, session, resume)
        if resume:
            timing = self.presence.timing
            await issue_resume(self._redis, resume, party, timing.party_ttl_ms + timing.grace_ms)

    async def let_go_here(self, party: str) -> None:
        """This hub no longer holds ``party`` (it left, or moved on)."""
        session = self.local.pop(party, None)
        if session is not None:
            self.party_of.pop(session.session_id, None)
        await self.reader.remove(party)
        await self.presence.release(party)

    def taken(self, party: str, body: Mapping[str, Any]) -> None:
        """A ``taken`` on a party's stream: unless it names this hub's own connection for
        it, another holds the party now."""
        by = body.get("by")
        session = self.local.get(party)
        if session is None or not isinstance(by, str):
            return
        if by != f"{self.presence.hub}:{_connection(session)}":
            self.taken_over(party)

    def taken_over(self, party: str) -> None:
        """Another hub holds ``party`` now: this hub's connection is told and closed."""
        session = self.local.pop(party, None)
        if session is None:
            return
        self.party_of.pop(session.session_id, None)
        self.homes.pop(session.session_id, None)
        self.ctx.log.event("login_takeover", session=session.session_id, party=party,
                           by="another hub")
        session.send(Error(code="taken_over", field="", of="hello",
                           message="logged in again on another hub; this connection is closed"))
        session.close(POLICY_VIOLATION, "taken over by a newer login")
        self._tasks.spawn(self.reader.remove(party), f"cluster stop reading {party}")


def _connection(session: Session) -> str:
    """A session's id as a presence value's connection part."""
    return session.session_id if NAME.fullmatch(session.session_id) else "connection"
