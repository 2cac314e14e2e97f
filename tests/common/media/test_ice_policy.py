"""Media can be kept on chosen interfaces (the peer offers exactly those host candidates),
and the ICE servers and policy of the hub's welcome are checked and followed."""

from __future__ import annotations

import json
import re

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import VideoStreamTrack
from aiortc.rtcconfiguration import RTCIceTransportPolicy

from seat_common import protocol
from seat_common.media import ice_policy


async def offered_addresses() -> set[str]:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(VideoStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return set(re.findall(r"a=candidate:\S+ \d \S+ \d+ (\S+) \d+ typ host", sdp))


async def test_loopback_only_offers_only_loopback() -> None:
    try:
        ice_policy.restrict_host_addresses(["127.0.0.1"])
        assert await offered_addresses() == {"127.0.0.1"}
    finally:
        ice_policy.restrict_host_addresses([])


def test_environment_is_checked_where_it_enters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ice_policy.ENV, "127.0.0.1, not-an-ip")
    with pytest.raises(ice_policy.IcePolicyError, match="not-an-ip"):
        ice_policy.apply_from_environment()
    assert ice_policy.parse_addresses(" 127.0.0.1 ,::1,") == ("127.0.0.1", "::1")


# --- the ICE servers and policy from the hub's welcome ---------------------------------

TURN = "turn:127.0.0.1:3478?transport=udp"


def welcome_text(servers: list[dict[str, str]], policy: str = "relay") -> str:
    return json.dumps({"v": 1, "type": "welcome", "session_id": "s1", "role": "citizen",
                       "ice_servers": servers, "ice_policy": policy})


def test_a_welcome_with_turn_servers_and_the_relay_policy_is_taken() -> None:
    welcome = protocol.decode(welcome_text(
        [{"url": "stun:stun.example.gov.cn"},
         {"url": TURN, "username": "1800000000:s1", "credential": "c2VjcmV0"}]))
    assert isinstance(welcome, protocol.Welcome)
    config = ice_policy.IceConfig.from_welcome(welcome)
    assert config.relay_only
    rtc = config.rtc_configuration()
    assert rtc.iceTransportPolicy is RTCIceTransportPolicy.RELAY
    assert rtc.iceServers is not None
    assert [(s.urls, s.username) for s in rtc.iceServers] == [
        ("stun:stun.example.gov.cn", None), (TURN, "1800000000:s1")]


@pytest.mark.parametrize(("servers", "policy", "field", "says"), [
    ([{"url": "http://relay.example"}], "all", "ice_servers[0].url", "stun:, stuns:, turn:"),
    ([{"url": "turn:relay?transport=sctp", "username": "u", "credential": "c"}], "all",
     "ice_servers[0].url", "turns: URL"),
    ([{"url": "stun:relay?transport=udp"}], "all", "ice_servers[0].url", "turns: URL"),
    ([{"url": TURN}], "all", "ice_servers[0].username", "needs a username and a credential"),
    ([{"url": "stun:relay"}], "relay", "ice_servers", "needs at least one TURN server"),
    ([], "sometimes", "ice_policy", "must be one of"),
])
def test_a_bad_ice_configuration_from_the_hub_is_refused_naming_the_field(
    servers: list[dict[str, str]], policy: str, field: str, says: str,
) -> None:
    with pytest.raises(protocol.ProtocolError, match=re.escape(says)) as refused:
        protocol.decode(welcome_text(servers, policy))
    assert refused.value.field == field


def test_servers_aiortc_cannot_use_are_a_clear_error_and_gather_nothing() -> None:
    # Well-formed on the wire, but aiortc 1.16 parses no IPv6 literal.
    config = ice_policy.IceConfig((protocol.IceServer("turn:[::1]:3478", "u", "c"),), "relay")
    with pytest.raises(ice_policy.IceConfigError, match="malformed uri"):
        config.rtc_configuration()
    rtc, problem = config.peer_configuration()
    assert "turn:[::1]:3478" in problem
    assert rtc.iceServers == [] and rtc.iceTransportPolicy is RTCIceTransportPolicy.RELAY


def test_a_relay_only_peer_without_a_relay_candidate_fails_clearly() -> None:
    relay = ice_policy.IceConfig(
        (protocol.IceServer(TURN, "1800000000:s1", "c2VjcmV0"),), "relay")
    host = "a=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\r\n"
    relayed = "a=candidate:2 1 udp 16777215 127.0.0.1 6000 typ relay raddr 0.0.0.0 rport 0\r\n"
    relay.check_gathered(relayed)
    with pytest.raises(ice_policy.IceConfigError, match="no TURN relay"):
        relay.check_gathered("v=0\r\n")
    with pytest.raises(ice_policy.IceConfigError, match="offered \\['host'\\]"):
        relay.check_gathered(relayed + host)
    ice_policy.IceConfig().check_gathered(host)  # policy "all": anything goes
    assert ice_policy.candidate_types(relayed + host) == {"relay", "host"}
