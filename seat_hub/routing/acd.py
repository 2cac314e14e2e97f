"""ACD rules (automatic call distribution), as pure functions on plain values.

Who is next in the queue and which agent gets them. No I/O, no clock, no
hub state: the hub builds ``WaitingContact`` and ``AgentView`` values from
its memory, asks ``plan_dispatch`` what to offer to whom, and carries the
plan out. Tests drive these functions with literal values.

The rules:

- Contacts: citizens being transferred from a live call first (the head of the
  queue, ahead of new arrivals), then priority citizens (elderly, disabled), then
  the longest waiting (earliest ``queued_at``; join order breaks ties).
- Agents: ``ready``, in mode ``video`` or ``combined``, trained in the item's
  skill, not excluded for this contact; the longest idle first.
- A contact's exclusions (agents who declined it or let it ring out) are
  kept until every agent who could take it has been tried; then they reset,
  so a contact is never stranded because everyone once said no.
- A citizen handed to a skill queue is never offered back to the agent who handed
  them on (``transferred_by``), even after the exclusions reset, while another agent
  in a video mode with that skill is logged in (in any state): the citizen waits at
  the head for that agent to come ready. Only when the transferring agent is the one
  logged-in agent with the skill may they be rung again, so nobody is stranded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from seat_common.protocol import AgentState, Priority, SeatMode

#: Citizens served before everyone else (老年人、残障人士优先).
PRIORITY_PRIORITIES: Final[frozenset[Priority]] = frozenset({"elderly", "disabled"})
#: Seat modes that take video calls.
ROUTED_MODES: Final[frozenset[SeatMode]] = frozenset({"video", "combined"})
#: States of an agent who is working the queue (ready now, or busy with a contact).
WORKING_STATES: Final[frozenset[AgentState]] = frozenset({"ready", "ringing", "on_call", "wrap_up"})


@dataclass(frozen=True, slots=True)
class WaitingContact:
    """A citizen waiting for an agent, as the ACD sees them.

    ``seq`` is the join order (breaks ties between equal ``queued_at``);
    ``excluded`` holds the agents this contact must not be offered to again yet;
    ``transferred`` marks a citizen handed on from a live call (served first);
    ``transferred_by`` names the agent who handed them to this queue ("" if none).
    """

    work_order_id: str
    skill: str
    priority: Priority
    queued_at: float
    seq: int
    excluded: frozenset[str] = frozenset()
    transferred: bool = False
    transferred_by: str = ""


@dataclass(frozen=True, slots=True)
class AgentView:
    """A logged-in agent, as the ACD sees them. ``idle_since`` is when they last
    became ready (after login, a decline, a missed offer or a wrap-up)."""

    agent_id: str
    state: AgentState
    mode: SeatMode
    skills: frozenset[str]
    idle_since: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """Offer this contact to this agent."""

    work_order_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class DispatchPlan:
    """What one dispatch pass decided.

    ``exclusions_reset`` names the contacts whose every candidate agent had
    already been tried: the hub clears their exclusions.
    """

    assignments: tuple[Assignment, ...]
    exclusions_reset: frozenset[str]


def contact_order_key(contact: WaitingContact) -> tuple[int, float, int]:
    """Sort key: transferred citizens, then priority citizens, then earliest queued,
    then join order."""
    rank = 0 if contact.transferred else 1 if contact.priority in PRIORITY_PRIORITIES else 2
    return (rank, contact.queued_at, contact.seq)


def order_contacts(contacts: Iterable[WaitingContact]) -> list[WaitingContact]:
    """The contacts in the order they are served."""
    return sorted(contacts, key=contact_order_key)


def could_take(agent: AgentView, skill: str) -> bool:
    """Whether ``agent`` is working the queue for ``skill`` (ready or busy)."""
    return agent.state in WORKING_STATES and agent.mode in ROUTED_MODES and skill in agent.skills


def can_take_now(agent: AgentView, skill: str) -> bool:
    """Whether ``agent`` may be offered a contact needing ``skill`` right now."""
    return agent.state == "ready" and agent.mode in ROUTED_MODES and skill in agent.skills


def all_candidates_tried(contact: WaitingContact, agents: Iterable[AgentView]) -> bool:
    """Whether every agent who could take ``contact`` is in its exclusions.

    False when nobody could take it at all (no exclusions to reset then).
    """
    candidates = {a.agent_id for a in agents if could_take(a, contact.skill)}
    return bool(candidates) and candidates <= contact.excluded


def held_back(contact: WaitingContact, agents: Iterable[AgentView]) -> frozenset[str]:
    """Agents ``contact`` must not be offered to even when its exclusions reset: the
    agent who handed it to this queue, while another agent logged in (any state) in a
    video mode has the skill; empty otherwise."""
    by = contact.transferred_by
    if by and any(a.agent_id != by and a.mode in ROUTED_MODES and contact.skill in a.skills
                  for a in agents):
        return frozenset({by})
    return frozenset()


def choose_agent(
    contact: WaitingContact, agents: Iterable[AgentView], *, ignore_exclusions: bool = False,
    held: frozenset[str] = frozenset(),
) -> AgentView | None:
    """The agent to offer ``contact`` to now: the longest idle eligible one, or None.
    Agents in ``held`` (see ``held_back``) are never chosen."""
    eligible = [
        a
        for a in agents
        if can_take_now(a, contact.skill)
        and (ignore_exclusions or a.agent_id not in contact.excluded)
        and a.agent_id not in held
    ]
    if not eligible:
        return None
    return min(eligible, key=lambda a: (a.idle_since, a.agent_id))


def plan_dispatch(contacts: Sequence[WaitingContact], agents: Sequence[AgentView]) -> DispatchPlan:
    """Match waiting contacts to ready agents, best contact first.

    Each agent gets at most one offer per pass; contacts for whom no agent is
    free stay waiting.
    """
    free = list(agents)
    assignments: list[Assignment] = []
    reset: set[str] = set()
    for contact in order_contacts(contacts):
        ignore = all_candidates_tried(contact, agents)
        if ignore:
            reset.add(contact.work_order_id)
        agent = choose_agent(contact, free, ignore_exclusions=ignore,
                             held=held_back(contact, agents))
        if agent is None:
            continue
        assignments.append(Assignment(contact.work_order_id, agent.agent_id))
        free.remove(agent)
    return DispatchPlan(tuple(assignments), frozenset(reset))
