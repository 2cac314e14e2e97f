"""What the supervisor hears of a watched call: only during the watch, at their volume, or
nothing at all when they mute it (and then at once, not after the buffered voice).

The viewer is a real ``WatchViewer`` fed the hub's messages; the speaker is a seat's
media that keeps what it was told to play (``SeatMedia``'s test implementation).
"""

from __future__ import annotations

import av
import numpy as np

from seat_client.media.devices import SyntheticMedia
from seat_client.supervision.listening import WatchListening, scaled
from seat_client.supervision.watch_viewer import WatchViewer
from seat_common import protocol


class KeptSpeaker(SyntheticMedia):
    """A seat's media whose speaker keeps what it plays, as a buffer would."""

    def __init__(self) -> None:
        self.buffered: list[av.AudioFrame] = []
        self.cleared = 0

    def hear(self, frame: av.AudioFrame) -> None:
        self.buffered.append(frame)

    def stop_hearing(self) -> None:
        self.buffered.clear()
        self.cleared += 1


def voice(amplitude: int = 8000) -> av.AudioFrame:
    """20 ms of the call's voices as aiortc decodes them (s16, stereo, 48 kHz)."""
    frame = av.AudioFrame.from_ndarray(np.full((1, 1920), amplitude, np.int16),
                                       format="s16", layout="stereo")
    frame.sample_rate = 48_000
    frame.pts = 0
    return frame


def peak(frame: av.AudioFrame) -> int:
    return int(np.abs(frame.to_ndarray().astype(np.int32)).max())


def watch_state(phase: protocol.WatchPhase, watch_id: str = "w1") -> protocol.WatchState:
    return protocol.WatchState(watch_id, "c1", "0012", "S01", "王督导", phase,
                               "stopped" if phase == "ended" else "")


async def _nothing_sent(message: protocol.Message) -> None:
    return None


def _parts() -> tuple[WatchViewer, KeptSpeaker, WatchListening]:
    viewer = WatchViewer(_nothing_sent)
    speaker = KeptSpeaker()
    return viewer, speaker, WatchListening(viewer, speaker)


async def test_the_call_is_heard_only_while_a_watch_is_open() -> None:
    viewer, speaker, listening = _parts()
    viewer.audio_arrived.emit(voice())
    assert speaker.buffered == [], "no watch, nothing played"
    viewer.apply(watch_state("watching"))
    viewer.audio_arrived.emit(voice())
    viewer.audio_arrived.emit(voice())
    assert len(speaker.buffered) == 2 and peak(speaker.buffered[0]) == 8000
    viewer.apply(watch_state("ended"))
    assert speaker.buffered == [], "what waited to be played is dropped when the watch ends"
    viewer.audio_arrived.emit(voice())  # a frame still on its way
    assert speaker.buffered == []
    await viewer.close()
    listening.close()


async def test_muting_silences_at_once_and_lasts_one_watch() -> None:
    viewer, speaker, listening = _parts()
    viewer.apply(watch_state("watching"))
    viewer.audio_arrived.emit(voice())
    listening.set_muted(True)
    assert speaker.buffered == [], "muting drops the buffered voice too"
    viewer.audio_arrived.emit(voice())
    assert speaker.buffered == [], "nothing more is played while muted"
    listening.set_muted(False)
    viewer.audio_arrived.emit(voice())
    assert len(speaker.buffered) == 1
    listening.set_muted(True)
    viewer.apply(watch_state("ended"))
    assert not listening.muted, "the next watch is heard"
    viewer.apply(watch_state("watching", "w2"))
    viewer.audio_arrived.emit(voice())
    assert len(speaker.buffered) == 1
    await viewer.close()
    listening.close()


async def test_the_volume_scales_what_is_played_and_stays_for_the_next_watch() -> None:
    viewer, speaker, listening = _parts()
    listening.set_volume(0.5)
    viewer.apply(watch_state("watching"))
    viewer.audio_arrived.emit(voice(8000))
    assert peak(speaker.buffered[-1]) == 2000, "half the slider is a quarter of the amplitude"
    listening.set_volume(0.0)
    viewer.audio_arrived.emit(voice(8000))
    assert peak(speaker.buffered[-1]) == 0
    listening.set_volume(7.0)
    assert listening.volume == 1.0, "the volume stays within 0–1"
    listening.set_volume(0.5)
    viewer.apply(watch_state("ended"))
    viewer.apply(watch_state("watching", "w2"))
    viewer.audio_arrived.emit(voice(8000))
    assert peak(speaker.buffered[-1]) == 2000
    await viewer.close()
    listening.close()
    viewer.audio_arrived.emit(voice())
    assert speaker.buffered == [], "closed: nothing more is played"


def test_scaling_keeps_the_frame_s_shape_and_clips_at_full_scale() -> None:
    frame = voice(30000)
    frame.pts = 960
    louder = scaled(frame, 2.0)
    assert peak(louder) == 32767
    assert (louder.samples, louder.sample_rate, louder.pts, louder.layout.name,
            louder.format.name) == (960, 48_000, 960, "stereo", "s16")
    planar = av.AudioFrame.from_ndarray(np.full((2, 960), 0.5, np.float32), format="fltp",
                                        layout="stereo")
    planar.sample_rate = 48_000
    assert float(scaled(planar, 0.5).to_ndarray().max()) == 0.25
    assert scaled(frame, 1.0) is frame
