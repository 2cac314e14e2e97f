"""A seat that comes back on another hub of the cluster: its call, wrap-up or offer taken
up where the shared queue has it.

An agent's state lives in Redis (the agent's hash: ringing, on a call, owing a wrap-up);
a call's rules run on the hub that holds the agent. When that hub is lost (or the agent
logs in elsewhere), the hub the agent logs in to rebuilds, from Redis and the contact's
details, what the lost hub held in memory:

- the ``Call``, and sends ``call_started`` again to both parties (the citizen's hub, which
  relays to the agent's party, finds the call at its new home at once), and
  ``hold_state`` if the citizen was on hold (``keep_hold`` keeps it on the call's hash);
- the owed wrap-up's ``EndedCall``, with what is left of its queue's wrap-up limit,
  counted from the call's end by Redis's clock;
- or the ringing offer, rung again until the script's deadline takes it back;
- and a raised hand is up again.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import redis.asyncio as aioredis

from seat_common.protocol import PeerLink
from seat_hub.calls import lifecycle, transfer
from seat_hub.cluster import keys
from seat_hub.cluster.queue_results import AgentRecord
from seat_hub.connections.cluster_details import BadDetails, ContactDetails
from seat_hub.connections.cluster_parties import SHARED_ERRORS
from seat_hub.context import HubContext
from seat_hub.model import Agent, Call, EndedCall
from seat_hub.parties.remote_session import Post, RemoteSession
from seat_hub.routing import dispatch, presence

#: A raised hand's fields on the agent's hash (``cluster_supervision`` writes them).
HAND_FIELDS: Final = ("hand", "hand_since", "hand_answered_by")


# KEYS: a call's hash; ARGV: 1 on hold, 0 not. Only a call still on.
_KEEP_HOLD: Final = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'on_hold', ARGV[1]) end
return 0
"""


