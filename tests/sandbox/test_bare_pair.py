"""The call benchmark's baseline: a bare in-process aiortc pair gives plausible figures."""

from __future__ import annotations

import math

from sandbox.bare_pair import measure_bare_pair, negotiated_video_codec, percentile


async def test_bare_pair_vp8_640x480_is_realtime() -> None:
    figures = await measure_bare_pair(640, 480, 3.0, "VP8", warmup_s=1.0)
    assert figures["fps"] > 20
    assert 0 < figures["latency_ms_p50"] < 200
    assert figures["latency_ms_p50"] <= figures["latency_ms_p99"] < 1000
    assert 0 < figures["cpu_percent"] < 200
    assert figures["unreadable_frames"] <= 0.1 * figures["frames"]


def test_percentile_interpolates_and_handles_edges() -> None:
    assert percentile([10.0, 20.0, 30.0, 40.0, 50.0], 50) == 30.0
    assert percentile([10.0, 20.0], 50) == 15.0
    assert percentile([7.0], 99) == 7.0
    assert percentile(list(map(float, range(1, 101))), 99) == 99.01
    assert math.isnan(percentile([], 50))


def test_negotiated_codec_is_the_first_video_payload_type() -> None:
    sdp = (
        "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 102 97\r\na=rtpmap:97 VP8/90000\r\n"
        "a=rtpmap:102 H264/90000\r\n"
    )
    assert negotiated_video_codec(sdp) == "H264"
    assert negotiated_video_codec("v=0\r\n") == ""
