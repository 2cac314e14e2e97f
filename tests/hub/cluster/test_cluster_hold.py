"""Hold in a cluster: an agent on one hub puts a citizen on another on hold and takes them
off it, both told; a seat whose link drops while its citizen is on hold takes the call up
on another hub with the citizen still on hold, and the wall shows it wherever the
supervisor is."""

from __future__ import annotations

from cluster_hubs import WITHIN, call_across
from hubclient import Clients

from sandbox.hub_process import HubProcess
from seat_common.protocol import CallEnded, CallStarted, Chat, ChatMessage, Hold, HoldState


async def test_a_citizen_on_hold_is_still_on_hold_when_the_seat_takes_the_call_up_elsewhere(
    two_hubs: tuple[HubProcess, HubProcess], clients: Clients
) -> None:
    hub_a, hub_b = two_hubs
    call = await call_across(hub_a, hub_b, clients)
    await call.agent.send(Hold(call_id=call.call_id, on=True))
    held = await call.citizen.expect(HoldState, within=WITHIN)
    assert (held.call_id, held.on) == (call.call_id, True) and held.message
    assert (await call.agent.expect(HoldState, within=WITHIN)).on

    call.agent.ws.transport.abort()  # the seat's link drops with its citizen on hold
    back = await clients.connect(hub_b.url, "a1 again")
    await back.hello("agent", token=hub_a.tokens["a1"])
    assert (await back.expect(CallStarted, within=WITHIN)).call_id == call.call_id
    assert (await back.expect(HoldState, within=WITHIN)).on  # still on hold, told again
    await back.send(Hold(call_id=call.call_id, on=False))
    assert not (await call.citizen.expect(HoldState, lambda h: not h.on, within=WITHIN)).on
    await call.citizen.send(Chat(call_id=call.call_id, text="好了吗"))
    assert (await back.expect(ChatMessage, within=WITHIN)).text == "好了吗"
    assert not [m for m in call.citizen.received if isinstance(m, CallEnded)]
