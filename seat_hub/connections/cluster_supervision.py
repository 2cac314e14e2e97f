"""A supervisor's actions on a seat held by another hub of the cluster.

A supervisor on one hub sees every hub's seats on the wall (``cluster_wall``) and may
whisper to any of them: a whisper to a seat this hub holds is the single hub's rule
(``supervision.actions.on_whisper``); a whisper to a seat another hub holds is audited
the same way (a row first, then the result, in the shared database) and its
``whisper_message`` posted to the seat's stream as a ``frame``, which the seat's hub
writes to its websocket (``cluster_mail``). A seat nobody holds is refused by the rule, as
on a single hub (``that agent is not logged in``). A supervisor setting a seat on another
hub ready or away is checked against the seat's hash as the rule checks it, audited, and
posted to the seat's stream (``set_state``), where the seat's hub runs it as the seat's
own ``set_state`` (the rule, then the script: ``cluster_mail``).

A raised hand (举手) is shared on the seat's agent hash (``hand``, ``hand_since``,
``hand_answered_by``), written by the seat's hub after the rule (``hand_changed``) and
cleared by the logout's script, so the wall on any hub shows it; a seat logging in again
on another hub while its hand is up gets it back (``cluster_seats``). A whisper answers the
hand wherever it was sent from: the first one marks it answered in Redis (a script, so two
supervisors do not both answer it) and the audit log gets its ``hand_answered`` row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Final

import redis.asyncio as aioredis

from seat_common.protocol import SetState, SuperviseState, Whisper, WhisperMessage, encode
from seat_hub.cluster import keys
from seat_hub.cluster.outbox import StreamOutbox
from seat_hub.cluster.presence import holder
from seat_hub.connections.cluster_parties import SHARED_ERRORS
from seat_hub.connections.cluster_seats import HAND_FIELDS
from seat_hub.connections.cluster_views import agent_party
from seat_hub.context import HubContext, Refusal
from seat_hub.parties.session import Session
from seat_hub.routing.acd import ROUTED_MODES
from seat_hub.supervision.audit import audited

# KEYS: the agent's hash; ARGV: who answers. The hand's reason if this answered it.
_ANSWER: Final = """
local hand = redis.call('HGET', KEYS[1], 'hand')
if not hand or hand == '' then return false end
local by = redis.call('HGET', KEYS[1], 'hand_answered_by')
if by and by ~= '' then return false end
redis.call('HSET', KEYS[1], 'hand_answered_by', ARGV[1])
return hand
"""


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
        self._answer = client.register_script(_ANSWER)

    async def whisper(self, session: Session, message: Whisper,
                      route: Callable[[], Awaitable[None]]) -> None:
        """``message`` to its seat, wherever the seat is held."""
        party = agent_party(message.agent_id)
        held = None if party in self._local else await holder(self._redis, party)
        if held is None or held.hub == self._hub:
            await route()  # held here, or nowhere: the rule whispers or refuses
            await self.hand_changed(message.agent_id)  # answered by the rule, if up
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
        await self._answer_hand(message.agent_id, session)

    async def supervise_state(self, session: Session, message: SuperviseState,
                              route: Callable[[], Awaitable[None]]) -> None:
        """Set a seat ready or away, wherever it is held: refused as the rule refuses
        (ringing, in a call, owing a wrap-up, at the counter), from the seat's hash."""
        party = agent_party(message.agent_id)
        held = None if party in self._local else await holder(self._redis, party)
        if held is None or held.hub == self._hub:
            await route()  # held here, or nowhere: the rule sets it or refuses
            return
        state, mode = await self._redis.hmget(keys.agent_key(message.agent_id),
                                              ["state", "mode"])
        change = encode(SetState(state=message.state, reason=message.reason))

        def act() -> None:
            if state in ("ringing", "on_call"):
                raise Refusal("bad_state", f"cannot change state while {state}", "state")
            if state == "wrap_up":
                raise Refusal("bad_state", "finish the wrap-up first", "state")
            if mode not in ROUTED_MODES:
                raise Refusal("bad_state", "the seat is in counter mode; switch mode first",
                              "state")
            self.outbox.post(party, "set_state", {"frame": change,
                                                  "from": f"supervisor.{session.agent_id}"})

        detail = message.state + (f" ({message.reason})" if message.reason else "")
        await audited(self.ctx, session, "supervise_state", message.agent_id, detail, act)

    async def hand_changed(self, agent_id: str) -> None:
        """The seat held here raised, lowered or had its hand answered: said in Redis."""
        agent = self.ctx.live.agents.get(agent_id)
        if agent is None:
            return
        key = keys.agent_key(agent_id)
        try:
            if agent.hand:
                await self._redis.hset(key, mapping={
                    "hand": agent.hand, "hand_since": repr(agent.hand_since),
                    "hand_answered_by": agent.hand_answered_by})
            else:
                await self._redis.hdel(key, *HAND_FIELDS)
        except SHARED_ERRORS as exc:
            self.ctx.log.event("cluster_error", where="hand", agent_id=agent_id,
                               error=repr(exc))

    async def _answer_hand(self, agent_id: str, supervisor: Session) -> None:
        """The whisper answers the seat's hand, if it is up and not yet answered."""
        name = (supervisor.name or supervisor.agent_id)[:200]
        try:
            hand = await self._answer(keys=[keys.agent_key(agent_id)], args=[name])
        except SHARED_ERRORS as exc:
            self.ctx.log.event("cluster_error", where="hand", agent_id=agent_id,
                               error=repr(exc))
            return
        if isinstance(hand, str) and hand:
            await self.ctx.audit.record(at=self.ctx.clock(), supervisor_id=supervisor.agent_id,
                                        action="hand_answered", target=agent_id,
                                        detail=f"whisper: {hand}"[:500], result="ok")
