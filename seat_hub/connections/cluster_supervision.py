"""A supervisor's actions on a seat held by another hub of the cluster.

A supervisor on one hub sees every hub's seats on the wall (``cluster_wall``) and may
whisper to any of them: a whisper to a seat this hub holds is the single hub's rule
(``supervision.actions.on_whisper``); a whisper to a seat another hub holds is audited
the same way (a row first, then the result, in the shared database) and its
``whisper_message`` posted to the seat's stream as a ``frame``, which the seat's hub
writes to its websocket (``cluster_mail``). A seat nobody holds is refused by the rule, as
on a single hub (``that agent is not logged in``).

Raised hands are not shared yet, so a whisper across hubs does not mark one answered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import redis.asyncio as aioredis

from seat_common.protocol import Whisper, WhisperMessage, encode
from seat_hub.cluster.outbox import StreamOutbox
from seat_hub.cluster.presence import holder
from seat_hub.connections.cluster_views import agent_party
from seat_hub.context import HubContext
from seat_hub.parties.session import Session
from seat_hub.supervision.audit import audited


class SharedSupervision:
    """Supervisors' actions across hubs (see the module's docstring). ``local`` is the
    floor's party → session map of the parties this hub holds."""

    def __init__(self, ctx: HubContext, client: aioredis.Redis, outbox: StreamOutbox,
                 local: Mapping[str, Session], *, hub: str) -> None:
        self.ctx = ctx
        self._redis = client
        self.outbox = outbox
        self._local = local
        self._hub = hub

    async def whisper(self, session: Session, message: Whisper,
                      route: Callable[[], Awaitable[None]]) -> None:
        """``message`` to its seat, wherever the seat is held."""
        party = agent_party(message.agent_id)
        held = None if party in self._local else await holder(self._redis, party)
        if held is None or held.hub == self._hub:
            await route()  # held here, or nowhere: the rule whispers or refuses
            return
        frame = encode(WhisperMessage(supervisor_id=session.agent_id,
                                      supervisor_name=session.name or session.agent_id,
                                      text=message.text, sent_at=self.ctx.clock()))

        def act() -> None:
            self.outbox.post(party, "frame", {"frame": frame, "from": party})

        # The audit keeps that a whisper was sent and its length, not its words.
        await audited(self.ctx, session, "whisper", message.agent_id,
                      f"{len(message.text)} chars", act)
        self.ctx.log.event("cluster_whisper", agent_id=message.agent_id, hub=held.hub)
