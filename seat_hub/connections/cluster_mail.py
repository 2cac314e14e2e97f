"""What the signaling streams bring a cluster's hub for the parties it holds.

Kinds, as the hubs and the dispatch scripts post them (``bus.Signal``: a type and a JSON
body); anything else is the scripts' own notice, which the rules here say in the
protocol's words instead:

- ``frame`` (to a citizen this hub holds): a frame the call's home sent it, written to
  its websocket; a ``call_started`` in it names the home for the citizen's relays;
- ``relay`` (to a seat this hub holds): what a citizen said in a call homed here, handed
  to ``Hub.receive`` as from the citizen's ``RemoteSession``;
- ``gone``, ``link``, ``back`` (to a seat): the citizen of a call homed here left, lost
  its link, or resumed on some hub;
- ``offer``, ``offer_withdrawn`` (to a seat, from the dispatch scripts): ring it with the
  contact's details, or take the offer back;
- ``set_state`` (to a seat, from a supervisor's hub): run as the seat's own ``set_state``.

A message that is not what a hub posts is logged (``cluster_message_skipped``) and
skipped: the reader reads on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, get_args

import redis.asyncio as aioredis

from seat_common.protocol import (
    CallEnded,
    CallStarted,
    PeerLink,
    ProtocolError,
    SetState,
    WithdrawReason,
    decode,
)
from seat_hub.cluster import keys
from seat_hub.cluster.bus import Signal
from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.cluster.outbox import StreamOutbox
from seat_hub.cluster.presence import NAME
from seat_hub.connections.cluster_details import BadDetails, ContactDetails
from seat_hub.connections.cluster_stand_ins import OfferStandIns
from seat_hub.connections.floor import FloorHub
from seat_hub.context import HubContext
from seat_hub.model import Call
from seat_hub.parties.remote_session import RemoteSession
from seat_hub.parties.session import Session
from seat_hub.routing import dispatch


class BadEnvelope(ValueError):
    """A message between hubs that is not what a hub posts."""


class HubMail:
    """Handles the streams' messages for the parties this hub holds (see the module's
    docstring). ``local``, ``homes`` and ``remotes`` are the floor's maps (party → local
    session; local citizen's session id → its call's home; citizen party → its stand-in
    here), shared, not copied; ``stand_ins`` is told of each stand-in made to ring."""

    def __init__(self, ctx: HubContext, client: aioredis.Redis, queue: LiveQueue,
                 outbox: StreamOutbox, hub: Callable[[], FloorHub], *,
                 local: dict[str, Session], homes: dict[str, str],
                 remotes: dict[str, RemoteSession], stand_ins: OfferStandIns) -> None:
        self.ctx = ctx
        self._redis = client
        self.queue = queue
        self.outbox = outbox
        self._hub = hub
        self._local = local
        self._homes = homes
        self._remotes = remotes
        self._stand_ins = stand_ins

    @property
    def hub(self) -> FloorHub:
        return self._hub()

    async def deliver(self, party: str, entry_id: str, signal: Signal) -> None:
        """One message for a party this hub holds (never raises: the reader reads on)."""
        try:
            match signal.type:
                case "frame":
                    self._frame(party, signal.body)
                case "relay":
                    await self._relayed(signal.body)
                case "gone":
                    await self._remote_gone(signal.body)
                case "link":
                    self._remote_link(signal.body)
                case "back":
                    self._remote_back(signal.body)
                case "offer":
                    await self.ring(party, signal.body)
                case "offer_withdrawn":
                    self._offer_withdrawn(party, signal.body)
                case "set_state":
                    await self._set_state(party, signal.body)
                case _:
                    pass  # the scripts' own notices: the rules here send the protocol's
        except (BadEnvelope, BadDetails, ProtocolError) as exc:
            self.ctx.log.event("cluster_message_skipped", party=party, id=entry_id,
                               type=signal.type, error=str(exc)[:300])
        except Exception as exc:
            self.ctx.log.event("internal_error", where="cluster message", party=party,
                               type=signal.type, error=repr(exc))
        self.hub.settle()

    def _frame(self, party: str, body: Mapping[str, Any]) -> None:
        """A frame the call's home sent a citizen this hub holds."""
        frame, home = _text(body, "frame"), _text(body, "from")
        message = decode(frame)
        session = self._local.get(party)
        if session is None:
            raise BadEnvelope(f"a frame for {party}, not held here")
        session.send_encoded(frame)
        if isinstance(message, CallStarted) and NAME.fullmatch(home):
            self._homes[session.session_id] = home
            live = self.ctx.live
            contact = live.contact_of_session.pop(session.session_id, None)
            if contact is not None:  # answered at its home: no longer waiting here
                live.contacts.pop(contact.work_order_id, None)
                self.ctx.queue_changed()
        elif isinstance(message, CallEnded):
            self.ctx.log.event("cluster_call_ended", party=party, call_id=message.call_id)

    async def _set_state(self, party: str, body: Mapping[str, Any]) -> None:
        """A supervisor on another hub set a seat held here ready or away: run as the
        seat's own ``set_state`` (a refusal, if its state changed meanwhile, reaches it)."""
        message = decode(_text(body, "frame"))
        agent = self.ctx.live.agents.get(party.removeprefix("agent."))
        if not isinstance(message, SetState) or agent is None \
                or self._local.get(party) is not agent.session:
            raise BadEnvelope(f"a set_state for {party}, not a seat held here")
        await self.hub.receive(agent.session, message)

    async def _relayed(self, body: Mapping[str, Any]) -> None:
        """What a citizen said in a call homed here, from the hub holding the citizen."""
        sender = _text(body, "from")
        remote = self._remotes.get(sender)
        if remote is None:
            raise BadEnvelope(f"a relay from {sender[:100]}, whose call is not homed here")
        message = decode(_text(body, "frame"))
        await self.hub.receive(remote, message)

    async def _remote_gone(self, body: Mapping[str, Any]) -> None:
        """A citizen whose call is homed here left its hub: as the single hub's departure."""
        remote = self._remotes.pop(_text(body, "from"), None)
        if remote is None:
            return
        call = self.ctx.live.call_of_session.get(remote.session_id)
        if call is not None:
            await self.queue.hang_up(call.call_id, "hub")
        remote.closing = True
        self.hub.disconnected(remote)

    def _remote_link(self, body: Mapping[str, Any]) -> None:
        """A citizen whose call is homed here lost its link (kept for the grace)."""
        call = self._remote_call(_text(body, "from"))
        if call is not None and body.get("up") is False:
            call.agent.session.send(PeerLink(call_id=call.call_id, up=False))

    def _remote_back(self, body: Mapping[str, Any]) -> None:
        """A citizen whose call is homed here resumed on some hub: the call goes on there."""
        call = self._remote_call(_text(body, "from"))
        if call is None:
            return
        call.citizen_session.send(
            dispatch.call_started_for(self.ctx, call, "caller", call.agent.seat.name))
        call.agent.session.send(PeerLink(call_id=call.call_id, up=True))

    def _remote_call(self, party: str) -> Call | None:
        remote = self._remotes.get(party)
        return None if remote is None else self.ctx.live.call_of_session.get(remote.session_id)

    async def ring(self, party: str, body: Mapping[str, Any]) -> None:
        """An offer the dispatch script made to a seat this hub holds: ring it."""
        call_id, work_order_id = _text(body, "call_id"), _text(body, "work_order_id")
        ctx = self.ctx
        session = self._local.get(party)
        agent = ctx.live.agents.get(party.removeprefix("agent."))
        if session is None or agent is None or agent.session is not session \
                or agent.offer is not None or agent.call is not None:
            ctx.log.event("cluster_offer_not_rung", party=party, call_id=call_id,
                          work_order_id=work_order_id)
            return  # its ring deadline gives it back to the queue
        raw = await self._redis.get(keys.details_key(work_order_id))
        details = ContactDetails.decode(raw, work_order_id)
        item = ctx.catalog.item(details.item_code)
        if item is None:
            raise BadDetails(f"{work_order_id}: no item {details.item_code!r} here")
        remote = RemoteSession(details.party, party, details.role, details.name,
                               self.outbox.post)
        self._remotes[details.party] = remote
        self._stand_ins.rung(call_id, remote)  # dropped if the offer ends unanswered
        contact = details.contact(item, remote)
        dispatch.offer(ctx, contact, agent, call_id)

    def _offer_withdrawn(self, party: str, body: Mapping[str, Any]) -> None:
        """The script ended an offer ringing here (rung out, the citizen left)."""
        call_id, reason = _text(body, "call_id"), _text(body, "reason")
        if reason not in get_args(WithdrawReason):
            raise BadEnvelope(f"no such withdrawal reason {reason[:40]!r}")
        agent = self.ctx.live.agents.get(party.removeprefix("agent."))
        ringing = agent.offer if agent is not None else None
        if ringing is None or ringing.call_id != call_id:
            return  # withdrawn here already (declined, or the local ring timer)
        dispatch.withdraw_offer(self.ctx, ringing, reason)  # type: ignore[arg-type]


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise BadEnvelope(f"{name} is {str(value)[:60]!r}, not text")
    return value
