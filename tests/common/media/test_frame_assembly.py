"""Video frames reach the decoder at their marker packet, whole, and never with a hole;
audio packets reach it as they arrive.

Recorded packet sequences go through ``MarkerJitterBuffer`` as aiortc's receiver would feed
it (one ``add`` per packet, the depayloaded bytes on ``packet._data``): in order, a lost
middle packet, a lost marker packet, reordered, duplicated, retransmitted late, a sender
that never marks, and sequence numbers wrapping at 65535. aiortc's own buffer runs beside
it on the same sequence, to show what it would have done. Audio packets go through
``PromptAudioBuffer`` the same way: in order, reordered, lost, duplicated, wrapping.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from aiortc import RTCPeerConnection
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from seat_common.media.frame_assembly import (
    AIORTC_VERSION,
    RECEIVER_BUFFER,
    MarkerJitterBuffer,
    PromptAudioBuffer,
    install_frame_assembly,
    internals_problem,
)

#: A frame is three packets; frame n's packets carry b"n.0", b"n.1", b"n.2".
PACKETS_PER_FRAME = 3


def packet(seq: int, frame: int, part: int, *, marked: bool = True) -> RtpPacket:
    p = RtpPacket(payload_type=96, marker=int(marked and part == PACKETS_PER_FRAME - 1),
                  sequence_number=seq % 65536, timestamp=3000 * frame, ssrc=1)
    p._data = f"{frame}.{part}|".encode()  # type: ignore[attr-defined]  # aiortc's field
    return p


def frames(first_seq: int, count: int, *, marked: bool = True) -> list[RtpPacket]:
    return [packet(first_seq + f * PACKETS_PER_FRAME + part, f, part, marked=marked)
            for f in range(count) for part in range(PACKETS_PER_FRAME)]


def feed(buffer: JitterBuffer, packets: Iterable[RtpPacket]) -> list[tuple[int, str]]:
    """(index of the packet that released it, the frame's bytes) for each frame released."""
    released = []
    for index, p in enumerate(packets):
        _pli, frame = buffer.add(p)
        if frame is not None:
            released.append((index, frame.data.decode()))
    return released


def whole(frame: int) -> str:
    return "".join(f"{frame}.{part}|" for part in range(PACKETS_PER_FRAME))


def test_in_order_each_frame_leaves_at_its_marker_not_a_frame_later() -> None:
    packets = frames(100, 3)
    ours = feed(MarkerJitterBuffer(capacity=128, is_video=True), packets)
    assert ours == [(2, whole(0)), (5, whole(1)), (8, whole(2))]
    stock = feed(JitterBuffer(capacity=128, is_video=True), packets)
    assert stock == [(3, whole(0)), (6, whole(1))], "aiortc waits for the next frame"


def test_a_lost_middle_packet_holds_the_frame_until_it_is_retransmitted() -> None:
    packets = frames(100, 2)
    lost = packets.pop(1)  # frame 0, part 1
    buffer = MarkerJitterBuffer(capacity=128, is_video=True)
    assert feed(buffer, packets) == [], "never a frame with a hole"
    _pli, frame = buffer.add(lost)  # the NACK's retransmission
    assert frame is not None and frame.data.decode() == whole(0)
    _pli, frame = buffer.add(packets[-1])  # frame 1's marker again: a duplicate
    assert frame is not None and frame.data.decode() == whole(1)


def test_a_lost_marker_packet_holds_the_frame_and_the_next_one_behind_it() -> None:
    packets = frames(100, 2)
    lost = packets.pop(2)  # frame 0's marker
    buffer = MarkerJitterBuffer(capacity=128, is_video=True)
    assert feed(buffer, packets) == []
    _pli, frame = buffer.add(lost)
    assert frame is not None and frame.data.decode() == whole(0)
    # Frame 1 was complete all along: the next packet through releases it.
    _pli, frame = buffer.add(packet(106, 2, 0))
    assert frame is not None and frame.data.decode() == whole(1)


def test_reordered_packets_make_the_same_frames() -> None:
    packets = frames(100, 3)
    order = [0, 2, 1, 5, 4, 3, 7, 6, 8]
    released = feed(MarkerJitterBuffer(capacity=128, is_video=True), [packets[i] for i in order])
    assert [data for _, data in released] == [whole(0), whole(1), whole(2)]
    assert [index for index, _ in released] == [2, 5, 8], "each at the moment it was whole"


def test_duplicates_and_late_retransmissions_are_ignored() -> None:
    packets = frames(100, 2)
    buffer = MarkerJitterBuffer(capacity=128, is_video=True)
    stream = [packets[0], packets[0], packets[1], packets[2], packets[1], packets[2],
              packets[3], packets[4], packets[5]]
    assert [data for _, data in feed(buffer, stream)] == [whole(0), whole(1)]


def test_a_sender_that_never_marks_still_gets_its_frames_a_frame_late() -> None:
    packets = frames(100, 3, marked=False)
    released = feed(MarkerJitterBuffer(capacity=128, is_video=True), packets)
    assert released == [(3, whole(0)), (6, whole(1))]


def test_sequence_numbers_wrap_around() -> None:
    packets = frames(65533, 3)  # 65533 … 65535, 0 … 5
    released = feed(MarkerJitterBuffer(capacity=128, is_video=True), packets)
    assert released == [(2, whole(0)), (5, whole(1)), (8, whole(2))]


def test_a_hole_that_never_fills_ends_in_a_key_frame_request_not_a_broken_frame() -> None:
    buffer = MarkerJitterBuffer(capacity=16, is_video=True)
    packets = frames(100, 8)
    del packets[1]  # frame 0 never completes
    plis = []
    frames_out = []
    for p in packets:
        pli, frame = buffer.add(p)
        plis.append(pli)
        if frame is not None:
            frames_out.append(frame.data.decode())
    assert any(plis), "the buffer overflowed and asked for a key frame"
    assert whole(0) not in frames_out and all("0.0|" not in f for f in frames_out)
    assert frames_out and frames_out[-1] == whole(7)


def test_it_is_written_for_this_aiortc_and_its_internals_are_where_it_expects() -> None:
    """If this fails, aiortc changed: re-read its jitterbuffer.py and rtcrtpreceiver.py,
    then move AIORTC_VERSION with setup.cfg's pin."""
    assert internals_problem() == "", internals_problem()
    assert AIORTC_VERSION in open_setup_cfg()


def voice(seq: int) -> RtpPacket:
    """An Opus packet: one whole 20 ms frame, carrying its sequence number."""
    p = RtpPacket(payload_type=111, marker=0, sequence_number=seq % 65536,
                  timestamp=960 * seq, ssrc=2)
    p._data = f"{seq}|".encode()  # type: ignore[attr-defined]  # aiortc's field
    return p


def test_audio_packets_leave_as_they_arrive_not_four_packets_later() -> None:
    packets = [voice(seq) for seq in range(200, 206)]
    ours = feed(PromptAudioBuffer(capacity=16), packets)
    assert ours == [(i, f"{200 + i}|") for i in range(6)]
    stock = feed(JitterBuffer(capacity=16, prefetch=4), packets)
    assert stock == [(4, "200|"), (5, "201|")], "aiortc waits for four more"


def test_audio_late_lost_and_duplicate_packets() -> None:
    buffer = PromptAudioBuffer(capacity=16)
    stream = [voice(1), voice(3), voice(2), voice(3), voice(5), voice(4), voice(6)]
    released = [data for _, data in feed(buffer, stream)]
    # 2 came after 3 was played: too late. 4 likewise. The rest once each, in order.
    assert released == ["1|", "3|", "5|", "6|"]


def test_audio_sequence_numbers_wrap_and_a_long_gap_resets() -> None:
    buffer = PromptAudioBuffer(capacity=16)
    packets = [voice(s) for s in (65534, 65535, 65536, 65537)]  # 65536 is 0 on the wire
    released = [data for _, data in feed(buffer, packets)]
    assert released == ["65534|", "65535|", "65536|", "65537|"]
    _pli, frame = buffer.add(voice(40))  # 38 packets lost: more than the buffer holds
    assert frame is not None and frame.data.decode() == "40|"


async def test_it_installs_on_the_receivers_of_a_peer_connection() -> None:
    pc = RTCPeerConnection()
    try:
        pc.addTransceiver("video", direction="recvonly")
        pc.addTransceiver("audio", direction="recvonly")
        assert install_frame_assembly(pc) == 2
        kinds = {t.kind: type(getattr(t.receiver, RECEIVER_BUFFER)) for t in pc.getTransceivers()}
        assert kinds == {"video": MarkerJitterBuffer, "audio": PromptAudioBuffer}
        assert install_frame_assembly(pc) == 2, "installing twice changes nothing"
    finally:
        await pc.close()


def open_setup_cfg() -> str:
    from pathlib import Path

    return (Path(__file__).resolve().parents[3] / "setup.cfg").read_text(encoding="utf-8")


@pytest.mark.parametrize("capacity", [128, 512])
def test_long_runs_in_order_never_lose_a_frame(capacity: int) -> None:
    packets = frames(60000, 2000)  # wraps once on the way
    released = feed(MarkerJitterBuffer(capacity=capacity, is_video=True), packets)
    assert [data for _, data in released] == [whole(f) for f in range(2000)]
