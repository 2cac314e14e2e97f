"""The hub's guard against forgery and floods, against a real hub process.

Kiosks prove themselves with a device token; the kiosk channel is theirs
alone. A connection that never says hello is closed; one address cannot hold
more than its share of connections or joins while an honest agent elsewhere
logs in; a full queue tells the citizen to try later; failed logins lock out
the address (and a named seat, except where it last logged in from); priority
is a claim unless a kiosk's ID-card read checks it, and an ID number that
cannot exist is refused.

Clients "from another address" bind their end of the connection to another
loopback address (127.0.0.2 and up), as a flood from elsewhere would arrive.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date

import pytest
from hubclient import SI_ITEM, Client, Clients, agent_seat
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidMessage

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.device_login import KioskLogin
from sandbox.hub_process import DEFAULT_KIOSK, HubProcess, KioskSpec
from seat_common import validators
from seat_common.protocol import (
    CitizenInfo,
    Error,
    Hello,
    JoinQueue,
    Offer,
    QueueSnapshot,
    Welcome,
)

KIOSK_ITEM = "SI-PENSION-CERT"  # social_insurance, offered at kiosks


def id_number(born: date, sequence: str = "123") -> str:
    first17 = f"441900{born:%Y%m%d}{sequence}"
    return first17 + validators.id_check_character(first17)


async def connect_from(hub: HubProcess, clients: Clients, address: str, label: str) -> Client:
    """A client whose connection comes from ``address`` (a loopback address)."""
    ws = await connect(hub.url, compression=None, open_timeout=10, local_addr=(address, 0))
    client = Client(ws, label)
    clients.opened.append(client)
    return client


def refused_from(hub: HubProcess, address: str) -> int:
    """Connections from ``address`` the hub reset at accept, by its log."""
    return sum(int(e.get("count", 0)) for e in hub.events("connection_refused")
               if e.get("remote") == address)


async def test_a_kiosk_without_its_token_or_with_a_wrong_one_is_refused(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001")], kiosks=[DEFAULT_KIOSK, KioskSpec("K-2", "虎门镇")])
    device = DEFAULT_KIOSK.device_id
    attempts = [
        Hello(role="kiosk", name="自助终端"),  # no token, no device id
        Hello(role="kiosk", token=hub.kiosk_tokens[device]),  # no device id
        Hello(role="kiosk", token="forged", seat_id=device),
        Hello(role="kiosk", token=hub.kiosk_tokens["K-2"], seat_id=device),  # another's token
        Hello(role="kiosk", token=hub.tokens["0001"], seat_id="0001"),  # an agent's token
    ]
    for hello in attempts:
        forger = await clients.connect(hub.url, "forger")
        await forger.send(hello)
        error = await forger.expect_error("bad_token")
        assert "device id" in error.message and error.of == "hello"
        assert await forger.closed(within=10) == 1008
    assert hub.kiosk_tokens[device] not in hub.log_text()
    kiosk = await clients.kiosk(hub, device)
    assert kiosk.role == "kiosk"


async def test_a_citizen_claiming_the_kiosk_channel_is_refused_and_a_kiosk_stays_on_it(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001")])
    citizen = await clients.citizen(hub, "posing")
    await citizen.send(JoinQueue(item_code=KIOSK_ITEM, channel="kiosk"))
    error = await citizen.expect_error("not_allowed")
    assert (error.field, error.of) == ("channel", "join_queue")
    assert "only for a kiosk logged in with its device token" in error.message
    assert await citizen.join(KIOSK_ITEM, channel="web")  # the same citizen on the web is fine

    kiosk = await clients.kiosk(hub)
    await kiosk.send(JoinQueue(item_code=KIOSK_ITEM, channel="web"))
    assert (await kiosk.expect_error("not_allowed")).field == "channel"
    # The hall is where the kiosk stands, whatever the kiosk's citizen says.
    await kiosk.join(KIOSK_ITEM, channel="kiosk", hall="别处")
    agent = await clients.agent(hub, "0001")
    halls = {e.channel: e.citizen.hall for e in agent.last(QueueSnapshot).entries}
    assert halls == {"web": "", "kiosk": DEFAULT_KIOSK.hall}
    event = await hub.wait_for_event("queued", lambda e: e.get("channel") == "kiosk")
    assert event["device_id"] == DEFAULT_KIOSK.device_id


async def test_a_connection_that_never_says_hello_is_closed(start_hub, clients: Clients) -> None:
    hub = start_hub([agent_seat("0001")], extra_args=["--hello-timeout", "2"])
    idle = await clients.connect(hub.url, "idle")
    error = await idle.expect(Error, within=15)
    assert error.code == "not_authenticated" and "no hello" in error.message
    assert await idle.closed(within=15) == 1008
    await hub.wait_for_event("hello_timeout")
    # A client that does say hello in time stays.
    citizen = await clients.citizen(hub, "prompt")
    await asyncio.sleep(2.5)  # past the deadline: nothing happens to a logged-in client
    assert await citizen.sync() == []


async def test_one_address_cannot_flood_connections_or_joins_while_an_agent_logs_in(
    start_hub, clients: Clients
) -> None:
    hub = start_hub(
        [agent_seat("0001")],
        extra_args=["--max-connections-per-address", "5", "--max-joins-per-minute", "3",
                    "--hello-timeout", "120"],
    )
    flood = [await connect_from(hub, clients, "127.0.0.2", f"flood{i}") for i in range(5)]
    # Each of the five counted (the hub logs "connected" once it has counted one).
    await hub.wait_for_event("connected", lambda _: len(hub.events("connected")) >= 5)
    for i in range(20):
        # Reset as soon as it is accepted: the surplus never gets a handshake or a session.
        with pytest.raises((OSError, InvalidMessage)):
            await connect_from(hub, clients, "127.0.0.2", f"extra{i}")
    # Logged as a count per address a second, not a line each.
    await hub.wait_for_event("connection_refused", lambda _: refused_from(hub, "127.0.0.2") == 20)
    assert len(hub.events("connected")) == 5
    agent = await clients.agent(hub, "0001")  # from 127.0.0.1: not held up
    assert agent.role == "agent"

    for i, client in enumerate(flood):
        await client.hello("citizen", name=f"flood{i}")
    for client in flood[:3]:
        await client.join(SI_ITEM)
    for client in flood[3:]:
        await client.send(JoinQueue(item_code=SI_ITEM, channel="web"))
        error = await client.expect_error("rate_limited")
        assert "排队请求过多" in error.message
    honest = await clients.citizen(hub, "honest")  # another address, its own allowance
    assert await honest.join(SI_ITEM)

    # A closed connection frees its place for the address.
    await flood[0].ws.close()
    await hub.wait_for_event("disconnected", lambda e: e.get("role") == "citizen")
    deadline = time.monotonic() + 10
    while True:  # the place is freed just after the "disconnected" event is logged
        try:
            again = await connect_from(hub, clients, "127.0.0.2", "again")
            break
        except (OSError, InvalidMessage):
            assert time.monotonic() < deadline, "the closed connection's place never came free"
            await asyncio.sleep(0.1)
    await again.send(Hello(role="citizen"))
    assert isinstance(await again.recv(within=10), Welcome)


async def test_a_full_queue_tells_the_citizen_politely_to_try_later(
    start_hub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001")], extra_args=["--max-queue", "2"])
    for i in range(2):
        waiting = await clients.citizen(hub, f"waiting{i}")
        await waiting.join(SI_ITEM)
    late = await clients.citizen(hub, "late")
    await late.send(JoinQueue(item_code=SI_ITEM, channel="web"))
    error = await late.expect_error("busy")
    assert "请稍后再试" in error.message and error.of == "join_queue"
    await hub.wait_for_event("queue_full")

    citizen = SimulatedCitizen(hub.url, SI_ITEM, "web", "陈伟强",
                               script=CitizenScript(reply_timeout_s=10, give_up_after_s=30))
    report = await asyncio.wait_for(citizen.run(), 60)
    assert report.refused_code == "busy"
    assert "当前排队人数较多，请稍后再试" in report.refused_message
    assert not report.work_order_id


async def test_failed_logins_lock_out_the_address_and_the_named_seat(
    start_hub, clients: Clients
) -> None:
    hub = start_hub(
        [agent_seat("0001"), agent_seat("0002"), agent_seat("0003")],
        extra_args=["--login-failures", "3", "--login-lockout", "60"],
    )

    async def try_login(address: str, token: str, seat_id: str = "") -> Error | Welcome:
        client = await connect_from(hub, clients, address, f"login@{address}")
        await client.send(Hello(role="agent", token=token, seat_id=seat_id))
        reply = await client.recv(within=10)
        assert isinstance(reply, Error | Welcome), reply
        if isinstance(reply, Welcome):
            await client.ws.close()
        return reply

    # An address that keeps guessing is locked out, even with a right token next.
    for _ in range(3):
        reply = await try_login("127.0.0.2", "guess")
        assert isinstance(reply, Error) and reply.code == "bad_token"
    locked = await try_login("127.0.0.2", hub.tokens["0001"])
    assert isinstance(locked, Error) and locked.code == "rate_limited"
    assert "too many failed logins" in locked.message and locked.of == "hello"
    await hub.wait_for_event("login_throttled")
    # Elsewhere the agent logs in as usual.
    assert isinstance(await try_login("127.0.0.1", hub.tokens["0001"], "0001"), Welcome)

    # Guesses naming seat 0002, spread over addresses, lock that seat for strangers...
    for address in ("127.0.0.3", "127.0.0.4", "127.0.0.5"):
        reply = await try_login(address, "guess", "0002")
        assert isinstance(reply, Error) and reply.code == "bad_token"
    seat_locked = await try_login("127.0.0.6", hub.tokens["0002"], "0002")
    assert isinstance(seat_locked, Error) and seat_locked.code == "rate_limited"
    # ...but the other seats log in from there.
    assert isinstance(await try_login("127.0.0.6", hub.tokens["0003"], "0003"), Welcome)

    # A seat's own address is not held out by a stranger's guesses at it.
    for address in ("127.0.0.7", "127.0.0.8", "127.0.0.9"):
        await try_login(address, "guess", "0001")
    assert isinstance(await try_login("127.0.0.10", hub.tokens["0001"], "0001"), Error)
    assert isinstance(await try_login("127.0.0.1", hub.tokens["0001"], "0001"), Welcome)


@pytest.mark.parametrize("role", ["citizen", "kiosk"])
async def test_priority_is_a_claim_unless_a_kiosk_id_read_checks_it(
    start_hub, clients: Clients, role: str
) -> None:
    hub = start_hub([agent_seat("0001")])
    today = date.today()
    old = id_number(date(today.year - 75, 3, 15))
    young = id_number(date(today.year - 30, 3, 15))

    async def join(name: str, priority: str, number: str) -> None:
        if role == "kiosk":
            client = await clients.kiosk(hub)
            await client.join(KIOSK_ITEM, priority, "kiosk", name=name, id_number=number)
        else:
            client = await clients.citizen(hub, name)
            await client.join(KIOSK_ITEM, priority, "web", name=name, id_number=number)

    await join("老人家", "elderly", old)
    await join("年轻人", "elderly", young)
    await join("残障者", "disabled", young)
    await join("普通人", "normal", young)
    agent = await clients.agent(hub, "0001")
    entries = {e.citizen.name[0]: e for e in agent.last(QueueSnapshot).entries}
    seen = {name: (e.priority, e.priority_check) for name, e in entries.items()}
    if role == "kiosk":  # the ID-card read is the hub's to check
        assert seen == {
            "老": ("elderly", "verified"),
            "年": ("normal", "refused"),
            "残": ("disabled", "claimed"),
            "普": ("normal", "claimed"),
        }
    else:  # typed on a web page: only the citizen's word
        assert seen == {
            "老": ("elderly", "claimed"),
            "年": ("elderly", "claimed"),
            "残": ("disabled", "claimed"),
            "普": ("normal", "claimed"),
        }
    await agent.ready()
    first = await agent.expect(Offer)
    assert first.citizen.name.startswith("老")
    assert first.priority_check == entries["老"].priority_check
    event = await hub.wait_for_event("queued", lambda e: e.get("claimed_priority") == "elderly")
    assert "priority_check" in event


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("441900195003151234", "check"),  # the last character does not check out
        (None, "birth date"),  # 30 February
        ("44190019500315123", "18 characters"),
        ("44190019500315123A", "17 digits"),
    ],
)
async def test_an_id_number_read_at_a_kiosk_that_cannot_exist_is_refused(
    start_hub, clients: Clients, number: str | None, why: str
) -> None:
    hub = start_hub([agent_seat("0001")])
    if number is None:
        first17 = "44190019500230123"
        number = first17 + validators.id_check_character(first17)
    elif why == "check":
        good = validators.id_check_character(number[:17])
        number = number[:17] + ("0" if good != "0" else "1")
    kiosk = await clients.kiosk(hub)
    await kiosk.send(
        JoinQueue(item_code=KIOSK_ITEM, channel="kiosk", priority="elderly",
                  citizen=CitizenInfo(name="王伟", id_number=number))
    )
    error = await kiosk.expect_error("bad_message")
    assert error.field == "citizen.id_number" and why in error.message
    assert number not in hub.log_text()
    # A good read is queued.
    assert await kiosk.join(KIOSK_ITEM, "elderly", "kiosk", id_number=id_number(date(1950, 3, 15)))


async def test_a_kiosk_login_helper_hides_its_token() -> None:
    login = KioskLogin("K-1", "secret-token")
    assert "secret-token" not in repr(login)
    assert login.hello().seat_id == "K-1" and login.hello().role == "kiosk"
