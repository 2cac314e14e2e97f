"""The cluster's queue and dispatch: a typed async API over the Lua scripts
(``lua_queue``, ``lua_offers``) on one Redis, shared by every hub of a city.

Every method is one script run (``EVALSHA``; redis-py loads the script again when a
failed-over server answers ``NOSCRIPT``), so what it changes is changed whole and no
other hub's call runs in between. Arguments are checked here before they reach Redis
(``ValueError`` names the bad one); answers and hashes read back are checked where they
enter (``queue_results``). Times are whole milliseconds: a ``now_ms`` (or ``queued_at_ms``)
left ``None`` is Redis's clock, the one the hubs of a city share; the tests pass their own.

    queue = LiveQueue(redis.asyncio.Redis.from_url(url, decode_responses=True))
    await queue.log_in("a1", "agent:a1", "video", {"social_insurance"}, now_ms)
    await queue.set_state("a1", "ready", now_ms=now_ms)
    await queue.join("WO-1", "social_insurance", "elderly", now_ms, party="citizen:s1")
    plan = await queue.dispatch(now_ms)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal, get_args

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import ResponseError

from seat_common.personal_data.pii import opaque_reference
from seat_common.protocol import AwayReason, Priority, SeatMode
from seat_common.protocol import Outcome as WorkOutcome
from seat_hub.cluster import keys
from seat_hub.cluster.lua_common import PRELUDE
from seat_hub.cluster.lua_offers import (
    ACCEPT,
    DECLINE,
    DISPATCH,
    HANG_UP,
    RING_TIMEOUT,
    WRAP_UP_DONE,
)
from seat_hub.cluster.lua_queue import (
    ABANDON,
    JOIN,
    LOG_IN,
    LOG_OUT,
    PARK,
    PUT_AGENT,
    SET_MODE,
    SET_STATE,
)
from seat_hub.cluster.queue_results import (
    AGENT_STATES,
    MAX_ID,
    PRIORITIES,
    SEAT_MODES,
    AgentRecord,
    Answer,
    ContactRecord,
    Dispatched,
    Joined,
    MalformedState,
    Offered,
    Outcome,
    TimedOut,
    agent_record,
    contact_record,
)

#: Times are milliseconds below this (the year 2286): the queue score's band is 10¹³.
MAX_MS: Final = 10**13 - 1
_SOURCES: Final = {
    "join": JOIN, "park": PARK, "abandon": ABANDON, "log_in": LOG_IN, "set_state": SET_STATE,
    "set_mode": SET_MODE, "put_agent": PUT_AGENT, "log_out": LOG_OUT, "dispatch": DISPATCH,
    "accept": ACCEPT, "decline": DECLINE, "ring_timeout": RING_TIMEOUT, "hang_up": HANG_UP,
    "wrap_up_done": WRAP_UP_DONE,
}
EndedBy = Literal["citizen", "kiosk", "agent", "hub"]


def check_id(what: str, value: str, *, list_member: bool = False) -> str:
    """An id as the scripts may store it: 1..``MAX_ID`` printable characters, no comma where
    it is kept in a comma-separated list (skills, exclusions)."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ID or not value.isprintable():
        raise ValueError(f"{what} must be 1..{MAX_ID} printable characters: {value!r}")
    if list_member and ("," in value or value != value.strip()):
        raise ValueError(f"{what} must not contain a comma or edge spaces: {value!r}")
    return value


