"""Who could take a transfer or a consult: the transfer and consult dialogs ask the hub
(``list_agents``) and show every other logged-in agent with its state, those who take
calls now first, filtered as the agent types."""

from __future__ import annotations

from seat_common.protocol import AgentEntry, AgentList
from seat_hub.context import HubContext
from seat_hub.model import Agent
from seat_hub.routing.acd import ROUTED_MODES


def on_list_agents(ctx: HubContext, agent: Agent) -> None:
    entries = [
        AgentEntry(
            agent_id=other.agent_id,
            name=other.seat.name[:200],
            state=other.state,
            skills=tuple(sorted(other.seat.skills))[:50],
            takes_calls=other.state == "ready" and other.mode in ROUTED_MODES,
        )
        for other in ctx.live.agents.values()
        if other is not agent
    ]
    entries.sort(key=lambda e: (not e.takes_calls, e.name, e.agent_id))
    agent.session.send(AgentList(agents=tuple(entries[:500])))
