"""The agent's call session under relay-only, against a real coturn: credentials that
expired or were made with the wrong secret get no relay (coturn refuses them), and the
session fails saying so instead of waiting on a call that cannot connect. A hub that
welcomes with ICE servers that break the protocol is a refused login with the reason.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest
from aiortc import RTCPeerConnection
from aiortc.mediastreams import VideoStreamTrack
from websockets.asyncio.server import ServerConnection, serve

from sandbox.turn_process import TurnProcess
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.session import CallPhase, CallSession
from seat_client.call.workstation import Notice, Workstation
from seat_common import protocol
from seat_common.media import ice_policy
from seat_common.media.ice_policy import IceConfig
from seat_hub.connections.ice_servers import turn_rest_credentials


@pytest.fixture(scope="module")
def turn() -> Iterator[TurnProcess]:
    with TurnProcess() as process:
        yield process


def relay_config(turn: TurnProcess, secret: str, party: str, expires_at: int) -> IceConfig:
    username, credential = turn_rest_credentials(secret.encode(), party, expires_at)
    return IceConfig((protocol.IceServer(turn.url, username, credential),), "relay")


async def citizen_offer(config: IceConfig) -> tuple[RTCPeerConnection, str]:
    ice_policy.apply_from_environment()
    pc = RTCPeerConnection(config.rtc_configuration())
    pc.addTrack(VideoStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def answer_with(
    config: IceConfig, offer: str
) -> tuple[CallSession, list[protocol.Message]]:
    sent: list[protocol.Message] = []

    async def send(message: protocol.Message) -> None:
        sent.append(message)

    session = CallSession("call-1", "video", send, ice=config)
    await session.handle_sdp(protocol.Sdp("call-1", "offer", offer))
    return session, sent


async def test_good_credentials_answer_with_relay_candidates_only(turn: TurnProcess) -> None:
    later = int(time.time()) + 600
    pc, offer = await citizen_offer(relay_config(turn, turn.secret, "citizen-ok", later))
    session, sent = await answer_with(relay_config(turn, turn.secret, "agent-ok", later), offer)
    try:
        assert [type(m) for m in sent] == [protocol.Sdp]
        assert ice_policy.candidate_types(session.local_sdp) == {"relay"}
        assert session.phase is not CallPhase.FAILED
        assert turn.allocations("agent-ok") == 1
    finally:
        await session.close()
        await pc.close()


@pytest.mark.parametrize(("secret", "expires_in"), [
    ("not-the-relays-secret", 600),  # the wrong secret
    ("", -60),  # the right secret, but the credentials expired a minute ago
], ids=["wrong-secret", "expired"])
async def test_refused_credentials_fail_the_call_with_the_reason(
    turn: TurnProcess, secret: str, expires_in: int,
) -> None:
    party = f"agent-{'wrong' if secret else 'expired'}"
    now = int(time.time())
    pc, offer = await citizen_offer(relay_config(turn, turn.secret, "citizen", now + 600))
    phases: list[CallPhase] = []
    config = relay_config(turn, secret or turn.secret, party, now + expires_in)
    sent: list[protocol.Message] = []

    async def send(message: protocol.Message) -> None:
        sent.append(message)

    session = CallSession("call-1", "video", send, ice=config)
    session.phase_changed.connect(phases.append)
    try:
        await session.handle_sdp(protocol.Sdp("call-1", "offer", offer))
        assert phases == [CallPhase.FAILED]
        assert "no TURN relay" in session.failure
        assert sent == [], "no answer offering other addresses went out"
        # coturn writes its log line a moment after it answered: read until it is there.
        deadline = time.monotonic() + 30
        while turn.refusals(party) < 1:
            assert time.monotonic() < deadline, turn.log_text()[-2000:]
            await asyncio.sleep(0.1)
        assert turn.allocations(party) == 0
    finally:
        await session.close()
        await pc.close()


async def test_a_welcome_with_bad_ice_servers_is_a_refused_login_with_the_reason() -> None:
    async def bad_hub(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.send(json.dumps({"v": 1, "type": "welcome", "session_id": "s1", "role": "agent",
                                  "ice_servers": [{"url": "http://relay"}]}))
        await ws.wait_closed()

    async with serve(bad_hub, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        link = HubLink(f"ws://127.0.0.1:{port}", lambda: protocol.Hello(role="agent", token="t"))
        workstation = Workstation(link)
        notices: list[Notice] = []
        workstation.notice.connect(notices.append)
        link.start()
        for _ in range(500):
            if link.state is LinkState.REFUSED:
                break
            await asyncio.sleep(0.02)
        assert link.state is LinkState.REFUSED
        assert notices and "ice_servers[0].url" in notices[0].text
        assert "welcome is malformed" in notices[0].text
        await workstation.close()


async def test_the_workstation_tells_the_agent_when_the_relay_refuses_the_call(
    turn: TurnProcess,
) -> None:
    """The hub's part is played by a stand-in that welcomes the agent with credentials
    coturn refuses and starts a call whose citizen got a relay."""
    now = int(time.time())
    pc, offer = await citizen_offer(relay_config(turn, turn.secret, "citizen", now + 600))
    refused = relay_config(turn, "not-the-relays-secret", "agent-told", now + 600)
    started = protocol.CallStarted("call-1", "WO-1", "callee", "吴", "SI-UNEMP-QUERY",
                                   "失业保险", "web", "video")

    async def stand_in_hub(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.send(protocol.encode(protocol.Welcome(
            "s1", "agent", agent_id="0012", ice_servers=refused.servers, ice_policy="relay")))
        await ws.send(protocol.encode(started))
        await ws.send(protocol.encode(protocol.Sdp("call-1", "offer", offer)))
        await ws.wait_closed()

    async with serve(stand_in_hub, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        link = HubLink(f"ws://127.0.0.1:{port}", lambda: protocol.Hello(role="agent", token="t"))
        workstation = Workstation(link)
        notices: list[Notice] = []
        workstation.notice.connect(notices.append)
        link.start()
        try:
            for _ in range(500):
                if notices:
                    break
                await asyncio.sleep(0.02)
            assert [n.code for n in notices] == ["media_failed"]
            assert "no TURN relay" in notices[0].text
            assert workstation.call is not None
            assert workstation.call.session.phase is CallPhase.FAILED
        finally:
            await workstation.close()
            await pc.close()
