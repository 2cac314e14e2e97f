"""Trickled ICE candidates (``seat_common.media.trickle``) between two real aiortc peers:
candidates that arrive before the remote description wait and reach the ICE
transport once it is set; bad ones are refused with the reason; a flood of early
ones is capped.
"""

from __future__ import annotations

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import VideoStreamTrack

from seat_common import protocol
from seat_common.media import ice_policy
from seat_common.media.trickle import TrickledCandidates, split_candidates


async def offer() -> tuple[RTCPeerConnection, str]:
    ice_policy.apply_from_environment()
    pc = RTCPeerConnection()
    pc.addTrack(VideoStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


def remote_candidates(pc: RTCPeerConnection) -> list[object]:
    transport = pc.getTransceivers()[0].receiver.transport.transport
    return list(transport.getRemoteCandidates())


async def test_candidates_before_the_offer_reach_the_ice_transport_once_it_is_set() -> None:
    caller, sdp = await offer()
    answerer = RTCPeerConnection()
    try:
        bare, trickled = split_candidates(sdp, "call-1")
        assert "a=candidate" not in bare and trickled[-1].candidate == ""
        candidates = TrickledCandidates(answerer)
        for ice in trickled:
            await candidates.add(ice)
        assert candidates.waiting == len(trickled) - 1 == candidates.kept
        await answerer.setRemoteDescription(RTCSessionDescription(bare, "offer"))
        assert remote_candidates(answerer) == []
        await candidates.remote_description_set()
        assert candidates.waiting == 0
        assert candidates.applied == len(trickled) - 1
        assert len(remote_candidates(answerer)) == len(trickled) - 1
        # Later ones go straight in.
        await candidates.add(trickled[0])
        assert candidates.applied == len(trickled)
    finally:
        await caller.close()
        await answerer.close()


async def test_a_candidate_that_does_not_parse_is_refused_with_the_reason() -> None:
    caller, sdp = await offer()
    answerer = RTCPeerConnection()
    refused: list[str] = []
    try:
        await answerer.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        candidates = TrickledCandidates(answerer, on_refused=refused.append)
        await candidates.remote_description_set()
        await candidates.add(protocol.Ice("call-1", "candidate:not a candidate", "0", 0))
        assert candidates.applied == 0
        assert len(refused) == 1 and "not a candidate" in refused[0]
        assert candidates.refused == refused
    finally:
        await caller.close()
        await answerer.close()


async def test_early_candidates_beyond_the_limit_are_dropped_and_counted() -> None:
    answerer = RTCPeerConnection()
    try:
        candidates = TrickledCandidates(answerer, limit=2)
        line = "candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host"
        for port in range(3):
            await candidates.add(protocol.Ice("call-1", line.replace("40000", str(40000 + port))))
        assert (candidates.kept, candidates.dropped, candidates.waiting) == (2, 1, 2)
    finally:
        await answerer.close()