class SeatBack:
    """Takes up a returning seat's work (see the module's docstring)."""

    def __init__(self, ctx: HubContext, client: aioredis.Redis, post: Post,
                 remotes: dict[str, RemoteSession],
                 ring: Callable[[str, Mapping[str, Any]], Awaitable[None]]) -> None:
        self.ctx = ctx
        self._redis = client
        self._post = post
        self._remotes = remotes
        self._ring = ring
        self._hold = client.register_script(_KEEP_HOLD)

    async def take_up(self, agent: Agent, party: str, record: AgentRecord | None) -> None:
        """After the seat's login here: what the shared queue says it is busy with, and
        its raised hand."""
        await self._restore_hand(agent)
        if record is None or agent.call is not None or agent.offer is not None \
                or agent.wrap_up is not None:
            return  # nothing there, or this hub still holds it (a local resume)
        if record.state == "on_call" and record.call:
            await self._call(agent, party, record.call)
        elif record.state == "wrap_up" and record.wrap_up:
            await self._wrap_up(agent, party, record.wrap_up)
        elif record.state == "ringing" and record.offer:
            work_order_id = await self._redis.hget(keys.offer_key(record.offer), "work_order_id")
            if isinstance(work_order_id, str) and work_order_id:
                await self._ring(party, {"call_id": record.offer,
                                         "work_order_id": work_order_id})

    async def keep_hold(self, call_id: str) -> None:
        """The hold of a call homed here, kept on its hash for a take-up (not written to a
        call that ended meanwhile)."""
        call = self.ctx.live.calls.get(call_id)
        if call is None:
            return
        try:
            await self._hold(keys=[keys.call_key(call_id)], args=["1" if call.on_hold else "0"])
        except SHARED_ERRORS as exc:  # the hold stands here; a take-up would not know it
            self.ctx.log.event("cluster_error", where="hold", call_id=call_id, error=repr(exc))

    async def _restore_hand(self, agent: Agent) -> None:
        """A seat logging in here whose hand is up in Redis (it came from another hub, or
        its link dropped) has it up here too."""
        hand, since, answered = await self._redis.hmget(keys.agent_key(agent.agent_id),
                                                        list(HAND_FIELDS))
        if not isinstance(hand, str) or not hand or agent.hand:
            return
        try:
            at = float(since) if isinstance(since, str) else 0.0
        except ValueError:
            at = 0.0
        agent.hand, agent.hand_since = hand[:100], at if math.isfinite(at) and at > 0 else 0.0
        agent.hand_answered_by = answered[:200] if isinstance(answered, str) else ""
        self.ctx.seat_changed(agent.agent_id)

    async def _wrapping_up_s(self, agent_id: str) -> float:
        """How long ago the seat's call ended (``wrap_since``, written by the hang-up's
        script), by Redis's clock, which every hub shares."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hget(keys.agent_key(agent_id), "wrap_since")
            pipe.time()
            since, (seconds, micros) = await pipe.execute()
        try:
            since_ms = float(since)
        except (TypeError, ValueError):
            return 0.0  # not written by a script: counted from now
        return max(0.0, int(seconds) + int(micros) / 1e6 - since_ms / 1000)

    async def _details(self, work_order_id: str) -> ContactDetails:
        return ContactDetails.decode(await self._redis.get(keys.details_key(work_order_id)),
                                     work_order_id)

    def _remote(self, details: ContactDetails, citizen: str, party: str) -> RemoteSession:
        remote = self._remotes.get(citizen)
        if remote is None or remote.home != party:
            remote = self._remotes[citizen] = RemoteSession(citizen, party, details.role,
                                                            details.name, self._post)
        return remote

    async def _call(self, agent: Agent, party: str, call_id: str) -> None:
        ctx = self.ctx
        fields = await self._redis.hgetall(keys.call_key(call_id))
        work_order_id, citizen = fields.get("work_order_id"), fields.get("citizen")
        started = fields.get("started", "")
        if not isinstance(work_order_id, str) or not isinstance(citizen, str) \
                or not started.isdigit():
            raise BadDetails(f"{keys.call_key(call_id)}: not a call's hash")
        details = await self._details(work_order_id)
        item = ctx.catalog.item(details.item_code)
        if item is None:
            raise BadDetails(f"{work_order_id}: no item {details.item_code!r} here")
        remote = self._remote(details, citizen, party)
        contact = details.contact(item, remote)
        contact.legs = 1
        call = Call(call_id, contact, agent, int(started) / 1000)
        ctx.live.calls[call_id] = call
        ctx.live.call_of_session[remote.session_id] = call
        ctx.live.call_of_session[agent.session.session_id] = call
        agent.call = call
        presence.change_state(ctx, agent, "on_call")
        name = contact.citizen.name or details.name
        agent.session.send(dispatch.call_started_for(ctx, call, "callee", name))
        remote.send(dispatch.call_started_for(ctx, call, "caller", agent.seat.name))
        remote.send(PeerLink(call_id=call_id, up=True))
        if fields.get("on_hold") == "1":  # still on hold: both told again
            transfer.set_hold(ctx, call, True)
        ctx.log.event("cluster_call_taken_up", call_id=call_id, work_order_id=work_order_id,
                      agent_id=agent.agent_id)

    async def _wrap_up(self, agent: Agent, party: str, work_order_id: str) -> None:
        ctx = self.ctx
        citizen = await self._redis.hget(keys.agent_key(agent.agent_id), "wrap_party")
        details = await self._details(work_order_id)
        item = ctx.catalog.item(details.item_code)
        if item is None:
            raise BadDetails(f"{work_order_id}: no item {details.item_code!r} here")
        remote = self._remote(details, citizen if isinstance(citizen, str) and citizen
                              else details.party, party)
        ended_at = ctx.clock() - await self._wrapping_up_s(agent.agent_id)
        ended = EndedCall(work_order_id=work_order_id, item_code=item.code,
                          agent_id=agent.agent_id, citizen_session=remote,
                          answered_at=ended_at, ended_at=ended_at, skill=item.skill,
                          item_name=item.name, channel=details.channel)
        ctx.live.ended[work_order_id] = ended
        lifecycle.start_wrap_up_limit(ctx, ended, ctx.clock() - ended_at)
        agent.wrap_up = ended
        presence.change_state(ctx, agent, "wrap_up")
        ctx.log.event("cluster_wrap_up_taken_up", work_order_id=work_order_id,
                      agent_id=agent.agent_id)
