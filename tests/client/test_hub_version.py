"""A hub that speaks a newer protocol major is refused for good with a Chinese message to
upgrade the workstation; and this PC's own ICE rule (``ice_policy = relay``) holds over the
hub's. The hub is a stand-in websocket server that answers the login as a newer or
differently configured hub would."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Notice, Workstation
from seat_common import protocol
from seat_common.version import VERSION

TURN = {"url": "turn:127.0.0.1:3478?transport=udp", "username": "1:0012", "credential": "x"}


@asynccontextmanager
async def stand_in_hub(reply: dict[str, Any]) -> AsyncIterator[str]:
    async def hub(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.send(json.dumps(reply))
        await ws.wait_closed()

    async with serve(hub, "127.0.0.1", 0) as server:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def until_state(link: HubLink, wanted: Callable[[LinkState], bool]) -> None:
    reached = asyncio.Event()
    link.state_changed.connect(lambda state: reached.set() if wanted(state) else None)
    if not wanted(link.state):
        await asyncio.wait_for(reached.wait(), 30)


def welcome(v: int = 1, **fields: Any) -> dict[str, Any]:
    return {"v": v, "type": "welcome", "session_id": "s1", "role": "agent", "agent_id": "0012",
            **fields}


async def test_a_hub_speaking_a_newer_protocol_is_refused_with_a_message_to_upgrade() -> None:
    for reply in (welcome(v=2, hub_feature="x"),
                  {"v": 2, "type": "error", "code": "unsupported_version", "message": "v2 only"}):
        async with stand_in_hub(reply) as url:
            link = HubLink(url, lambda: protocol.Hello(role="agent", token="t"))
            workstation = Workstation(link)
            notices: list[Notice] = []
            workstation.notice.connect(notices.append)
            link.start()
            try:
                await until_state(link, lambda s: s is LinkState.REFUSED)
            finally:
                await workstation.close()
        assert link.refusal is not None
        assert link.refusal.code == "unsupported_version"
        assert [n.code for n in notices] == ["unsupported_version"]
        text = notices[0].text
        assert "集线器使用更新的协议版本 2" in text
        assert f"本工作台（Seat {VERSION}）只支持协议版本 1" in text
        assert "请升级坐席工作台" in text


async def test_a_hub_speaking_our_protocol_is_not_taken_for_a_newer_one() -> None:
    async with stand_in_hub(welcome()) as url:
        link = HubLink(url, lambda: protocol.Hello(role="agent", token="t"))
        workstation = Workstation(link)
        link.start()
        try:
            await until_state(link, lambda s: s is LinkState.CONNECTED)
            assert link.refusal is None
        finally:
            await workstation.close()


async def test_this_pcs_relay_only_rule_holds_over_the_hubs_policy() -> None:
    async with stand_in_hub(welcome(ice_servers=[TURN], ice_policy="all")) as url:
        link = HubLink(url, lambda: protocol.Hello(role="agent", token="t"))
        workstation = Workstation(link)
        workstation.ice_policy = "relay"
        link.start()
        try:
            await until_state(link, lambda s: s is LinkState.CONNECTED)
            assert workstation.ice.relay_only
            assert [s.url for s in workstation.ice.servers] == [TURN["url"]]
        finally:
            await workstation.close()


async def test_relay_only_without_a_turn_server_from_the_hub_says_whose_rule_it_is() -> None:
    async with stand_in_hub(welcome()) as url:
        link = HubLink(url, lambda: protocol.Hello(role="agent", token="t"))
        workstation = Workstation(link)
        workstation.ice_policy = "relay"
        notices: list[Notice] = []
        workstation.notice.connect(notices.append)
        link.start()
        try:
            await until_state(link, lambda s: s is LinkState.CONNECTED)
        finally:
            await workstation.close()
    assert workstation.ice.relay_only  # no direct path leaves, even so
    assert [n.code for n in notices] == ["bad_ice_config"]
    assert "this PC's ice_policy = relay" in notices[0].text
    assert "without a TURN server" in notices[0].text
