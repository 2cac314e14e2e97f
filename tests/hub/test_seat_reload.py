"""``seat-admin`` against a running hub process: seats made, tokens revoked, SIGHUP reloads.

A seat made with ``seat-admin`` logs in after the hub reloads; a revoked token's live
websocket is closed with ``Error revoked`` and the Chinese close reason, and its next
login is refused; the workstation's ``HubLink`` stops for good on it; a broken seats file
on SIGHUP is logged and the old seats keep working; a skill given by ``seat-admin`` lets
the ACD offer that skill's waiting citizen; every reload is in the audit log.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from hubclient import HF, SI, SI_ITEM, Clients, agent_seat, wait_for_rows

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.hub_link import FullJitterBackoff, HubLink, LinkState
from seat_common.protocol import (
    Accept,
    CallEnded,
    CallStarted,
    Error,
    Hello,
    Offer,
    PeerLink,
    Welcome,
)
from seat_hub.connections.seat_reload import REVOKED_REASON


def seat_admin(hub: HubProcess, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``seat-admin`` on ``hub``'s seats file, as an administrator would."""
    return subprocess.run(
        [sys.executable, "-m", "seat_hub.admin.cli", "--seats", str(hub.seats_path), *args],
        capture_output=True, text=True, timeout=60, check=False)


async def reload(hub: HubProcess) -> dict[str, object]:
    """SIGHUP, then the hub's log line saying how the reload went."""
    names = ("seats_reloaded", "seats_reload_failed")
    before = len([e for e in hub.events() if e.get("event") in names])
    assert hub.pid is not None
    os.kill(hub.pid, signal.SIGHUP)
    for _ in range(1000):
        events = [e for e in hub.events() if e.get("event") in names]
        if len(events) > before:
            assert hub.running, hub.log_text()
            return events[-1]
        await asyncio.sleep(0.02)
    raise AssertionError(f"the hub logged no reload in 20 s:\n{hub.log_text()[-2000:]}")


async def reload_audit(hub: HubProcess, rows: int) -> list[tuple[str, str]]:
    """The audit log's ``seats_reload`` rows, once there are ``rows`` of them."""
    found = await wait_for_rows(hub.db_path, "SELECT target, result FROM audit_log"
                                " WHERE action = 'seats_reload' ORDER BY seq", (),
                                lambda found: len(found) >= rows, within=20)
    return [(r["target"], r["result"]) for r in found]


