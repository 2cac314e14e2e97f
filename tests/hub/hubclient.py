"""Protocol-speaking websocket clients and ledger helpers for the hub tests.

``Client.sync()`` is the way to prove a negative ("no offer reached this
agent"): it asks the hub for a reply and returns everything the hub had
sent before it, in order.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common.protocol import (
    Accept,
    CallEnded,
    CallStarted,
    Chat,
    ChatMessage,
    CitizenInfo,
    Error,
    Hangup,
    Hello,
    JoinQueue,
    Message,
    Offer,
    Presence,
    Queued,
    QueueSnapshot,
    SetState,
    Welcome,
    WorkOrderClosed,
    WrapUp,
    decode,
    encode,
)

M = TypeVar("M")

SI = "social_insurance"
HF = "housing_fund"
#: Items used by the tests (from seat_common/resources/catalog.json).
SI_ITEM = "SI-UNEMP-QUERY"  # social_insurance, every channel
HF_ITEM = "HF-RENT-WITHDRAW"  # housing_fund, web and miniprogram only


class Client:
    """One websocket connection speaking protocol v1, with a record of what arrived."""

    def __init__(self, ws: ClientConnection, label: str) -> None:
        self.ws = ws
        self.label = label
        self.role = ""
        self.received: list[Message] = []

    async def send(self, message: Message) -> None:
        await self.ws.send(encode(message))

    async def send_raw(self, data: str | bytes) -> None:
        await self.ws.send(data)

    async def recv(self, within: float = 3.0) -> Message:
        frame = await asyncio.wait_for(self.ws.recv(), within)
        message = decode(frame)
        self.received.append(message)
        return message

    async def expect(
        self,
        cls: type[M],
        where: Callable[[M], bool] = lambda m: True,
        within: float = 3.0,
    ) -> M:
        """The next message of type ``cls`` matching ``where``; others are skipped."""
        deadline = time.monotonic() + within
        skipped: list[Message] = []
        while True:
            left = deadline - time.monotonic()
            try:
                message = await self.recv(max(left, 0.001))
            except TimeoutError:
                raise AssertionError(
                    f"{self.label}: no {cls.__name__} within {within} s; got {skipped}"
                ) from None
            if isinstance(message, cls) and where(message):
                return message
            skipped.append(message)

    def last(self, cls: type[M]) -> M:
        """The last message of type ``cls`` received so far."""
        for message in reversed(self.received):
            if isinstance(message, cls):
                return message
        raise AssertionError(f"{self.label}: no {cls.__name__} received")

    async def expect_error(self, code: str, within: float = 3.0) -> Error:
        error = await self.expect(Error, within=within)
        assert error.code == code, f"{self.label}: expected {code}, got {error}"
        return error

    async def sync(self) -> list[Message]:
        """Round trip: everything the hub sent before its answer to a harmless request.

        A second ``Hello`` on a logged-in connection changes nothing and is
        always answered with ``Error(bad_state, of="hello")``.
        """
        await self.send(Hello(role=self.role or "citizen"))  # type: ignore[arg-type]
        before: list[Message] = []
        while True:
            message = await self.recv()
            if isinstance(message, Error) and message.of == "hello":
                assert message.code == "bad_state", message
                return before
            before.append(message)

    async def closed(self, within: float = 3.0) -> int | None:
        """Wait until the hub closes this connection; the close code."""
        try:
            async with asyncio.timeout(within):
                while True:
                    await self.ws.recv()
        except ConnectionClosed:
            pass
        return self.ws.close_code

    async def hello(self, role: str, token: str = "", name: str = "") -> Welcome:
        await self.send(Hello(role=role, token=token, name=name))  # type: ignore[arg-type]
        welcome = await self.expect(Welcome)
        self.role = role
        return welcome

    async def ready(self) -> Presence:
        await self.send(SetState(state="ready"))
        return await self.expect(Presence, lambda p: p.state == "ready")

    async def join(
        self,
        item_code: str = SI_ITEM,
        priority: str = "normal",
        channel: str = "web",
        large_text: bool = False,
        **citizen: Any,
    ) -> Queued:
        await self.send(
            JoinQueue(
                item_code=item_code,
                channel=channel,  # type: ignore[arg-type]
                priority=priority,  # type: ignore[arg-type]
                citizen=CitizenInfo(**citizen),
                large_text=large_text,
            )
        )
        return await self.expect(Queued)


class Clients:
    """Opens clients against a hub and closes them all at the end of the test."""

    def __init__(self) -> None:
        self.opened: list[Client] = []

    async def connect(self, url: str, label: str = "client") -> Client:
        ws = await connect(url, compression=None, max_size=2**21, open_timeout=5)
        client = Client(ws, label)
        self.opened.append(client)
        return client

    async def agent(self, hub: HubProcess, agent_id: str) -> Client:
        """An agent logged in (Welcome, Presence and QueueSnapshot consumed)."""
        client = await self.connect(hub.url, agent_id)
        await client.hello("agent", token=hub.tokens[agent_id])
        await client.expect(Presence)
        await client.expect(QueueSnapshot)
        return client

    async def citizen(
        self, hub: HubProcess, label: str = "citizen", role: str = "citizen"
    ) -> Client:
        client = await self.connect(hub.url, label)
        await client.hello(role, name=label)
        return client

    async def kiosk(self, hub: HubProcess, device_id: str = "K-SHATIAN-01") -> Client:
        """A kiosk logged in with its device id and token."""
        client = await self.connect(hub.url, device_id)
        login = hub.kiosk_login(device_id)
        await client.send(login.hello(device_id))
        await client.expect(Welcome)
        client.role = "kiosk"
        return client

    async def close_all(self) -> None:
        for client in self.opened:
            await client.ws.close()


@dataclass(frozen=True, slots=True)
class DrivenCall:
    """A call driven by ``a_call_in_chat``, ``a_resolved_call`` or the cluster tests'
    ``call_across``: its parties (still connected) and ids."""

    citizen: Client
    agent: Client
    work_order_id: str
    call_id: str


async def a_call_in_chat(hub: HubProcess, clients: Clients, text: str, agent_id: str = "a1",
                         **citizen_info: str) -> DrivenCall:
    """王小明 (and ``citizen_info``) queues, the agent ``agent_id`` goes ready and answers,
    and the citizen's chat line ``text`` reaches both sides; the call goes on."""
    agent = await clients.agent(hub, agent_id)
    await agent.ready()
    citizen = await clients.citizen(hub, "王小明")
    queued = await citizen.join(name="王小明", **citizen_info)
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    call_id = (await citizen.expect(CallStarted)).call_id
    await agent.expect(CallStarted)
    await citizen.send(Chat(call_id=call_id, text=text))
    for party in (citizen, agent):
        await party.expect(ChatMessage)
    return DrivenCall(citizen, agent, queued.work_order_id, call_id)


