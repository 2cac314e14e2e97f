"""Media can be kept on chosen interfaces: the peer offers exactly those host candidates."""

from __future__ import annotations

import re

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import VideoStreamTrack

from seat_common import ice_policy


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
