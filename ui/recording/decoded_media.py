"""The hand-over between the player's decoder thread and its GUI thread: bounded, seekable.

``DecodedMedia`` holds what the decoder has made and the player has not yet
used: the sound as PCM in the sound output's format, each chunk with the time
of its first sample, and a few pictures ahead, each with its time. Both are
bounded (``sound_ahead_s`` of sound, ``pictures_ahead`` pictures), so the
decoder waits when it is far enough ahead and the memory stays small however
long the recording is.

A seek starts a new *generation*: the GUI thread empties both queues at once
and the decoder, which may still be putting items of the old position, has
them refused (each ``put_*`` names the generation it belongs to). The
decoder learns of seeks and of the end through ``orders`` and sleeps in
``wait_for_room``.

The sound is read as a timeline: ``read_sound(at, n)`` gives the bytes that
play from media time ``at`` on, trimming what lies before it and filling a
gap in the track with silence, so that byte *k* written to the sink is always
media time ``start + k / byte_rate``: the sound's position follows from the
bytes the sink has played.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from PyQt6.QtGui import QImage


@dataclass(frozen=True, slots=True)
class PcmLayout:
    """Interleaved PCM as the sound output takes it; ``av_format``/``av_layout`` for PyAV."""

    rate: int
    channels: int
    sample_bytes: int
    av_format: str  # e.g. "s16"
    av_layout: str  # e.g. "mono"

    @property
    def frame_bytes(self) -> int:
        return self.channels * self.sample_bytes

    @property
    def byte_rate(self) -> int:
        return self.rate * self.frame_bytes

    def bytes_for(self, seconds: float) -> int:
        """Whole sample frames lasting ``seconds`` (never negative)."""
        return max(0, round(seconds * self.rate)) * self.frame_bytes


@dataclass(slots=True)
class _Chunk:
    t: float  # media time of the first sample
    pcm: bytes


@dataclass(frozen=True, slots=True)
class Orders:
    """What the decoder is to do next: stop, or seek to ``seek_to`` for ``generation``."""

    generation: int
    seek_to: float | None
    closed: bool


class DecodedMedia:
    """Sound and pictures between the decoder thread and the GUI thread (thread-safe)."""

    def __init__(self, layout: PcmLayout | None, *, sound_ahead_s: float = 1.0,
                 pictures_ahead: int = 3) -> None:
        self.layout = layout  # None: the sound is not decoded (nothing to play it on)
        self._sound_ahead = layout.bytes_for(sound_ahead_s) if layout else 0
        self._pictures_ahead = pictures_ahead
        self._ready = threading.Condition()
        self._generation = 0
        self._seek_to: float | None = None
        self._closed = False
        self._sound: deque[_Chunk] = deque()
        self._sound_bytes = 0
        self._pictures: deque[tuple[float, QImage]] = deque()
        self._sound_on = layout is not None
        self._sound_done = not self._sound_on
        self._pictures_done = False
        self._sound_end = 0.0
        self._pictures_end = 0.0
        self._playhead = 0.0
        self._first_picture_pending = True

    # --- the GUI thread ---------------------------------------------------------

    def seek(self, t: float) -> int:
        """Forget everything queued; the decoder starts again at ``t``. Returns the generation."""
        with self._ready:
            self._generation += 1
            self._seek_to = t
            self._sound.clear()
            self._sound_bytes = 0
            self._pictures.clear()
            self._sound_done = not self._sound_on  # not decoded: done from the start
            self._pictures_done = False
            self._sound_end = self._pictures_end = t
            self._playhead = t
            self._first_picture_pending = True
            self._ready.notify_all()
            return self._generation

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    def stop_sound(self) -> None:
        """Decode no more sound (nothing plays it any more)."""
        with self._ready:
            self._sound_on = False
            self._sound_done = True
            self._sound.clear()
            self._sound_bytes = 0
            self._ready.notify_all()

    def sound_done(self) -> bool:
        """Whether the sound track has ended here (or is not decoded)."""
        with self._ready:
            return self._sound_done

    def set_playhead(self, t: float) -> None:
        """Where the picture is now: the decoder need not convert pictures already past."""
        with self._ready:
            self._playhead = t

    def take_picture(self, playhead: float) -> tuple[float, QImage] | None:
        """The newest picture due at ``playhead`` (older ones are dropped), if any."""
        newest = None
        with self._ready:
            while self._pictures and self._pictures[0][0] <= playhead:
                newest = self._pictures.popleft()
            if newest is not None:
                self._ready.notify_all()
        return newest

    def take_first_picture(self) -> tuple[float, QImage] | None:
        """The next picture whatever its time (the one to show after a seek)."""
        with self._ready:
            if not self._pictures:
                return None
            first = self._pictures.popleft()
            self._ready.notify_all()
            return first

    def sound_queued_s(self) -> float:
        """Seconds of sound waiting (0 without a sound layout)."""
        with self._ready:
            return self._sound_bytes / self.layout.byte_rate if self.layout else 0.0

    def read_sound(self, at: float, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` of what plays from media time ``at``: b"" when the decoder
        has nothing that far yet (or the track has ended)."""
        layout = self.layout
        if layout is None:
            return b""
        max_bytes -= max_bytes % layout.frame_bytes
        out = bytearray()
        with self._ready:
            while self._sound and len(out) < max_bytes:
                chunk = self._sound[0]
                gap = min(layout.bytes_for(chunk.t - at), max_bytes - len(out))
                if gap:  # a gap in the track: silence up to the chunk
                    out += bytes(gap)
                    at += gap / layout.byte_rate
                    continue
                start = layout.bytes_for(at - chunk.t)  # the part before ``at`` is past
                piece = chunk.pcm[start : start + max_bytes - len(out)]
                out += piece
                at += len(piece) / layout.byte_rate
                self._sound.popleft()
                self._sound_bytes -= len(chunk.pcm)
                rest = chunk.pcm[start + len(piece) :]
                if rest:
                    self._sound.appendleft(_Chunk(at, rest))
                    self._sound_bytes += len(rest)
            self._ready.notify_all()
        return bytes(out)

    def drained(self) -> bool:
        """At the end, with nothing left to show or play."""
        with self._ready:
            return (self._sound_done and self._pictures_done and not self._sound
                    and not self._pictures)

    def end_time(self) -> float:
        """The time of the last sample and the last picture decoded (the end, once
        ``drained``)."""
        with self._ready:
            return max(self._sound_end, self._pictures_end)

    # --- the decoder thread -----------------------------------------------------

    def orders(self) -> Orders:
        """The newest seek (taken: it is given once) and whether to stop."""
        with self._ready:
            seek_to, self._seek_to = self._seek_to, None
            return Orders(self._generation, seek_to, self._closed)

    def wants_sound(self, generation: int) -> bool:
        with self._ready:
            return (generation == self._generation and not self._sound_done
                    and self._sound_bytes < self._sound_ahead)

    def wants_picture(self, generation: int) -> bool:
        with self._ready:
            return (generation == self._generation and not self._pictures_done
                    and len(self._pictures) < self._pictures_ahead)

    def playhead(self) -> float:
        with self._ready:
            return self._playhead

    def put_sound(self, generation: int, t: float, pcm: bytes) -> None:
        with self._ready:
            if generation == self._generation and self._sound_on and pcm:
                self._sound.append(_Chunk(t, pcm))
                self._sound_bytes += len(pcm)
                if self.layout is not None:
                    self._sound_end = max(self._sound_end, t + len(pcm) / self.layout.byte_rate)

    def put_picture(self, generation: int, t: float, image: QImage) -> bool:
        """Queue a picture; True if it is the first of its generation (show it at once)."""
        with self._ready:
            if generation != self._generation:
                return False
            self._pictures.append((t, image))
            self._pictures_end = max(self._pictures_end, t)
            first, self._first_picture_pending = self._first_picture_pending, False
            return first

    def end_sound(self, generation: int) -> None:
        with self._ready:
            if generation == self._generation:
                self._sound_done = True

    def end_pictures(self, generation: int) -> None:
        with self._ready:
            if generation == self._generation:
                self._pictures_done = True

    def wait_for_room(self, generation: int, timeout: float = 0.5) -> None:
        """Sleep until a lane wants more, a seek or close comes, or ``timeout`` passes."""
        with self._ready:
            self._ready.wait_for(
                lambda: self._closed or self._seek_to is not None
                or generation != self._generation
                or (not self._sound_done and self._sound_bytes < self._sound_ahead)
                or (not self._pictures_done and len(self._pictures) < self._pictures_ahead),
                timeout,
            )