async def a_resolved_call(hub: HubProcess, clients: Clients, agent_id: str = "a1") -> DrivenCall:
    """One whole call through ``hub``: 王小明 (with an id number and a phone) is answered
    by ``agent_id``, writes 我想查失业保险, hangs up, and the agent wraps up as resolved
    (已解答)."""
    call = await a_call_in_chat(hub, clients, "我想查失业保险", agent_id,
                                id_number="441900199001011234", phone="13800138000")
    citizen, agent, call_id = call.citizen, call.agent, call.call_id
    await citizen.send(Hangup(call_id=call_id))
    for party in (citizen, agent):
        await party.expect(CallEnded)
    assert (await agent.expect(Presence)).state == "wrap_up"
    await agent.send(WrapUp(work_order_id=call.work_order_id, outcome="resolved", notes="已解答"))
    assert (await agent.expect(WorkOrderClosed)).outcome == "resolved"
    return call


def agent_seat(agent_id: str, *skills: str, mode: str = "video") -> SeatSpec:
    return SeatSpec(
        agent_id=agent_id,
        name=f"坐席{agent_id}",
        role="agent",
        skills=skills or (SI,),
        hall="东莞市民服务中心",
        mode=mode,  # type: ignore[arg-type]
    )


def db_rows(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    db = sqlite3.connect(path, timeout=5)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(sql, params)]
    finally:
        db.close()


async def wait_for_rows(
    path: Path,
    sql: str,
    params: tuple[Any, ...],
    ok: Callable[[list[dict[str, Any]]], bool],
    within: float = 3.0,
) -> list[dict[str, Any]]:
    """Poll the ledger file until ``ok(rows)`` (writes the hub does not wait for)."""
    deadline = time.monotonic() + within
    while True:
        rows = db_rows(path, sql, params)
        if ok(rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"ledger never satisfied the check; last rows: {rows}")
        await asyncio.sleep(0.02)
