"""ACD rules as pure functions: who is served first and which agent gets them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from seat_hub.routing.acd import (
    AgentView,
    Assignment,
    WaitingContact,
    all_candidates_tried,
    choose_agent,
    held_back,
    order_contacts,
    plan_dispatch,
)

SI = "social_insurance"


def contact(
    wo: str,
    queued_at: float,
    priority: str = "normal",
    seq: int = 0,
    skill: str = SI,
    excluded: frozenset[str] = frozenset(),
) -> WaitingContact:
    return WaitingContact(wo, skill, priority, queued_at, seq, excluded)  # type: ignore[arg-type]


def agent(
    agent_id: str,
    idle_since: float,
    state: str = "ready",
    mode: str = "video",
    skills: frozenset[str] = frozenset({SI}),
) -> AgentView:
    return AgentView(agent_id, state, mode, skills, idle_since)  # type: ignore[arg-type]


def test_priority_citizens_come_before_those_who_waited_longer() -> None:
    normal_early = contact("n1", queued_at=100.0, seq=1)
    normal_late = contact("n2", queued_at=200.0, seq=2)
    elderly = contact("e1", queued_at=300.0, priority="elderly", seq=3)
    disabled = contact("d1", queued_at=250.0, priority="disabled", seq=4)
    ordered = order_contacts([normal_late, elderly, normal_early, disabled])
    assert [c.work_order_id for c in ordered] == ["d1", "e1", "n1", "n2"]


def test_join_order_breaks_ties_in_queue_time() -> None:
    second = contact("b", queued_at=100.0, seq=2)
    first = contact("a", queued_at=100.0, seq=1)
    assert [c.work_order_id for c in order_contacts([second, first])] == ["a", "b"]


def test_longest_idle_ready_agent_is_chosen() -> None:
    agents = [agent("recent", 300.0), agent("longest", 100.0), agent("middle", 200.0)]
    chosen = choose_agent(contact("w", 0.0), agents)
    assert chosen is not None and chosen.agent_id == "longest"


def test_agents_who_cannot_take_the_contact_are_never_chosen() -> None:
    agents = [
        agent("no_skill", 1.0, skills=frozenset({"housing_fund"})),
        agent("counter", 2.0, state="counter", mode="counter"),
        agent("away", 3.0, state="away"),
        agent("busy", 4.0, state="on_call"),
        agent("ringing", 5.0, state="ringing"),
        agent("wrap_up", 6.0, state="wrap_up"),
    ]
    assert choose_agent(contact("w", 0.0), agents) is None
    combined = agent("combined", 7.0, mode="combined")
    chosen = choose_agent(contact("w", 0.0), [*agents, combined])
    assert chosen is not None and chosen.agent_id == "combined"


def test_excluded_agents_are_skipped_while_others_could_take_the_contact() -> None:
    waiting = contact("w", 0.0, excluded=frozenset({"a"}))
    a, b_busy = agent("a", 1.0), agent("b", 2.0, state="on_call")
    assert not all_candidates_tried(waiting, [a, b_busy])
    plan = plan_dispatch([waiting], [a, b_busy])
    assert plan.assignments == ()  # waits for b rather than ringing a again
    assert plan.exclusions_reset == frozenset()


def test_exclusions_reset_once_every_candidate_has_been_tried() -> None:
    waiting = contact("w", 0.0, excluded=frozenset({"a", "b"}))
    agents = [agent("a", 1.0), agent("b", 2.0, state="away"), agent("x", 0.5, state="away")]
    # b is away: it no longer counts as a candidate, and a (the only one) was tried.
    plan = plan_dispatch([waiting], agents)
    assert plan.assignments == (Assignment("w", "a"),)
    assert plan.exclusions_reset == frozenset({"w"})


def test_no_reset_when_nobody_could_take_the_contact() -> None:
    waiting = contact("w", 0.0, excluded=frozenset({"a"}))
    assert not all_candidates_tried(waiting, [agent("a", 1.0, state="away")])


def test_a_queue_transfer_never_rings_back_the_agent_who_made_it_while_another_could_come(
) -> None:
    # a handed the citizen on to a's own skill; b (away, same skill) is the only other.
    handed = WaitingContact("t", SI, "normal", 0.0, 1, frozenset({"a"}), transferred=True,
                            transferred_by="a")
    agents = [agent("a", 1.0), agent("b", 2.0, state="away")]
    plan = plan_dispatch([handed], agents)
    # Every candidate (a) was tried, so the exclusions reset, yet a is not rung again:
    # the citizen waits at the head for b.
    assert plan.assignments == ()
    assert held_back(handed, agents) == frozenset({"a"})
    # Once b is ready, b gets the citizen; a, ready longer, still does not.
    agents = [agent("a", 1.0), agent("b", 2.0)]
    assert plan_dispatch([handed], agents).assignments == (Assignment("t", "b"),)
    # A counter-mode colleague cannot take video calls: no reason to hold a back.
    agents = [agent("a", 1.0), agent("b", 2.0, mode="counter")]
    assert plan_dispatch([handed], agents).assignments == (Assignment("t", "a"),)


def test_a_queue_transfer_rings_back_the_only_agent_with_the_skill_rather_than_strand() -> None:
    handed = WaitingContact("t", SI, "normal", 0.0, 1, frozenset({"a"}), transferred=True,
                            transferred_by="a")
    agents = [agent("a", 1.0), agent("h", 0.5, skills=frozenset({"housing_fund"}))]
    assert held_back(handed, agents) == frozenset()
    plan = plan_dispatch([handed], agents)
    assert plan.assignments == (Assignment("t", "a"),)
    assert plan.exclusions_reset == frozenset({"t"})


def test_plan_matches_best_contact_with_longest_idle_agent() -> None:
    contacts = [
        contact("n1", 100.0, seq=1),
        contact("e1", 300.0, priority="elderly", seq=2),
        contact("h1", 50.0, seq=3, skill="housing_fund"),
    ]
    agents = [
        agent("si_recent", 20.0),
        agent("si_longest", 10.0),
        agent("hf_only", 1.0, skills=frozenset({"housing_fund"})),
    ]
    plan = plan_dispatch(contacts, agents)
    assert set(plan.assignments) == {
        Assignment("e1", "si_longest"),
        Assignment("n1", "si_recent"),
        Assignment("h1", "hf_only"),
    }


_states = st.sampled_from(["ready", "away", "ringing", "on_call", "wrap_up", "counter"])
_modes = st.sampled_from(["video", "counter", "combined"])
_skills = st.frozensets(st.sampled_from([SI, "housing_fund", "civil_affairs"]), max_size=3)


@st.composite
def _agents(draw: st.DrawFn) -> list[AgentView]:
    ids = draw(st.lists(st.text("abcdef", min_size=1, max_size=3), unique=True, max_size=8))
    return [
        AgentView(i, draw(_states), draw(_modes), draw(_skills), draw(st.floats(0, 1000)))
        for i in ids
    ]


@st.composite
def _contacts(draw: st.DrawFn) -> list[WaitingContact]:
    n = draw(st.integers(0, 8))
    return [
        WaitingContact(
            f"wo{i}",
            draw(st.sampled_from([SI, "housing_fund", "civil_affairs"])),
            draw(st.sampled_from(["normal", "elderly", "disabled"])),
            draw(st.floats(0, 1000)),
            i,
            draw(st.frozensets(st.text("abcdef", min_size=1, max_size=3), max_size=3)),
            transferred_by=draw(st.sampled_from(["", "a", "b", "ab"])),
        )
        for i in range(n)
    ]


@given(_contacts(), _agents())
def test_plan_never_rings_one_agent_twice_or_an_agent_who_cannot_take_it(
    contacts: list[WaitingContact], agents: list[AgentView]
) -> None:
    plan = plan_dispatch(contacts, agents)
    by_agent = {a.agent_id: a for a in agents}
    by_contact = {c.work_order_id: c for c in contacts}
    assigned_agents = [a.agent_id for a in plan.assignments]
    assigned_contacts = [a.work_order_id for a in plan.assignments]
    assert len(set(assigned_agents)) == len(assigned_agents)
    assert len(set(assigned_contacts)) == len(assigned_contacts)
    for assignment in plan.assignments:
        a, c = by_agent[assignment.agent_id], by_contact[assignment.work_order_id]
        assert a.state == "ready" and a.mode != "counter" and c.skill in a.skills
        assert a.agent_id not in held_back(c, agents)
        if a.agent_id in c.excluded:
            assert c.work_order_id in plan.exclusions_reset


@given(_contacts(), _agents())
def test_a_ready_agent_is_left_idle_only_if_no_waiting_contact_could_go_to_them(
    contacts: list[WaitingContact], agents: list[AgentView]
) -> None:
    plan = plan_dispatch(contacts, agents)
    assigned_agents = {a.agent_id for a in plan.assignments}
    assigned_contacts = {a.work_order_id for a in plan.assignments}
    for a in agents:
        if a.agent_id in assigned_agents or a.state != "ready" or a.mode == "counter":
            continue
        for c in contacts:
            if c.work_order_id in assigned_contacts or c.skill not in a.skills:
                continue
            # Only an exclusion that was not reset, or a transfer a handed on while
            # another could come, may keep them apart.
            assert a.agent_id in held_back(c, agents) or (
                a.agent_id in c.excluded and c.work_order_id not in plan.exclusions_reset)
