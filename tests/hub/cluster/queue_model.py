"""The single hub's queue rules, as a small in-memory model for the parity test: agents and
contacts changed as ``routing/dispatch.py``, ``queueing.py`` and ``presence.py`` change
them, and each dispatch pass decided by ``acd.plan_dispatch`` itself. The parity test
drives this model and the Redis scripts with the same seeded events and requires the same
plan at every pass."""

from __future__ import annotations

from dataclasses import dataclass, field

from seat_hub.routing.acd import (
    ROUTED_MODES,
    AgentView,
    DispatchPlan,
    WaitingContact,
    plan_dispatch,
)


@dataclass
class ModelAgent:
    agent_id: str
    mode: str
    skills: frozenset[str]
    state: str
    idle_since: int
    reason: str = ""
    missed: int = 0
    offer: str = ""  # the work order ringing here
    deadline: int = 0
    call: str = ""  # the work order in a call here
    wrap_up: str = ""


@dataclass
class ModelContact:
    work_order_id: str
    skill: str
    priority: str
    queued_at: int
    seq: int
    transferred: bool
    transferred_by: str = ""
    excluded: set[str] = field(default_factory=set)
    offered_to: str = ""
    parked: bool = False


class QueueModel:
    """The hub's live queue, as ``acd.py`` and the routing modules run it."""

    def __init__(self, max_missed: int, ring_ms: int) -> None:
        self.agents: dict[str, ModelAgent] = {}
        self.contacts: dict[str, ModelContact] = {}
        self.max_missed = max_missed
        self.ring_ms = ring_ms
        self._seq = 0

    def log_in(self, agent_id: str, mode: str, skills: frozenset[str], now: int) -> None:
        state = "away" if mode in ROUTED_MODES else "counter"
        self.agents[agent_id] = ModelAgent(agent_id, mode, skills, state, now)

    def set_state(self, agent_id: str, state: str, reason: str, now: int) -> str:
        a = self.agents[agent_id]
        if a.state in ("ringing", "on_call", "wrap_up") or a.mode not in ROUTED_MODES:
            return "refused"
        if a.state == state and (state == "ready" or a.reason == reason):
            return "unchanged"
        if state == "ready" and a.state == "away":
            a.missed = 0
        self._change(a, state, reason, now)
        return "ok"

    def set_mode(self, agent_id: str, mode: str, now: int) -> str:
        a = self.agents[agent_id]
        if a.state == "ringing":
            return "refused"
        if a.mode == mode:
            return "unchanged"
        a.mode = mode
        if mode not in ROUTED_MODES and a.state in ("ready", "away"):
            self._change(a, "counter", "", now)
        elif mode in ROUTED_MODES and a.state == "counter":
            self._change(a, "away", "", now)
        return "ok"

    def _change(self, a: ModelAgent, state: str, reason: str, now: int) -> None:
        if state == "ready":
            a.idle_since = now
        a.state = state
        a.reason = reason if state == "away" else ""

    def _back_to_work(self, a: ModelAgent, now: int) -> None:
        self._change(a, "ready" if a.mode in ROUTED_MODES else "counter", "", now)

    def join(self, work_order_id: str, skill: str, priority: str, now: int,
             transferred: bool, transferred_by: str = "",
             excluded: frozenset[str] = frozenset()) -> None:
        self._seq += 1
        self.contacts[work_order_id] = ModelContact(work_order_id, skill, priority, now,
                                                    self._seq, transferred, transferred_by,
                                                    set(excluded))

    def routed_skills(self, *, besides: str) -> frozenset[str]:
        """The skills of the agents other than ``besides`` in a routed mode."""
        return frozenset(s for a in self.agents.values()
                         if a.agent_id != besides and a.mode in ROUTED_MODES for s in a.skills)

    def views(self) -> tuple[list[WaitingContact], list[AgentView]]:
        """The waiting contacts and logged-in agents as ``acd.py`` sees them now."""
        waiting = [
            WaitingContact(c.work_order_id, c.skill, c.priority, c.queued_at / 1000, c.seq,  # type: ignore[arg-type]
                           frozenset(c.excluded), c.transferred, c.transferred_by)
            for c in self.contacts.values() if not c.offered_to and not c.parked
        ]
        agents = [AgentView(a.agent_id, a.state, a.mode, a.skills, a.idle_since / 1000)  # type: ignore[arg-type]
                  for a in self.agents.values() if a.state != "offline"]
        return waiting, agents

    def dispatch(self, now: int) -> DispatchPlan:
        plan = plan_dispatch(*self.views())
        for work_order_id in plan.exclusions_reset:
            self.contacts[work_order_id].excluded.clear()
        for assignment in plan.assignments:
            a = self.agents[assignment.agent_id]
            a.offer, a.deadline = assignment.work_order_id, now + self.ring_ms
            self._change(a, "ringing", "", now)
            self.contacts[assignment.work_order_id].offered_to = a.agent_id
        return plan

    def _withdraw(self, a: ModelAgent, reason: str, now: int) -> None:
        c = self.contacts[a.offer]
        a.offer = ""
        c.offered_to = ""
        if reason in ("timeout", "declined"):
            c.excluded.add(a.agent_id)
        if reason == "timeout":
            a.missed += 1
            if a.missed >= self.max_missed:
                self._change(a, "away", "missed_offers", now)
                return
        self._back_to_work(a, now)

    def decline(self, agent_id: str, now: int) -> None:
        self._withdraw(self.agents[agent_id], "declined", now)

    def ring_timeouts(self, now: int) -> set[str]:
        due = [a for a in self.agents.values() if a.offer and a.deadline <= now]
        for a in due:
            self._withdraw(a, "timeout", now)
        return {a.agent_id for a in due}

    def accept(self, agent_id: str, now: int) -> None:
        a = self.agents[agent_id]
        del self.contacts[a.offer]
        a.call, a.offer, a.missed = a.offer, "", 0
        self._change(a, "on_call", "", now)

    def hang_up(self, agent_id: str, now: int) -> None:
        a = self.agents[agent_id]
        a.wrap_up, a.call = a.call, ""
        self._change(a, "wrap_up", "", now)

    def wrap_up_done(self, agent_id: str, now: int) -> None:
        a = self.agents[agent_id]
        a.wrap_up = ""
        self._back_to_work(a, now)

    def abandon(self, work_order_id: str, now: int) -> None:
        c = self.contacts.pop(work_order_id)
        if c.offered_to:
            a = self.agents[c.offered_to]
            a.offer = ""
            self._back_to_work(a, now)

    def order(self, skill: str) -> list[str]:
        """The waiting contacts of ``skill`` (parked too), in the order they are served."""
        def band(c: ModelContact) -> int:
            return 0 if c.transferred else 1 if c.priority in ("elderly", "disabled") else 2
        waiting = [c for c in self.contacts.values() if c.skill == skill and not c.offered_to]
        return [c.work_order_id for c in sorted(waiting, key=lambda c: (band(c), c.queued_at,
                                                                         c.seq))]