async def test_an_agent_made_with_seat_admin_logs_in_and_is_closed_when_revoked(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1")])
    kept = await clients.agent(hub, "a1")
    made = await asyncio.to_thread(seat_admin, hub, "add-agent", "0099", "--name", "陈坐席",
                                   "--skills", "社保业务")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token and token not in hub.seats_path.read_text(encoding="utf-8")

    before = await clients.connect(hub.url, "before reload")
    await before.send(Hello(role="agent", token=token))
    await before.expect_error("bad_token")  # the hub has not read the file yet
    await reload(hub)
    agent = await clients.connect(hub.url, "0099")
    welcome = await agent.hello("agent", token=token)
    assert (welcome.agent_id, welcome.name, welcome.skills) == ("0099", "陈坐席", (SI,))

    revoked = await asyncio.to_thread(seat_admin, hub, "revoke", "0099")
    assert revoked.returncode == 0, revoked.stderr
    event = await reload(hub)
    assert event["event"] == "seats_reloaded" and len(event["sessions_closed"]) == 1  # type: ignore[arg-type]
    error = await agent.expect(Error)
    assert error.code == "revoked" and "您的登录凭据已被吊销" in error.message
    assert await agent.closed() == 1008
    assert agent.ws.close_reason == REVOKED_REASON
    assert await kept.sync() is not None  # the other agent is still logged in

    again = await clients.connect(hub.url, "0099 again")
    await again.send(Hello(role="agent", token=token))
    await again.expect_error("bad_token")
    assert await reload_audit(hub, 4) == [("seats.json", "requested"), ("seats.json", "ok")] * 2


async def test_a_broken_seats_file_on_sighup_keeps_the_old_seats(start_hub,
                                                                  clients: Clients) -> None:
    hub = start_hub([agent_seat("a1")])
    agent = await clients.agent(hub, "a1")
    good = hub.seats_path.read_bytes()
    hub.seats_path.write_text(good.decode("utf-8").replace(SI, "no_such_skill"), "utf-8")
    event = await reload(hub)
    assert event["event"] == "seats_reload_failed"
    assert "unknown skill 'no_such_skill'" in str(event["error"]) and event["kept_seats"] == 1
    hub.seats_path.write_text("{not json", "utf-8")
    assert (await reload(hub))["event"] == "seats_reload_failed"
    await agent.sync()  # still logged in
    second = await clients.connect(hub.url, "a1 again")
    await second.hello("agent", token=hub.tokens["a1"])  # the old seats still let a1 in
    assert [result for _, result in await reload_audit(hub, 2)] == ["refused:bad_file"] * 2


async def test_skills_given_by_seat_admin_route_the_waiting_citizen_after_reload(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1", HF)])
    agent = await clients.agent(hub, "a1")
    await agent.ready()
    citizen = await clients.citizen(hub)
    await citizen.join(SI_ITEM)
    assert not [m for m in await agent.sync() if isinstance(m, Offer)]
    changed = await asyncio.to_thread(seat_admin, hub, "set-skills", "a1", f"{HF},{SI}")
    assert changed.returncode == 0, changed.stderr
    event = await reload(hub)
    assert event["changed"] == ["a1"] and event["sessions_closed"] == []
    offer = await agent.expect(Offer, within=10)
    assert offer.item_code == SI_ITEM


async def test_a_revoked_kiosk_and_a_removed_supervisor_are_closed(
    start_hub, clients: Clients, tmp_path: Path
) -> None:
    hub = start_hub([agent_seat("a1"), SeatSpec("S1", "王班长", role="supervisor")])
    kiosk = await clients.kiosk(hub)
    wall = HubLink(hub.url, lambda: Hello(role="supervisor", token=hub.tokens["S1"]),
                   backoff=FullJitterBackoff(base_s=0.01, cap_s=0.05))
    states: list[LinkState] = []
    wall.state_changed.connect(states.append)
    welcomed: asyncio.Queue[Welcome] = asyncio.Queue()
    wall.welcome.connect(welcomed.put_nowait)
    wall.start()
    try:
        await asyncio.wait_for(welcomed.get(), 10)
        for args in (("revoke", "--kiosk", "K-SHATIAN-01"), ("remove", "S1")):
            done = await asyncio.to_thread(seat_admin, hub, *args)
            assert done.returncode == 0, done.stderr
        event = await reload(hub)
        assert event["removed"] == ["S1"] and event["changed"] == ["kiosk:K-SHATIAN-01"]
        assert (await kiosk.expect(Error)).code == "revoked"
        assert await kiosk.closed() == 1008 and kiosk.ws.close_reason == REVOKED_REASON
        for _ in range(500):
            if wall.state is LinkState.REFUSED:
                break
            await asyncio.sleep(0.02)
        assert wall.state is LinkState.REFUSED and wall.refusal is not None
        assert wall.refusal.code == "revoked"
        # it does not knock again: one login of S1 in the hub's log, the one before
        logins = [e for e in hub.events("login") if e.get("agent_id") == "S1"]
        assert len(logins) == 1 and states[-1] is LinkState.REFUSED
    finally:
        await wall.stop()
    login = hub.kiosk_login()
    again = await clients.connect(hub.url, "kiosk again")
    await again.send(login.hello())
    await again.expect_error("bad_token")


async def test_a_revoked_seat_parked_in_a_call_ends_it_at_once(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("a1")], extra_args=("--resume-grace", "600"))
    agent = await clients.agent(hub, "a1")
    await agent.ready()
    citizen = await clients.citizen(hub)
    await citizen.join(SI_ITEM)
    offer = await agent.expect(Offer, within=10)
    await agent.send(Accept(call_id=offer.call_id))
    started = await citizen.expect(CallStarted)
    agent.ws.transport.abort()  # the agent's network drops: the seat is parked, the call kept
    lost = await citizen.expect(PeerLink, within=10)
    assert (lost.call_id, lost.up) == (started.call_id, False)
    assert (await asyncio.to_thread(seat_admin, hub, "revoke", "a1")).returncode == 0
    event = await reload(hub)
    assert event["parked_ended"] == ["a1"] and event["sessions_closed"] == []
    ended = await citizen.expect(CallEnded, within=10)  # not after the 600 s grace period
    assert (ended.call_id, ended.reason) == (started.call_id, "disconnected")
