"""The player's queue between its decoder and its sound output reads the sound as a timeline
(what lies before the playing position is skipped, a gap in the track plays as silence, a
read can stop mid-chunk and go on), forgets everything on a seek (the decoder's late items
of the old position are refused), and holds only so much ahead."""

from __future__ import annotations

from PyQt6.QtGui import QImage

from ui.recording.decoded_media import DecodedMedia, PcmLayout

MONO_16 = PcmLayout(rate=1000, channels=1, sample_bytes=2, av_format="s16", av_layout="mono")


def pcm(*values: int) -> bytes:
    return b"".join(v.to_bytes(2, "little", signed=True) for v in values)


def test_the_sound_reads_as_a_timeline_trimmed_gap_filled_and_resumable() -> None:
    media = DecodedMedia(MONO_16)
    generation = media.seek(0.002)
    media.put_sound(generation, 0.0, pcm(1, 2, 3, 4))  # 0–4 ms: the first 2 ms are past
    media.put_sound(generation, 0.006, pcm(7, 8))  # 4–6 ms missing from the track
    assert media.read_sound(0.002, 6) == pcm(3, 4, 0)  # stops mid-gap
    assert media.read_sound(0.005, 100) == pcm(0, 7, 8)
    assert media.read_sound(0.008, 100) == b"" and not media.sound_done()
    media.end_sound(generation)
    assert media.sound_done() and media.drained() is False  # the picture lane goes on
    media.end_pictures(generation)
    assert media.drained() and media.end_time() == 0.008


def test_a_seek_forgets_the_queue_and_refuses_what_the_decoder_made_before_it() -> None:
    media = DecodedMedia(MONO_16, sound_ahead_s=0.004, pictures_ahead=2)
    old = media.seek(0.0)
    media.put_sound(old, 0.0, pcm(1, 2, 3, 4))
    assert not media.wants_sound(old), "4 ms queued: as far ahead as allowed"
    assert media.put_picture(old, 0.0, QImage(4, 4, QImage.Format.Format_RGB32))
    assert not media.put_picture(old, 0.1, QImage(4, 4, QImage.Format.Format_RGB32))
    assert not media.wants_picture(old)
    new = media.seek(5.0)
    assert media.orders().seek_to == 5.0 and media.orders().seek_to is None  # given once
    media.put_sound(old, 0.004, pcm(9))  # late: from before the seek
    assert media.put_picture(old, 0.2, QImage(4, 4, QImage.Format.Format_RGB32)) is False
    assert media.sound_queued_s() == 0.0 and media.take_first_picture() is None
    assert media.wants_sound(new) and media.wants_picture(new) and not media.wants_sound(old)
    assert media.put_picture(new, 5.0, QImage(4, 4, QImage.Format.Format_RGB32)), "first after it"
    media.put_picture(new, 5.04, QImage(4, 4, QImage.Format.Format_RGB32))
    due = media.take_picture(5.05)
    assert due is not None and due[0] == 5.04, "the newest picture due; the older dropped"


def test_without_a_speaker_no_sound_is_queued() -> None:
    media = DecodedMedia(None)
    generation = media.seek(0.0)
    media.put_sound(generation, 0.0, b"\x01\x00")
    assert media.sound_done() and not media.wants_sound(generation)
    assert media.read_sound(0.0, 100) == b""
