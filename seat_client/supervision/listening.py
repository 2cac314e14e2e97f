"""What the supervisor hears of a watched call: the call's voices on their speaker, at a volume.

``WatchListening`` follows a ``WatchViewer``: while a watch is open and listening is not
muted, each frame of the call's mixed voices (citizen and agent) goes to the seat's
speaker (``SeatMedia.hear``), scaled to the chosen ``volume``. Muting, and the watch
ending, drop what is still waiting to be played (``stop_hearing``), so the speaker falls
silent at once instead of playing out its buffer; frames the viewer still hands over
after the watch ended are not played.

The mute lasts one watch (the next watch is heard: a supervisor who opens a watch means
to follow it); the volume stays for the session. The viewer's level meter is not
affected: the supervisor still sees that people are talking.
"""

from __future__ import annotations

import av
import numpy as np

from seat_client.media.devices import SeatMedia
from seat_client.supervision.watch_viewer import WatchViewer
from seat_common import protocol


def scaled(frame: av.AudioFrame, gain: float) -> av.AudioFrame:
    """``frame`` with its samples multiplied by ``gain`` (clipped to full scale)."""
    if gain == 1.0:
        return frame
    samples = frame.to_ndarray()
    if samples.dtype == np.int16:
        louder = np.clip(np.rint(samples * gain), -32768, 32767).astype(np.int16)
    else:
        louder = np.clip(samples * gain, -1.0, 1.0).astype(samples.dtype)
    out = av.AudioFrame.from_ndarray(louder, format=frame.format.name,
                                     layout=frame.layout.name)
    out.sample_rate = frame.sample_rate
    out.pts = frame.pts
    if frame.time_base is not None:
        out.time_base = frame.time_base
    return out


class WatchListening:
    """Plays a ``WatchViewer``'s voices on ``media``'s speaker (see the module docstring).

    ``volume`` is 0–1, heard as ``volume²`` of the amplitude: the middle of a volume
    slider then sounds about half as loud, as people expect of one.
    """

    def __init__(self, viewer: WatchViewer, media: SeatMedia) -> None:
        self._viewer = viewer
        self._media = media
        self.muted = False
        self.volume = 1.0
        self.frames_played = 0
        self._unsubscribe = (viewer.audio_arrived.connect(self._on_viewer_audio),
                             viewer.state_changed.connect(self._on_viewer_state))

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if muted:
            self._media.stop_hearing()

    def set_volume(self, volume: float) -> None:
        self.volume = min(1.0, max(0.0, volume))

    def close(self) -> None:
        """Stop following the viewer; nothing more is played."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._media.stop_hearing()

    def _on_viewer_audio(self, frame: av.AudioFrame) -> None:
        if self.muted or self._viewer.state is None:
            return
        self._media.hear(scaled(frame, self.volume**2))
        self.frames_played += 1

    def _on_viewer_state(self, state: protocol.WatchState | None) -> None:
        if state is None:
            self._media.stop_hearing()
            self.muted = False