def check_ms(what: str, value: int | None) -> str:
    """Whole milliseconds as a script argument; None is "" (the script reads Redis's clock)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MS:
        raise ValueError(f"{what} must be whole milliseconds in 0..{MAX_MS}: {value!r}")
    return str(value)


def _id_list(what: str, values: Iterable[str]) -> str:
    return ",".join(sorted(check_id(what, v, list_member=True) for v in values))


class LiveQueue:
    """The queue, the agents' states and the offers of one city, in one Redis."""

    def __init__(self, client: Redis, *, ring_timeout_ms: int = 20_000,
                 max_missed: int = 3, dispatch_page: int = 64) -> None:
        if client.connection_pool.connection_kwargs.get("decode_responses") is not True:
            raise ValueError("LiveQueue needs a client made with decode_responses=True")
        self._client = client
        self.ring_timeout_ms = int(check_ms("ring_timeout_ms", ring_timeout_ms))
        if max_missed < 1:
            raise ValueError(f"max_missed must be at least 1: {max_missed!r}")
        self.max_missed = max_missed
        if dispatch_page < 1:
            raise ValueError(f"dispatch_page must be at least 1: {dispatch_page!r}")
        #: How many contacts of a queue a dispatch pass reads at a time.
        self.dispatch_page = dispatch_page
        self._scripts: dict[str, AsyncScript] = {
            name: client.register_script(PRELUDE + body) for name, body in _SOURCES.items()
        }

    def script_sha(self, name: str) -> str:
        """The SHA1 a script runs under (``EVALSHA``), e.g. to find it in ``SLOWLOG``."""
        return str(self._scripts[name].sha)

    async def _run(self, name: str, *args: str) -> Answer:
        try:
            raw = await self._scripts[name](keys=[keys.LEDGER], args=[keys.PREFIX, *args])
        except ResponseError as exc:
            if "malformed " in str(exc):
                raise MalformedState(f"{name}: {exc}") from exc
            raise
        return Answer(name, raw)

    # -- contacts -------------------------------------------------------------------------

    async def join(self, work_order_id: str, skill: str, priority: Priority,
                   queued_at_ms: int | None,
                   *, party: str, transferred: bool = False,
                   excluded: Iterable[str] = (), transferred_by: str = "") -> Joined:
        """A citizen waits for ``skill``: transfers first, then 老年人/残障, then the
        longest waiting (``queued_at_ms``; join order breaks ties). ``transferred_by`` is
        the agent who handed a transferred citizen to this queue: never offered them again
        while another agent of the skill is logged in (``acd.held_back``)."""
        if priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {sorted(PRIORITIES)}: {priority!r}")
        if transferred_by:
            check_id("transferred_by", transferred_by, list_member=True)
            if not transferred:
                raise ValueError("transferred_by is for a transferred contact only: "
                                 f"{transferred_by!r}")
        answer = await self._run(
            "join", check_id("work_order_id", work_order_id, list_member=True),
            check_id("skill", skill, list_member=True), priority,
            check_ms("queued_at_ms", queued_at_ms), check_id("party", party),
            "1" if transferred else "0", _id_list("excluded", excluded), transferred_by)
        return Joined(answer.text("status"), answer.number("seq"), answer.number("position"))

    async def park(self, work_order_id: str, parked: bool) -> str:
        """The citizen's link dropped (``parked``: keeps its place, not offered) or is
        back; answers ``parked``, ``queued``, ``unchanged``, ``offered`` or ``gone``."""
        answer = await self._run("park", check_id("work_order_id", work_order_id),
                                 "parked" if parked else "queued")
        return answer.text("status")

    async def abandon(self, work_order_id: str, now_ms: int | None = None) -> Outcome:
        """The citizen left before an answer (``gone`` when already out)."""
        answer = await self._run("abandon", check_id("work_order_id", work_order_id),
                                 check_ms("now_ms", now_ms))
        return Outcome(answer.text("status"), call_id=answer.text_or("call_id", ""),
                       agent_id=answer.text_or("agent_id", ""),
                       state=answer.text_or("agent_state", ""), work_order_id=work_order_id)

    # -- agents ---------------------------------------------------------------------------

    async def log_in(self, agent_id: str, party: str, mode: SeatMode, skills: Iterable[str],
                     now_ms: int | None = None) -> Outcome:
        """A new session of the agent (away, counter, wrap-up owed, or ringing / in a
        call kept when they come back to another hub)."""
        answer = await self._run(
            "log_in", check_id("agent_id", agent_id, list_member=True), check_id("party", party),
            _mode(mode), _id_list("skill", skills), check_ms("now_ms", now_ms))
        return Outcome(answer.text("status"), state=answer.text("state"), agent_id=agent_id)

    async def set_state(self, agent_id: str, state: Literal["ready", "away"],
                        reason: AwayReason = "",
                        *, now_ms: int | None = None) -> Outcome:
        """Ready or away, as ``presence.on_set_state`` allows."""
        if state not in ("ready", "away"):
            raise ValueError(f"state must be ready or away: {state!r}")
        if state == "ready" and reason:
            raise ValueError("a reason is only for away")
        if reason not in get_args(AwayReason):
            raise ValueError(f"reason must be one of {get_args(AwayReason)}: {reason!r}")
        answer = await self._run("set_state", check_id("agent_id", agent_id), state,
                                 reason, check_ms("now_ms", now_ms))
        return Outcome(answer.text("status"), code=answer.text_or("code", ""),
                       state=answer.text("state"), agent_id=agent_id)

    async def set_mode(self, agent_id: str, mode: SeatMode,
                       now_ms: int | None = None) -> Outcome:
        """Video, combined or counter, as ``presence.on_set_mode`` allows (not while
        ringing; a counter seat is out of routing)."""
        answer = await self._run("set_mode", check_id("agent_id", agent_id), _mode(mode),
                                 check_ms("now_ms", now_ms))
        return Outcome(answer.text("status"), code=answer.text_or("code", ""),
                       state=answer.text("state"), agent_id=agent_id)

    async def put_agent(self, agent_id: str, party: str, state: str, mode: SeatMode,
                        skills: Iterable[str], idle_since_ms: int,
                        now_ms: int | None = None) -> None:
        """Write an agent as their client says they are (rebuilding after Redis was lost)."""
        if state not in AGENT_STATES:
            raise ValueError(f"state must be one of {sorted(AGENT_STATES)}: {state!r}")
        await self._run(
            "put_agent", check_id("agent_id", agent_id, list_member=True),
            check_id("party", party), state, _mode(mode), _id_list("skill", skills),
            check_ms("idle_since_ms", idle_since_ms), check_ms("now_ms", now_ms))

    async def log_out(self, agent_id: str, now_ms: int | None = None) -> Outcome:
        """The agent is gone; an offer ringing at the seat goes back to the queue."""
        answer = await self._run("log_out", check_id("agent_id", agent_id),
                                 check_ms("now_ms", now_ms))
        return Outcome(answer.text("status"), call_id=answer.text("call_id"), agent_id=agent_id)

    # -- offers and calls -----------------------------------------------------------------

    async def dispatch(self, now_ms: int | None = None, *, most: int = 0) -> Dispatched:
        """One pass of the ACD over every queue (``acd.plan_dispatch``), carried out:
        each offer rings its agent until ``now_ms + ring_timeout_ms``."""
        answer = await self._run(
            "dispatch", check_ms("now_ms", now_ms), str(self.ring_timeout_ms),
            opaque_reference("", 6) + "-", str(max(0, int(most))), str(self.dispatch_page))
        offers = tuple(
            Offered(o.text("call_id"), o.text("work_order_id"), o.text("agent_id"),
                    o.text("citizen"), o.text("skill"), o.number("dispatch_ms"))
            for o in answer.items("offers"))
        return Dispatched(offers, frozenset(answer.texts("reset")))

    async def accept(self, agent_id: str, call_id: str,
                     now_ms: int | None = None) -> Outcome:
        """The agent answers: the call starts (``already`` when it had)."""
        answer = await self._run("accept", check_id("agent_id", agent_id),
                                 check_id("call_id", call_id), check_ms("now_ms", now_ms))
        return Outcome(answer.text("status"), code=answer.text_or("code", ""),
                       call_id=answer.text_or("call_id", ""), agent_id=agent_id,
                       work_order_id=answer.text_or("work_order_id", ""),
                       citizen=answer.text_or("citizen", ""))

    async def decline(self, agent_id: str, call_id: str,
                      now_ms: int | None = None) -> Outcome:
        """The agent says no: excluded for this contact, which keeps its place."""
        answer = await self._run("decline", check_id("agent_id", agent_id),
                                 check_id("call_id", call_id), check_ms("now_ms", now_ms))
        return Outcome(answer.text("status"), code=answer.text_or("code", ""),
                       state=answer.text("agent_state"), call_id=call_id, agent_id=agent_id,
                       work_order_id=answer.text_or("work_order_id", ""))

    async def ring_timeouts(self, now_ms: int | None = None, *,
                            most: int = 100) -> tuple[TimedOut, ...]:
        """Time out the offers whose ring deadline has passed (any hub may run this)."""
        answer = await self._run("ring_timeout", check_ms("now_ms", now_ms),
                                 str(self.max_missed), str(max(1, int(most))))
        return tuple(
            TimedOut(t.text("call_id"), t.text("work_order_id"), t.text("agent_id"),
                     t.text("agent_state"))
            for t in answer.items("timed_out"))

    async def hang_up(self, call_id: str, ended_by: EndedBy,
                      now_ms: int | None = None) -> Outcome:
        """End a call; its agent owes the wrap-up (``gone`` when already ended)."""
        if ended_by not in ("citizen", "kiosk", "agent", "hub"):
            raise ValueError(f"ended_by must be citizen, kiosk, agent or hub: {ended_by!r}")
        answer = await self._run("hang_up", check_id("call_id", call_id), ended_by,
                                 check_ms("now_ms", now_ms))
        return Outcome(answer.text("status"), call_id=call_id,
                       work_order_id=answer.text_or("work_order_id", ""),
                       agent_id=answer.text_or("agent_id", ""),
                       citizen=answer.text_or("citizen", ""))

    async def wrap_up_done(self, agent_id: str, work_order_id: str, outcome: WorkOutcome,
                           notes: str, now_ms: int | None = None) -> Outcome:
        """The agent's wrap-up closes the work order; the agent goes back to work."""
        if outcome == "abandoned":
            raise ValueError("abandoned is set by the hub, not at wrap-up")
        if outcome not in get_args(WorkOutcome):
            raise ValueError(f"outcome must be one of {get_args(WorkOutcome)}: {outcome!r}")
        answer = await self._run("wrap_up_done", check_id("agent_id", agent_id),
                                 check_id("work_order_id", work_order_id), outcome,
                                 notes[:4000], check_ms("now_ms", now_ms))
        return Outcome(answer.text("status"), code=answer.text_or("code", ""),
                       state=answer.text("agent_state"), agent_id=agent_id,
                       work_order_id=work_order_id)

    # -- reading --------------------------------------------------------------------------

    async def agent(self, agent_id: str) -> AgentRecord | None:
        key = keys.agent_key(check_id("agent_id", agent_id))
        fields = _texts(key, await self._client.hgetall(key))
        return agent_record(key, agent_id, fields) if fields else None

    async def contact(self, work_order_id: str) -> ContactRecord | None:
        key = keys.contact_key(check_id("work_order_id", work_order_id))
        fields = _texts(key, await self._client.hgetall(key))
        return contact_record(key, work_order_id, fields) if fields else None

    async def queued(self, skill: str) -> list[str]:
        """The work orders waiting for ``skill``, next first (join order breaks ties)."""
        key = keys.queue_key(check_id("skill", skill))
        entries = await self._client.zrange(key, 0, -1, withscores=True)
        order: list[tuple[float, int, str]] = []
        for entry in entries:
            work_order_id, score = entry[0], entry[1]
            if not isinstance(work_order_id, str) or not isinstance(score, float):
                raise MalformedState(f"malformed {key}: entry {entry!r}")
            contact = await self.contact(work_order_id)
            if contact is None:
                raise MalformedState(f"malformed {key}: {work_order_id} has no contact hash")
            order.append((score, contact.seq, work_order_id))
        return [work_order_id for _, _, work_order_id in sorted(order)]

def _texts(key: str, raw: object) -> dict[str, str]:
    """A hash as read, every field and value text (else ``MalformedState`` naming it)."""
    if not isinstance(raw, dict):
        raise MalformedState(f"malformed {key}: read {type(raw).__name__}, not a hash")
    fields: dict[str, str] = {}
    for name, value in raw.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise MalformedState(f"malformed {key}: field {name!r} is {value!r}")
        fields[name] = value
    return fields


def _mode(mode: str) -> str:
    if mode not in SEAT_MODES:
        raise ValueError(f"mode must be one of {sorted(SEAT_MODES)}: {mode!r}")
    return mode
