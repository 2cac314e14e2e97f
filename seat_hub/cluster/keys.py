"""The names of the cluster's Redis keys, one function per row of the design's table
(docs/deployment.md, *The live state in Redis*).

Every key starts with ``{seat}:`` (one Redis Cluster hash slot), so a Lua script that is
given these names stays valid if the service ever moves to Redis Cluster. Nothing here
talks to Redis: the names only.
"""

from __future__ import annotations

from typing import Final

#: The prefix of every key (the braces make it the hash tag).
PREFIX: Final = "{seat}:"


def hub_key(hub: str) -> str:
    """``{seat}:hub:<hub>``: a hub is alive (string with a short expiry)."""
    return f"{PREFIX}hub:{hub}"


#: Sorted set hub → last beat (ms), for the sweeper.
HUBS: Final = f"{PREFIX}hubs"


def party_key(party: str) -> str:
    """``{seat}:party:<party>``: presence, ``<hub>:<connection>`` holding its websocket."""
    return f"{PREFIX}party:{party}"


def agent_key(agent: str) -> str:
    """``{seat}:agent:<agent>``: the agent's hash (state, mode, skills, idle-since, …)."""
    return f"{PREFIX}agent:{agent}"


def ready_key(skill: str) -> str:
    """``{seat}:ready:<skill>``: agents ready now in the skill, scored by idle-since (ms)."""
    return f"{PREFIX}ready:{skill}"


def staff_key(skill: str) -> str:
    """``{seat}:staff:<skill>``: agents who could take a contact of the skill now or once
    free (ready, ringing, on a call or in wrap-up, in a routed mode): the exclusion reset's
    candidates."""
    return f"{PREFIX}staff:{skill}"


def routed_key(skill: str) -> str:
    """``{seat}:routed:<skill>``: agents logged in (any state but offline) in a routed mode
    with the skill: while one other than a transfer's agent is here, that agent is held back
    from the contact they handed on (``acd.held_back``)."""
    return f"{PREFIX}routed:{skill}"


#: Set of every skill a contact or an agent has named (the dispatch pass's queues).
SKILLS: Final = f"{PREFIX}skills"
#: Set of the queued contacts that have exclusions (checked for the reset).
EXCLUDING: Final = f"{PREFIX}excluding"
#: Counter of joins: the join order that breaks ties between equal queue times.
SEQ: Final = f"{PREFIX}seq"


def queue_key(skill: str) -> str:
    """``{seat}:queue:<skill>``: waiting contacts, scored band × 10¹³ + queued_at (ms)."""
    return f"{PREFIX}queue:{skill}"


def contact_key(work_order: str) -> str:
    """``{seat}:contact:<wo>``: the contact's hash (skill, priority, state, …)."""
    return f"{PREFIX}contact:{work_order}"


def excl_key(work_order: str) -> str:
    """``{seat}:excl:<wo>``: agents who declined the contact or let it ring out."""
    return f"{PREFIX}excl:{work_order}"


def offer_key(call: str) -> str:
    """``{seat}:offer:<call>``: a ringing offer."""
    return f"{PREFIX}offer:{call}"


#: Sorted set call → ring deadline (ms).
RINGS: Final = f"{PREFIX}rings"


def call_key(call: str) -> str:
    """``{seat}:call:<call>``: a call in progress."""
    return f"{PREFIX}call:{call}"


def resume_key(token_sha256: str) -> str:
    """``{seat}:resume:<sha256>``: a resume token's hash → its party."""
    return f"{PREFIX}resume:{token_sha256}"


#: Sorted set party → grace deadline (ms): parties whose link dropped.
PARKED: Final = f"{PREFIX}parked"


def to_key(party: str) -> str:
    """``{seat}:to:<party>``: the party's signaling stream."""
    return f"{PREFIX}to:{party}"


#: Stream of ledger writes, consumer group ``writers``.
LEDGER: Final = f"{PREFIX}ledger"
#: The consumer group of the ledger stream.
LEDGER_GROUP: Final = "writers"
#: Pub/sub channel of wall updates.
WALL: Final = f"{PREFIX}wall"
#: The database's identity (which ledger this Redis belongs to).
DB: Final = f"{PREFIX}db"


# --- bus17's keys: presence, the signaling reader and the ledger stream --------------------


def held_key(hub: str) -> str:
    """``{seat}:held:<hub>``: set of the parties a hub holds, so the sweeper finds a dead
    hub's parties after their presence keys expired."""
    return f"{PREFIX}held:{hub}"


def wake_key(reader: str) -> str:
    """``{seat}:wake:<reader>``: a stream a signaling reader adds to its ``XREAD BLOCK``, so
    a party arriving or leaving re-issues the read at once."""
    return f"{PREFIX}wake:{reader}"


#: Stream of ledger entries that could not be written (malformed, or refused too often).
LEDGER_DEAD: Final = f"{PREFIX}ledger:dead"


# --- wire17's keys: the hubs wired to the shared queue -------------------------------------


def details_key(work_order: str) -> str:
    """``{seat}:details:<wo>``: what the hub ringing a seat needs to offer the contact (the
    item, channel, media, the citizen as told, their party and name), written by the
    citizen's hub before the contact joins the queue."""
    return f"{PREFIX}details:{work_order}"


def home_key(party: str) -> str:
    """``{seat}:home:<citizen party>``: the party (the agent) whose hub runs the citizen's
    call, so the hub the citizen comes back to, or a sweeper letting it go, can tell it."""
    return f"{PREFIX}home:{party}"
