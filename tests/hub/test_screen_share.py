"""Online-application coaching at the hub: the citizen's ``screen_share`` reaches the agent,
and the agent's ``share_mark`` reaches the citizen only while the citizen shares, only from
the call's agent, with coordinates 0..1 and at most 20 a second (bursts of 40).

Each test runs its own hub process; the parties are plain protocol clients on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    MARK_BURST,
    CallEnded,
    Hangup,
    Message,
    ScreenShare,
    ShareMark,
    SharePoint,
    encode,
)
from tests.hub.hubclient import Clients
from tests.hub.test_media_state import _call, _seats

StartHub = Callable[..., HubProcess]


def _marks(messages: list[Message]) -> list[ShareMark]:
    return [m for m in messages if isinstance(m, ShareMark)]


def _pointer(call_id: str, mark_id: int, x: float = 0.5, y: float = 0.5) -> ShareMark:
    return ShareMark(call_id=call_id, kind="pointer", mark_id=mark_id, points=(SharePoint(x, y),))


async def test_sharing_reaches_the_agent_and_marks_reach_the_citizen_while_it_lasts(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub(_seats())
    agent, citizen, call_id = await _call(clients, hub)

    # Before the citizen shares, the agent cannot mark anything.
    await agent.send(_pointer(call_id, 1))
    assert (await agent.expect_error("bad_state")).of == "share_mark"

    started = ScreenShare(call_id=call_id, sharing=True, surface="browser")
    await citizen.send(started)
    assert await agent.expect(ScreenShare) == started
    stroke = ShareMark(call_id=call_id, kind="stroke", mark_id=2,
                       points=(SharePoint(0.0, 0.0), SharePoint(1.0, 1.0)))
    for mark in (_pointer(call_id, 3, 0.25, 0.75), stroke,
                 ShareMark(call_id=call_id, kind="clear", mark_id=4)):
        await agent.send(mark)
        assert await citizen.expect(ShareMark) == mark

    stopped = ScreenShare(call_id=call_id, sharing=False, surface="browser")
    await citizen.send(stopped)
    assert await agent.expect(ScreenShare) == stopped
    await agent.send(_pointer(call_id, 5))
    assert (await agent.expect_error("bad_state")).field == "call_id"
    assert _marks(await citizen.sync()) == []
    assert [e["sharing"] for e in hub.events("screen_share")] == [True, False]


async def test_only_the_calls_citizen_shares_and_only_its_agent_marks(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub(_seats())
    agent, citizen, call_id = await _call(clients, hub)
    await agent.send(ScreenShare(call_id=call_id, sharing=True))
    assert (await agent.expect_error("not_allowed")).of == "screen_share"
    await citizen.send(ScreenShare(call_id=call_id, sharing=True))
    await agent.expect(ScreenShare)

    await citizen.send(_pointer(call_id, 1))
    error = await citizen.expect_error("not_allowed")
    assert (error.field, error.of) == ("type", "share_mark")
    intruder = await clients.citizen(hub, "intruder")
    await intruder.send(ScreenShare(call_id=call_id, sharing=True))
    assert (await intruder.expect_error("no_such_call")).of == "screen_share"
    await agent.send(_pointer("C-0000000000000000", 2))
    assert (await agent.expect_error("no_such_call")).field == "call_id"
    assert _marks(await citizen.sync()) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"points": [{"x": 1.01, "y": 0.5}]}, "points[0].x"),
        ({"points": [{"x": 0.5, "y": -0.1}]}, "points[0].y"),
        ({"points": [{"x": "0.5", "y": 0.5}]}, "points[0].x"),
        ({"points": [{"x": 0.5, "y": 0.5, "z": 0}]}, "points[0].z"),
        ({"points": [{"x": 0.1, "y": 0.1}, {"x": 0.2, "y": 0.2}]}, "points"),  # a pointer: one
        ({"kind": "stroke"}, "points"),  # one point is not a stroke
        ({"kind": "clear"}, "points"),  # clear has none
        ({"kind": "type_text"}, "kind"),  # no input, ever
        ({"points": [{"x": 0.5, "y": 0.5}] * 65, "kind": "stroke"}, "points"),
        ({"mark_id": -1}, "mark_id"),
    ],
)
async def test_a_bad_mark_is_refused_naming_the_field_and_never_reaches_the_citizen(
    start_hub: StartHub, clients: Clients, change: dict[str, object], field: str
) -> None:
    hub = start_hub(_seats())
    agent, citizen, call_id = await _call(clients, hub)
    await citizen.send(ScreenShare(call_id=call_id, sharing=True))
    await agent.expect(ScreenShare)
    raw = json.loads(encode(_pointer(call_id, 1)))
    raw.update(change)

    await agent.send_raw(json.dumps(raw))
    error = await agent.expect_error("bad_message")
    assert (error.field, error.of) == (field, "share_mark")
    assert _marks(await citizen.sync()) == []
    await agent.send(_pointer(call_id, 2))  # the connection stays; a good one goes through
    assert (await citizen.expect(ShareMark)).mark_id == 2


async def test_marks_beyond_the_calls_rate_are_dropped_and_the_agent_is_told_once(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub(_seats())
    agent, citizen, call_id = await _call(clients, hub)
    await citizen.send(ScreenShare(call_id=call_id, sharing=True))
    await agent.expect(ScreenShare)
    sent = 90  # under the connection's own burst (100), over the marks' (40)
    for mark_id in range(sent):
        await agent.send_raw(encode(_pointer(call_id, mark_id)))
    await agent.expect_error("rate_limited")
    relayed = _marks(await citizen.sync())
    # At least the burst went through, in order; sending 90 frames takes far less than the
    # 2.5 s that would refill enough for all of them.
    assert MARK_BURST <= len(relayed) < sent
    assert [m.mark_id for m in relayed] == sorted(m.mark_id for m in relayed)
    errors = [m for m in await agent.sync() if getattr(m, "code", "") == "rate_limited"]
    assert len(errors) <= 2  # told at most once a second, not once per dropped mark


async def test_the_call_ending_ends_the_share(start_hub: StartHub, clients: Clients) -> None:
    hub = start_hub(_seats())
    agent, citizen, call_id = await _call(clients, hub)
    await citizen.send(ScreenShare(call_id=call_id, sharing=True))
    await agent.expect(ScreenShare)
    await citizen.send(Hangup(call_id=call_id))
    await agent.expect(CallEnded)
    await agent.send(_pointer(call_id, 1))
    await agent.expect_error("no_such_call")
