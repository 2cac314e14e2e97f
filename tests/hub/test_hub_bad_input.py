"""Bad input against a real hub process: every refusal is an Error, and the hub goes on.

One hub serves the whole module. Each test gets a fresh ``witness``, a
citizen connected before the bad input; at the end the witness does a
round trip and must have received nothing at all: the hub still serves
others, and nothing leaked to them. Tests use their own seats and items, so
they do not meet each other's citizens in the queue.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest
from hubclient import HF_ITEM, Client, Clients, agent_seat

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    Accept,
    CallStarted,
    CitizenInfo,
    Decline,
    Error,
    Hangup,
    Hello,
    JoinQueue,
    Offer,
    Presence,
    Rate,
    Sdp,
    SetMode,
    SetState,
    Welcome,
    WrapUp,
    encode,
)

CIVIL = "civil_affairs"
CIVIL_ITEM = "EC-AGED-ALLOWANCE"  # civil_affairs: only the call test's agent has it
NOBODY_ITEM = "BR-INDIVIDUAL-SETUP"  # business_registration: no seat has it


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    seats = [
        agent_seat("dup"),
        agent_seat("plain"),
        agent_seat("caller_agent", CIVIL),
    ]
    with HubProcess(seats, workdir=tmp_path_factory.mktemp("hub"), ring_timeout=5) as process:
        yield process


@pytest.fixture
async def witness(hub: HubProcess, clients: Clients) -> AsyncIterator[Client]:
    client = await clients.citizen(hub, "witness")
    yield client
    assert await client.sync() == [], "the witness heard something it should not have"


async def test_malformed_json_is_refused_and_the_connection_stays(hub, clients, witness) -> None:
    client = await clients.citizen(hub)
    await client.send_raw('{"v": 1, "type": "join_queue", ')
    await client.expect_error("bad_json")
    await client.send_raw("[1, 2, 3]")
    await client.expect_error("bad_message")
    await client.send_raw('{"v": 1, "type": "hello", "role": "citizen", "x": NaN}')
    await client.expect_error("bad_json")
    assert await client.sync() == []


async def test_unknown_types_versions_and_fields_are_named(hub, clients, witness) -> None:
    client = await clients.citizen(hub)
    await client.send_raw('{"v": 1, "type": "teleport"}')
    error = await client.expect_error("unknown_type")
    assert error.field == "type"
    await client.send_raw('{"v": 2, "type": "leave_queue"}')
    assert (await client.expect_error("unsupported_version")).field == "v"
    await client.send_raw('{"v": 1, "type": "join_queue", "item_code": 5, "channel": "web"}')
    error = await client.expect_error("bad_message")
    assert (error.field, error.of) == ("item_code", "join_queue")
    await client.send_raw('{"v": 1, "type": "join_queue", "item_code": "X", "channel": "fax"}')
    assert (await client.expect_error("bad_message")).field == "channel"


async def test_personal_numbers_in_bad_input_are_masked_in_the_log(hub, clients, witness) -> None:
    client = await clients.citizen(hub)
    await client.send_raw('{"v": 1, "type": "leave_queue", "441900199001011234": "13800138000"}')
    error = await client.expect_error("bad_message")
    assert error.field == "441900199001011234"  # the sender hears what was wrong
    await client.sync()
    log = hub.log_text()
    assert "4419**********1234" in log
    assert "441900199001011234" not in log and "13800138000" not in log


async def test_an_oversized_message_gets_too_large_and_the_connection_stays(
    hub, clients, witness
) -> None:
    client = await clients.citizen(hub)
    # 100,000 Chinese characters: under the limit in characters, 300 KB in UTF-8.
    big = json.dumps({"v": 1, "type": "hello", "role": "citizen", "name": "办" * 100_000})
    await client.send_raw(big)
    await client.expect_error("too_large")
    assert await client.sync() == []


async def test_a_frame_over_one_mebibyte_closes_that_connection_only(hub, clients, witness) -> None:
    client = await clients.citizen(hub)
    await client.send_raw("x" * (1024 * 1024 + 1))
    assert await client.closed() == 1009


async def test_binary_frames_are_refused(hub, clients, witness) -> None:
    client = await clients.citizen(hub)
    await client.send_raw(b"\x89PNG\r\n")
    error = await client.expect_error("bad_message")
    assert "binary" in error.message
    assert await client.sync() == []


async def test_nothing_but_hello_before_hello(hub, clients, witness) -> None:
    client = await clients.connect(hub.url)
    await client.send(JoinQueue(item_code=HF_ITEM, channel="web"))
    error = await client.expect_error("not_authenticated")
    assert error.of == "join_queue"
    assert (await client.hello("citizen")).role == "citizen"


async def test_a_bad_token_is_refused_and_the_connection_closed(hub, clients, witness) -> None:
    client = await clients.connect(hub.url)
    await client.send(Hello(role="agent", token="not-a-real-token"))
    assert (await client.expect_error("bad_token")).field == "token"
    assert await client.closed() == 1008
    assert "not-a-real-token" not in hub.log_text()


async def test_a_citizen_may_not_send_agent_or_hub_messages(hub, clients, witness) -> None:
    client = await clients.citizen(hub)
    for message in (
        Accept(call_id="C-1"),
        Decline(call_id="C-1"),
        SetState(state="ready"),
        SetMode(mode="counter"),
        WrapUp(work_order_id="WO-1", outcome="resolved"),
        Welcome(session_id="S-1", role="agent"),
        Presence(state="ready", mode="video"),
    ):
        await client.send(message)
        error = await client.expect_error("not_allowed")
        assert (error.field, error.of) == ("type", message.TYPE)
    await client.send_raw(
        encode(
            Offer(
                call_id="C-1",
                work_order_id="WO-1",
                item_code=HF_ITEM,
                item_name="x",
                channel="web",
                priority="normal",
                media="video",
                citizen=CitizenInfo(),
                queued_at=0.0,
                ring_timeout_s=1.0,
            )
        )
    )
    assert (await client.expect_error("not_allowed")).of == "offer"


async def test_an_agent_may_not_join_the_queue(hub, clients, witness) -> None:
    agent = await clients.agent(hub, "plain")
    await agent.send(JoinQueue(item_code=HF_ITEM, channel="web"))
    assert (await agent.expect_error("not_allowed")).field == "type"
    await agent.send(WrapUp(work_order_id="WO-1", outcome="abandoned"))
    assert (await agent.expect_error("bad_message")).field == "outcome"
    await agent.send(WrapUp(work_order_id="WO-nope", outcome="resolved"))
    assert (await agent.expect_error("no_such_work_order")).field == "work_order_id"
    await agent.send(Accept(call_id="C-nope"))
    assert (await agent.expect_error("no_such_call")).field == "call_id"


async def test_joining_an_unknown_item_a_wrong_channel_or_twice_is_refused(
    hub, clients, witness
) -> None:
    citizen = await clients.citizen(hub)
    await citizen.send(JoinQueue(item_code="NO-SUCH-ITEM", channel="web"))
    assert (await citizen.expect_error("no_such_item")).field == "item_code"
    await citizen.send(JoinQueue(item_code=HF_ITEM, channel="kiosk"))
    assert (await citizen.expect_error("not_allowed")).field == "channel"
    await citizen.join(NOBODY_ITEM)
    await citizen.send(JoinQueue(item_code=NOBODY_ITEM, channel="web"))
    await citizen.expect_error("already_queued")


async def test_signaling_for_a_call_the_sender_is_not_in_is_refused_and_not_relayed(
    hub, clients, witness
) -> None:
    agent = await clients.agent(hub, "caller_agent")
    await agent.ready()
    citizen = await clients.citizen(hub, "caller")
    queued = await citizen.join(CIVIL_ITEM, channel="miniprogram")
    offer = await agent.expect(Offer)
    await citizen.send(Rate(work_order_id=queued.work_order_id, score=5))
    await citizen.expect_error("bad_state")  # not before the call has ended
    await agent.send(Accept(call_id=offer.call_id))
    call = await citizen.expect(CallStarted)
    await agent.expect(CallStarted)

    intruder = await clients.citizen(hub, "intruder")
    await intruder.send(Sdp(call_id=call.call_id, sdp_type="offer", sdp="v=0"))
    assert (await intruder.expect_error("no_such_call")).field == "call_id"
    await intruder.send(Hangup(call_id=call.call_id))
    await intruder.expect_error("no_such_call")
    await agent.send(Sdp(call_id="C-0000000000000000", sdp_type="answer", sdp="v=0"))
    await agent.expect_error("no_such_call")
    assert not [m for m in await citizen.sync() if isinstance(m, Sdp)]
    assert not [m for m in await agent.sync() if isinstance(m, Sdp)]

    await agent.send(SetState(state="away", reason="break"))
    await agent.expect_error("bad_state")  # on a call
    await agent.send(WrapUp(work_order_id=queued.work_order_id, outcome="resolved"))
    await agent.expect_error("bad_state")  # not ended yet
    await agent.send(Hangup(call_id=call.call_id))
    await agent.expect(Presence, lambda p: p.state == "wrap_up")
    await agent.send(SetState(state="ready"))
    await agent.expect_error("bad_state")  # only a wrap-up ends wrap-up
    await intruder.send(Rate(work_order_id=queued.work_order_id, score=1))
    await intruder.expect_error("no_such_work_order")


async def test_a_second_login_of_a_seat_takes_over_and_the_stale_one_is_closed(
    hub, clients, witness
) -> None:
    first = await clients.agent(hub, "dup")
    second = await clients.connect(hub.url)
    await second.hello("agent", token=hub.tokens["dup"])
    await second.expect(Presence)
    taken = await first.expect_error("taken_over")
    assert taken.of == "hello"
    assert await first.closed() == 1008
    await second.send(SetState(state="away", reason="meeting"))
    presence = await second.expect(Presence, lambda p: p.reason == "meeting")
    assert (presence.state, presence.reason) == ("away", "meeting")
    assert hub.events("login_takeover")


async def test_a_flood_is_rate_limited_then_cut_off(hub, clients, witness) -> None:
    flooder = await clients.citizen(hub, "flooder")
    frame = encode(SetState(state="ready"))  # refused anyway: cheap for the hub
    for _ in range(600):
        await flooder.send_raw(frame)
    warning = await flooder.expect(Error, lambda e: e.code != "not_allowed")
    assert warning.code == "rate_limited"
    assert await flooder.closed(within=5) == 1008
    assert hub.events("flood_cut_off")
