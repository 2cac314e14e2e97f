"""What a camera and a microphone capture, as a call sends it (``seat_client.media.capture``).

The video track sends the newest frame stamped with its capture time, black frames when
turned off and when the camera goes quiet; the voice track sends 20 ms frames as samples
arrive, never more than a short backlog behind, silence in real time when the microphone
goes quiet. Frames are published from another thread, as a camera's would be.
"""

from __future__ import annotations

import asyncio
import threading
import time

import av
import numpy as np
import pytest

from seat_client.media.capture import (
    CAMERA_QUIET_S,
    MAX_BACKLOG_S,
    VOICE_FRAME,
    VOICE_RATE,
    CapturedVideoTrack,
    CapturedVoiceTrack,
    VideoFeed,
    VoiceFeed,
)


def picture(value: int, width: int = 64, height: int = 48) -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(np.full((height, width), value, np.uint8), format="gray")


async def test_the_newest_frame_goes_with_its_capture_time() -> None:
    feed = VideoFeed()
    track = CapturedVideoTrack(feed)
    feed.publish(picture(100), captured_at=10.0)
    first = await track.recv()
    feed.publish(picture(110), captured_at=10.5)
    feed.publish(picture(120), captured_at=11.0)  # the encoder was slow: 110 is skipped
    second = await track.recv()
    assert second.to_ndarray(format="gray")[0, 0] == 120
    assert first.pts == 0 and second.pts == 90_000, "one second later on the 90 kHz clock"
    assert track.latest is not None and track.latest.to_ndarray(format="gray")[0, 0] == 120
    track.stop()


async def test_a_frame_published_from_another_thread_wakes_the_track() -> None:
    feed = VideoFeed()
    track = CapturedVideoTrack(feed)
    feed.publish(picture(1))
    await track.recv()
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0.05)
    threading.Thread(target=feed.publish, args=(picture(200),)).start()
    frame = await asyncio.wait_for(waiting, CAMERA_QUIET_S * 0.9)
    assert frame.to_ndarray(format="gray")[0, 0] == 200, "the camera's frame, not an idle one"
    track.stop()


async def test_turned_off_it_sends_black_of_the_same_size() -> None:
    feed = VideoFeed()
    track = CapturedVideoTrack(feed)
    track.enabled = False
    feed.publish(picture(230, 320, 240))
    frame = await track.recv()
    assert (frame.width, frame.height) == (320, 240)
    assert frame.to_ndarray(format="gray").max() <= 20
    track.stop()


async def test_a_quiet_camera_gives_black_frames_that_keep_the_picture_alive() -> None:
    feed = VideoFeed()
    track = CapturedVideoTrack(feed)
    feed.publish(picture(230, 320, 240))
    await track.recv()
    began = time.monotonic()
    idle = [await track.recv() for _ in range(3)]
    assert time.monotonic() - began >= CAMERA_QUIET_S, "only after the camera is quiet a while"
    assert all(f.to_ndarray(format="gray").max() <= 20 for f in idle)
    stamps = [f.pts or 0 for f in idle]
    assert stamps == sorted(set(stamps)), "time keeps moving"
    assert track.latest is None, "the self view goes dark too"
    track.stop()


def say(feed: VoiceFeed, seconds: float, value: int = 1000) -> None:
    feed.publish(np.full(round(seconds * VOICE_RATE), value, np.int16))


async def test_the_voice_goes_in_20_ms_frames_numbered_by_sample() -> None:
    feed = VoiceFeed()
    track = CapturedVoiceTrack(feed)
    say(feed, 0.05)
    frames = [await track.recv() for _ in range(2)]
    assert [f.samples for f in frames] == [VOICE_FRAME, VOICE_FRAME]
    assert [f.pts for f in frames] == [0, VOICE_FRAME]
    assert frames[0].sample_rate == VOICE_RATE and frames[0].format.name == "s16"
    assert frames[0].to_ndarray()[0, 0] == 1000
    track.stop()


async def test_a_call_that_falls_behind_drops_the_oldest_not_the_newest() -> None:
    feed = VoiceFeed()
    track = CapturedVoiceTrack(feed)
    say(feed, 1.0, value=1)  # a second the call did not read (a stall)
    say(feed, 0.02, value=2)
    backlog = []
    while True:
        frame = await asyncio.wait_for(track.recv(), 1)
        backlog.append(frame)
        if frame.to_ndarray()[0, -1] == 2:
            break
    assert len(backlog) * VOICE_FRAME <= MAX_BACKLOG_S * VOICE_RATE, "at most the backlog"
    assert track.dropped >= VOICE_RATE * (1.0 - MAX_BACKLOG_S)
    track.stop()


async def test_a_quiet_microphone_sends_silence_in_real_time() -> None:
    feed = VoiceFeed()
    track = CapturedVoiceTrack(feed)
    began = time.monotonic()
    frames = [await track.recv() for _ in range(10)]
    took = time.monotonic() - began
    assert all(not f.to_ndarray().any() for f in frames)
    assert took >= 9 * VOICE_FRAME / VOICE_RATE, "paced like a microphone, not a burst"
    track.stop()


async def test_a_stopped_track_ends() -> None:
    from aiortc.mediastreams import MediaStreamError

    feed = VoiceFeed()
    track = CapturedVoiceTrack(feed)
    track.stop()
    with pytest.raises(MediaStreamError):
        await track.recv()
    say(feed, 0.1)  # a feed outlives its tracks: nobody reads, nothing grows
