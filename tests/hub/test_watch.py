"""Watching a live call and barging in, as the hub brokers it (signaling only, no media).

The hub decides who may watch what, names the watch, tells the supervisor
and the agent, relays the watch's session descriptions only between its two
parties, ends the watch with the call or with either party, and audits
every supervisor step.
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common.protocol import (
    Accept,
    Ack,
    AuditLog,
    BargeIn,
    CallStarted,
    FetchAudit,
    Hangup,
    Hold,
    HoldState,
    JoinCall,
    Offer,
    PartyUpdate,
    StopWatch,
    SubscribeWall,
    WallSnapshot,
    WallUpdate,
    WatchCall,
    WatchSdp,
    WatchState,
)
from tests.hub.hubclient import SI, Client, Clients, agent_seat

SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


def _seats() -> list[SeatSpec]:
    return [
        agent_seat("0001", SI),
        agent_seat("0002", SI),
        SeatSpec("S01", "李督导", role="supervisor"),
        SeatSpec("S02", "王督导", role="supervisor"),
    ]


async def _call(clients: Clients, hub: HubProcess) -> tuple[Client, Client]:
    """Agent 0001 on a call with a citizen."""
    agent = await clients.agent(hub, "0001")
    citizen = await clients.citizen(hub)
    await citizen.join()
    await agent.ready()
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    await agent.expect(CallStarted)
    await citizen.expect(CallStarted)
    return agent, citizen


async def _supervisor(clients: Clients, hub: HubProcess, agent_id: str = "S01") -> Client:
    client = await clients.connect(hub.url, agent_id)
    await client.hello("supervisor", token=hub.tokens[agent_id])
    return client


async def _acked(client: Client, of: str) -> None:
    """The hub acknowledged ``of`` (before or after the messages just awaited)."""
    if not any(isinstance(m, Ack) and m.of == of for m in client.received):
        await client.expect(Ack, lambda a: a.of == of)


async def test_a_supervisor_watches_barges_in_and_stops_and_every_step_is_audited(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats())
    agent, citizen = await _call(clients, hub)
    supervisor = await _supervisor(clients, hub)
    await supervisor.send(SubscribeWall())
    snapshot = await supervisor.expect(WallSnapshot)
    assert {s.agent_id: s.watched_by for s in snapshot.seats}["0001"] == ""

    await supervisor.send(WatchCall(agent_id="0001"))
    told = await supervisor.expect(WatchState)
    # The tile names the watcher (the wall update and the ack come in either order).
    await supervisor.expect(WallUpdate, lambda u: any(
        s.agent_id == "0001" and s.watched_by == "李督导" for s in u.seats))
    await _acked(supervisor, "watch_call")
    seen = await agent.expect(WatchState)
    assert seen == told
    assert (told.phase, told.agent_id, told.supervisor_id, told.supervisor_name) == (
        "watching", "0001", "S01", "李督导")
    assert not any(isinstance(m, WatchState) for m in await citizen.sync()), (
        "the citizen's side is not told about the watch")

    # The session descriptions go only between the agent and the supervisor.
    await agent.send(WatchSdp(watch_id=told.watch_id, sdp_type="offer", sdp=SDP))
    relayed = await supervisor.expect(WatchSdp)
    assert (relayed.sdp_type, relayed.sdp) == ("offer", SDP)
    await supervisor.send(WatchSdp(watch_id=told.watch_id, sdp_type="answer", sdp=SDP))
    assert (await agent.expect(WatchSdp)).sdp_type == "answer"
    await citizen.send(WatchSdp(watch_id=told.watch_id, sdp_type="answer", sdp=SDP))
    assert (await citizen.expect_error("not_allowed")).field == "type"

    await supervisor.send(BargeIn(watch_id=told.watch_id, on=True))
    assert (await agent.expect(WatchState)).phase == "barging"
    assert (await supervisor.expect(WatchState)).phase == "barging"
    await supervisor.send(BargeIn(watch_id=told.watch_id, on=False))
    assert (await agent.expect(WatchState)).phase == "watching"

    await supervisor.send(StopWatch(watch_id=told.watch_id))
    ended = await agent.expect(WatchState, lambda s: s.phase == "ended")
    assert ended.reason == "stopped"
    await supervisor.expect(WallUpdate, lambda u: any(
        s.agent_id == "0001" and s.watched_by == "" for s in u.seats))
    await _acked(supervisor, "stop_watch")
    await supervisor.send(BargeIn(watch_id=told.watch_id, on=True))
    await supervisor.expect_error("no_such_call")

    await supervisor.send(FetchAudit(limit=10))
    log = await supervisor.expect(AuditLog)
    # Newest first: each step's row written before it ("requested"), then its outcome.
    assert [(e.action, e.target, e.result) for e in log.entries] == [
        ("barge_in", "", "refused:no_such_call"),
        ("barge_in", "", "requested"),
        ("stop_watch", "0001", "ok"),
        ("stop_watch", "0001", "requested"),
        ("barge_in", "0001", "ok"),
        ("barge_in", "0001", "requested"),
        ("barge_in", "0001", "ok"),
        ("barge_in", "0001", "requested"),
        ("watch_call", "0001", "ok"),
        ("watch_call", "0001", "requested"),
    ]
    assert told.watch_id in log.entries[-1].detail and told.call_id in log.entries[-1].detail


async def test_who_may_watch_what(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats())
    agent, citizen = await _call(clients, hub)
    idle = await clients.agent(hub, "0002")
    supervisor = await _supervisor(clients, hub)
    for client in (agent, citizen, idle):
        await client.send(WatchCall(agent_id="0001"))
        assert (await client.expect_error("not_allowed")).of == "watch_call"
    await supervisor.send(WatchCall(agent_id="0002"))  # logged in, not on a call
    assert (await supervisor.expect_error("bad_state")).field == "agent_id"
    await supervisor.send(WatchCall(agent_id="9999"))
    await supervisor.expect_error("no_such_agent")
    await supervisor.send(WatchCall(agent_id="0001"))
    watch = await supervisor.expect(WatchState)
    other = await _supervisor(clients, hub, "S02")
    await other.send(WatchCall(agent_id="0001"))  # one supervisor per call
    await other.expect_error("bad_state")
    await other.send(BargeIn(watch_id=watch.watch_id))  # not their watch
    await other.expect_error("no_such_call")
    await idle.send(StopWatch(watch_id=watch.watch_id))  # not their call
    await idle.expect_error("no_such_call")
    assert not any(isinstance(m, WatchState) for m in await idle.sync())


async def test_the_watch_ends_with_the_call_or_with_either_party(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats())
    agent, _citizen = await _call(clients, hub)
    supervisor = await _supervisor(clients, hub)
    await supervisor.send(WatchCall(agent_id="0001"))
    first = await agent.expect(WatchState)
    await agent.send(Hangup(call_id=first.call_id))
    assert (await supervisor.expect(WatchState, lambda s: s.phase == "ended")).reason == (
        "call_ended")
    assert (await agent.expect(WatchState, lambda s: s.phase == "ended")).reason == "call_ended"

    # A supervisor who goes away: the agent is told.
    agent2, _citizen2 = await _call_for(clients, hub, "0002")
    leaving = await _supervisor(clients, hub, "S02")
    await leaving.send(WatchCall(agent_id="0002"))
    await agent2.expect(WatchState)
    await leaving.ws.close()
    assert (await agent2.expect(WatchState, lambda s: s.phase == "ended")).reason == (
        "supervisor_left")

    # The watched agent's workstation gives up (its media failed).
    await supervisor.send(WatchCall(agent_id="0002"))
    again = await agent2.expect(WatchState, lambda s: s.phase == "watching")
    await agent2.send(StopWatch(watch_id=again.watch_id))
    assert (await supervisor.expect(WatchState, lambda s: s.phase == "ended")).reason == (
        "media_failed")

    # The watched agent goes away mid-call.
    await supervisor.send(WatchCall(agent_id="0002"))
    await agent2.expect(WatchState, lambda s: s.phase == "watching")
    await agent2.ws.close()
    assert (await supervisor.expect(WatchState, lambda s: s.phase == "ended")).reason == (
        "agent_left")


async def _call_for(clients: Clients, hub: HubProcess, agent_id: str) -> tuple[Client, Client]:
    agent = await clients.agent(hub, agent_id)
    citizen = await clients.citizen(hub, f"citizen-{agent_id}")
    await citizen.join()
    await agent.ready()
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    await agent.expect(CallStarted)
    return agent, citizen


async def test_a_supervisor_joins_the_call_the_citizen_is_told_and_the_wall_shows_it(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub(_seats())
    agent, citizen = await _call(clients, hub)
    supervisor = await _supervisor(clients, hub)
    await supervisor.send(SubscribeWall())
    await supervisor.expect(WallSnapshot)
    await supervisor.send(WatchCall(agent_id="0001"))
    watch = await supervisor.expect(WatchState)
    await _acked(supervisor, "watch_call")
    await supervisor.send(JoinCall(watch_id=watch.watch_id, on=False))  # not joined yet
    assert (await supervisor.expect_error("bad_state")).field == "on"

    await supervisor.send(JoinCall(watch_id=watch.watch_id))
    assert (await agent.expect(WatchState, lambda s: s.phase != "watching")).phase == "joined"
    told = await citizen.expect(PartyUpdate)
    assert (told.party, told.phase, told.call_id) == ("supervisor", "joined", watch.call_id)
    assert told.message.startswith("值班长已加入通话")
    await supervisor.expect(WallUpdate, lambda u: any(
        s.agent_id == "0001" and s.watch_phase == "joined" for s in u.seats))
    await supervisor.send(BargeIn(watch_id=watch.watch_id))  # joined: already heard
    assert (await supervisor.expect_error("bad_state")).field == "on"
    await supervisor.send(JoinCall(watch_id=watch.watch_id))
    await supervisor.expect_error("bad_state")
    # A held citizen would still hear the joined supervisor: hold is refused while joined.
    before_hold = len(citizen.received)
    await agent.send(Hold(call_id=watch.call_id, on=True))
    refused_hold = await agent.expect_error("bad_state")
    assert (refused_hold.field, refused_hold.message) == (
        "on", "值班长已加入通话，请等值班长退出后再保持")
    await citizen.sync()
    assert not any(isinstance(m, HoldState) for m in citizen.received[before_hold:])

    await supervisor.send(JoinCall(watch_id=watch.watch_id, on=False))
    assert (await agent.expect(WatchState, lambda s: s.phase != "joined")).phase == "watching"
    assert (await citizen.expect(PartyUpdate)).phase == "left"
    await supervisor.expect(WallUpdate, lambda u: any(
        s.agent_id == "0001" and s.watch_phase == "watching" for s in u.seats))

    # A citizen on hold hears no one: joining waits until they are back.
    await agent.send(Hold(call_id=watch.call_id, on=True))
    await citizen.expect(HoldState)
    await supervisor.send(JoinCall(watch_id=watch.watch_id))
    refused = await supervisor.expect_error("bad_state")
    assert refused.message == "市民正处于保持状态，值班长暂不能加入"
    await agent.send(Hold(call_id=watch.call_id, on=False))
    await citizen.expect(HoldState, lambda h: not h.on)

    # Joined, then stopping the watch: the citizen hears that the supervisor left.
    await supervisor.send(JoinCall(watch_id=watch.watch_id))
    await citizen.expect(PartyUpdate, lambda p: p.phase == "joined")
    await supervisor.send(StopWatch(watch_id=watch.watch_id))
    assert (await citizen.expect(PartyUpdate, lambda p: p.phase == "left")).message == (
        "值班长已离开通话。")

    # One click: watch and join at once.
    await supervisor.send(WatchCall(agent_id="0001", join=True))
    one_click = await supervisor.expect(WatchState, lambda s: s.watch_id != watch.watch_id)
    assert one_click.phase == "joined"
    await citizen.expect(PartyUpdate, lambda p: p.phase == "joined")
    before = len(citizen.received)
    await citizen.send(Hangup(call_id=watch.call_id))
    await agent.expect(WatchState, lambda s: s.phase == "ended")
    await citizen.sync()
    assert not any(isinstance(m, PartyUpdate) for m in citizen.received[before:]), (
        "the call's end is not a leave")

    await supervisor.send(FetchAudit(limit=40))
    log = await supervisor.expect(AuditLog)
    rows = [(e.action, e.result) for e in log.entries if e.result != "requested"]
    assert rows[:6] == [
        ("join_call", "ok"),  # the one click
        ("stop_watch", "ok"),
        ("join_call", "ok"),
        ("join_call", "refused:bad_state"),  # on hold
        ("leave_call", "ok"),
        ("join_call", "refused:bad_state"),  # joined already
    ], rows
