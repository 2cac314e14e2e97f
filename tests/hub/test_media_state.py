"""A party's camera and microphone (``media_state``) reach the other party of the call, and
only them: the hub checks the sender, the call and the values where the message enters.

Each test runs its own hub process; the parties are plain protocol clients on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common.protocol import (
    Accept,
    CallEnded,
    CallStarted,
    Hangup,
    MediaState,
    Message,
    Offer,
    Presence,
    encode,
)
from tests.hub.hubclient import SI_ITEM, Client, Clients, agent_seat

StartHub = Callable[..., HubProcess]


def _seats() -> list[SeatSpec]:
    return [agent_seat("0001"), SeatSpec("S01", "李督导", role="supervisor")]


async def _call(
    clients: Clients, hub: HubProcess, role: str = "citizen"
) -> tuple[Client, Client, str]:
    """Agent 0001 in a call with a citizen (or a kiosk); the call's id."""
    agent = await clients.agent(hub, "0001")
    if role == "kiosk":
        citizen = await clients.kiosk(hub)
    else:
        citizen = await clients.citizen(hub, role, role=role)
    await citizen.join(SI_ITEM, channel="kiosk" if role == "kiosk" else "web")
    await agent.ready()
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    await agent.expect(CallStarted)
    await citizen.expect(CallStarted)
    return agent, citizen, offer.call_id


def _media_states(messages: list[Message]) -> list[MediaState]:
    return [m for m in messages if isinstance(m, MediaState)]


@pytest.mark.parametrize("role", ["citizen", "kiosk"])
async def test_media_state_is_relayed_unchanged_both_ways_and_not_echoed(
    start_hub: StartHub, clients: Clients, role: str
) -> None:
    hub = start_hub(_seats())
    agent, citizen, call_id = await _call(clients, hub, role)

    agents_camera = MediaState(call_id=call_id, camera="off", microphone="on")
    await agent.send(agents_camera)
    assert await citizen.expect(MediaState) == agents_camera
    citizens = MediaState(call_id=call_id, camera="unavailable", microphone="muted")
    await citizen.send(citizens)
    assert await agent.expect(MediaState) == citizens

    # Neither hears its own back, and nothing more was relayed.
    assert _media_states(await agent.sync()) == []
    assert _media_states(await citizen.sync()) == []
    relayed = [(e["role"], e["camera"], e["microphone"]) for e in hub.events("media_state")]
    assert relayed == [("agent", "off", "on"), (role, "unavailable", "muted")]


async def test_a_media_state_from_outside_the_call_is_refused_and_not_relayed(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub(_seats())
    agent, citizen, call_id = await _call(clients, hub)

    intruder = await clients.citizen(hub, "intruder")
    await intruder.send(MediaState(call_id=call_id, camera="off", microphone="muted"))
    error = await intruder.expect_error("no_such_call")
    assert (error.field, error.of) == ("call_id", "media_state")
    await agent.send(MediaState(call_id="C-0000000000000000", camera="off", microphone="on"))
    assert (await agent.expect_error("no_such_call")).field == "call_id"
    supervisor = await clients.connect(hub.url, "S01")
    await supervisor.hello("supervisor", token=hub.tokens["S01"])
    await supervisor.send(MediaState(call_id=call_id, camera="off", microphone="on"))
    error = await supervisor.expect_error("not_allowed")
    assert (error.field, error.of) == ("type", "media_state")

    assert _media_states(await citizen.sync()) == []
    assert _media_states(await agent.sync()) == []
    assert hub.events("media_state") == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"camera": "blurry"}, "camera"),
        ({"camera": "OFF"}, "camera"),
        ({"microphone": "off"}, "microphone"),  # a microphone is muted, not off
        ({"microphone": None}, "microphone"),
        ({"call_id": ""}, "call_id"),
        ({"speaker": "on"}, "speaker"),
    ],
)
async def test_media_state_with_a_value_outside_its_set_is_refused_naming_the_field(
    start_hub: StartHub, clients: Clients, change: dict[str, object], field: str
) -> None:
    hub = start_hub(_seats())
    agent, citizen, call_id = await _call(clients, hub)
    raw = json.loads(encode(MediaState(call_id=call_id, camera="off", microphone="on")))
    raw.update(change)
    raw = {k: v for k, v in raw.items() if v is not None}

    await citizen.send_raw(json.dumps(raw))
    error = await citizen.expect_error("bad_message")
    assert (error.field, error.of) == (field, "media_state")
    assert _media_states(await agent.sync()) == []
    # The connection stays, and a good one still goes through.
    await citizen.send(MediaState(call_id=call_id, camera="on", microphone="on"))
    assert (await agent.expect(MediaState)).camera == "on"


async def test_media_state_for_an_ended_call_is_refused(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub(_seats())
    agent, citizen, call_id = await _call(clients, hub)
    await agent.send(Hangup(call_id=call_id))
    await citizen.expect(CallEnded)
    await agent.expect(Presence, lambda p: p.state == "wrap_up")

    await citizen.send(MediaState(call_id=call_id, camera="off", microphone="on"))
    await citizen.expect_error("no_such_call")
    await agent.send(MediaState(call_id=call_id, camera="off", microphone="on"))
    await agent.expect_error("no_such_call")
    assert _media_states(await citizen.sync()) == []


async def test_a_party_flooding_media_state_is_rate_limited_then_cut_off(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub(_seats())
    agent, citizen, call_id = await _call(clients, hub)
    frame = encode(MediaState(call_id=call_id, camera="off", microphone="on"))
    sent = 600
    for _ in range(sent):
        await citizen.send_raw(frame)
    await citizen.expect_error("rate_limited", within=10)
    assert await citizen.closed(within=10) == 1008
    # The cut-off citizen's call ends for the agent; what was dropped never reached it.
    ended = await agent.expect(CallEnded, within=10)
    assert (ended.ended_by, ended.reason) == ("hub", "disconnected")
    relayed = _media_states(agent.received)
    assert 0 < len(relayed) < sent
    assert hub.events("flood_cut_off")
