"""Recording each call the hub marks recorded, and telling the hub where it is kept.

``RecordingDesk`` follows the workstation: when a call starts with
``call_started.recorded`` it starts a ``CallRecorder`` on
``<recordings>/<work_order_id>.mp4`` and taps the session's frames into it
(the citizen's camera and voice, and the agent's voice as sent). When the
call ends it finishes the file in an executor, adds it to the archive's
index and sends ``RecordingSaved``; the hub's ``Ack`` marks it reported. A
report the link could not carry is sent again when the link is back.

Once the hub acknowledged the report, ``uploader`` (``upload.RecordingUploader``) takes
the file to the hub's store and deletes it here when the hub confirms it.

Retention: ``start`` sweeps the archive once, then once a day.

A recording that fails (disk full, an encoder error) is reported through
``recording_failed`` as soon as it happens and the call goes on unrecorded;
nothing here raises into the call.

Events: ``recording_started`` (work order id), ``recording_saved``
(``ArchivedRecording``), ``recording_failed`` (``RecordingFailure``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from seat_client.call.hub_link import LinkState, NotConnectedError
from seat_client.call.session import CallSession
from seat_client.call.workstation import ActiveCall, Workstation
from seat_client.recording.archive import ArchivedRecording, RecordingArchive
from seat_client.recording.recorder import CallRecorder, RecorderTuning, Recording, RecordingError
from seat_client.recording.upload import RecordingUploader
from seat_common import protocol
from seat_common.events import Event
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)

DAY_S = 86_400.0
_FINISH = "recording-finish"


@dataclass(frozen=True, slots=True)
class RecordingFailure:
    """A call that could not be recorded (or saved), and why."""

    work_order_id: str
    reason: str


@dataclass
class _Taping:
    """The recording in progress: its recorder and how to unhook it from the session."""

    call: ActiveCall
    recorder: CallRecorder
    unsubscribe: list[Callable[[], None]]

    def unhook(self) -> None:
        for undo in self.unsubscribe:
            undo()
        self.unsubscribe.clear()


def _hooks(session: CallSession, recorder: CallRecorder) -> list[Callable[[], None]]:
    """Feed ``recorder`` from ``session``'s media; the unsubscribers."""
    return [
        session.remote_video.connect(recorder.add_video),
        session.remote_audio.connect(recorder.add_citizen_audio),
        session.microphone.sent.connect(recorder.add_agent_audio),
    ]


class RecordingDesk:
    """Records this workstation's calls into ``archive``."""

    def __init__(
        self,
        workstation: Workstation,
        archive: RecordingArchive,
        *,
        tuning: RecorderTuning | None = None,
        sweep_every_s: float = DAY_S,
        clock: Callable[[], float] = time.time,
        tasks: TaskOwner | None = None,
        upload: bool = True,
        upload_chunk_bytes: int = protocol.CHUNK_BYTES,
    ) -> None:
        self._workstation = workstation
        self.archive = archive
        self._tuning = tuning
        self._sweep_every_s = sweep_every_s
        self._upload = upload
        self._clock = clock
        self._taping: _Taping | None = None
        self._tasks = tasks or TaskOwner("recording")
        #: takes saved recordings to the hub's store
        self.uploader = RecordingUploader(workstation.link, archive,
                                          tasks=self._tasks.child("upload"),
                                          chunk_bytes=upload_chunk_bytes)
        self.recording_started: Event[str] = Event()
        self.recording_saved: Event[ArchivedRecording] = Event()
        self.recording_failed: Event[RecordingFailure] = Event()
        workstation.call_changed.connect(self._on_call_changed)
        workstation.media_renewed.connect(self._on_media_renewed)
        workstation.link.message.connect(self._on_message)
        workstation.link.state_changed.connect(self._on_link_state)

    @property
    def recording(self) -> str:
        """The work order being recorded now ("" when none)."""
        taping = self._taping
        if taping is None or taping.recorder.failed is not None:
            return ""
        return taping.call.work_order_id

    async def start(self) -> None:
        """Read the index and sweep once (then daily)."""
        await asyncio.to_thread(self.archive.load)
        await self.sweep()
        self._spawn(self._sweep_daily(), "recording-retention")
        if self._upload:
            self.uploader.start()

    async def sweep(self) -> None:
        """Delete recordings past retention (logged by the archive)."""
        try:
            deleted = await asyncio.to_thread(self.archive.sweep)
        except OSError:
            log.exception("recording retention sweep failed")
            return
        if deleted:
            log.info("retention: %d recording(s) deleted", len(deleted))

    async def close(self) -> None:
        """Finish a recording still running (quitting mid-call), stop background work."""
        taping, self._taping = self._taping, None
        if taping is not None:
            taping.unhook()
            await self._finish(taping)
        # A call that ended just before quitting is still being saved: let it finish.
        finishing = self._tasks.running(_FINISH)
        if finishing:
            await asyncio.wait(finishing, timeout=30)
        await self.uploader.close()
        await self._tasks.close()

    # --- following the call ----------------------------------------------------

    def _on_call_changed(self, call: ActiveCall | None) -> None:
        taping = self._taping
        if taping is not None and (call is None or call is not taping.call):
            self._taping = None
            taping.unhook()
            self._spawn(self._finish(taping), _FINISH)
        if call is not None and call.started.recorded and self._taping is None:
            self._begin(call)

    def _begin(self, call: ActiveCall) -> None:
        work_order_id = call.work_order_id
        try:
            path = self.archive.path_for(work_order_id)
        except ValueError as exc:
            self._fail(work_order_id, str(exc))
            return
        loop = asyncio.get_running_loop()

        def failed(exc: BaseException) -> None:  # on the recorder's thread
            loop.call_soon_threadsafe(self._on_recorder_failed, call, exc)

        recorder = CallRecorder(
            path, with_video=call.started.media == "video", tuning=self._tuning, on_failure=failed
        )
        session = call.session
        try:
            recorder.start()
        except RuntimeError as exc:  # no thread could be started
            self._fail(work_order_id, str(exc))
            return
        self._taping = _Taping(call, recorder, _hooks(session, recorder))
        log.info("recording %s to %s", work_order_id, path)
        self.recording_started.emit(work_order_id)

    def _on_media_renewed(self, call: ActiveCall) -> None:
        """The call's media was made afresh (a dropped link came back): tape the new one."""
        taping = self._taping
        if taping is not None and taping.call is call and taping.unsubscribe:
            taping.unhook()
            taping.unsubscribe.extend(_hooks(call.session, taping.recorder))

    def _on_recorder_failed(self, call: ActiveCall, exc: BaseException) -> None:
        taping = self._taping
        if taping is not None and taping.call is call:
            taping.unhook()  # the call goes on; its finish reports nothing more
        self._fail(call.work_order_id, str(exc))

    async def _finish(self, taping: _Taping) -> None:
        call, recorder = taping.call, taping.recorder
        work_order_id = call.work_order_id
        if recorder.failed is not None:
            await asyncio.to_thread(_finish_quietly, recorder)
            return  # already told
        try:
            recording = await asyncio.to_thread(recorder.finish)
        except RecordingError as exc:
            self._fail(work_order_id, str(exc))
            return
        entry = _archived(call, recording, self._clock())
        try:
            await asyncio.to_thread(self.archive.add, entry)
        except OSError as exc:
            self._fail(work_order_id, f"the recording index could not be written: {exc}")
            return
        log.info(
            "recorded %s: %.1f s, %d bytes, %d frames (%d dropped)", work_order_id,
            recording.duration_s, recording.byte_size, recording.video_frames,
            recording.dropped_video_frames,
        )
        self.recording_saved.emit(entry)
        await self._report(entry)

    def _fail(self, work_order_id: str, reason: str) -> None:
        log.warning("recording of %s failed: %s", work_order_id, reason)
        self.recording_failed.emit(RecordingFailure(work_order_id, reason))

    # --- the hub ---------------------------------------------------------------

    async def _report(self, entry: ArchivedRecording) -> None:
        try:
            await self._workstation.link.send(
                protocol.RecordingSaved(
                    work_order_id=entry.work_order_id,
                    call_id=entry.call_id,
                    duration_s=min(entry.duration_s, 86_400.0),
                    byte_size=entry.byte_size,
                    sha256=entry.sha256,
                    video_frames=entry.video_frames,
                )
            )
        except NotConnectedError:
            log.info("recording %s: reported once the hub is back", entry.work_order_id)

    def _on_message(self, message: protocol.Message) -> None:
        if isinstance(message, protocol.Ack) and message.of == protocol.RecordingSaved.TYPE:
            self._spawn(
                asyncio.to_thread(self.archive.mark_reported, message.work_order_id),
                "recording-reported",
            )
        elif isinstance(message, protocol.Error) and message.of == protocol.RecordingSaved.TYPE:
            log.warning("the hub refused a recording report: %s %s", message.code, message.message)

    def _on_link_state(self, state: LinkState) -> None:
        if state is LinkState.CONNECTED:
            for entry in self.archive.unreported():
                self._spawn(self._report(entry), "recording-report")

    # --- background work -------------------------------------------------------

    async def _sweep_daily(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_every_s)
            await self.sweep()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        # Logged, not shown: the recording light says what the agent needs to know.
        self._tasks.spawn(coro, name, report=False)


def _finish_quietly(recorder: CallRecorder) -> None:
    with contextlib.suppress(RecordingError):
        recorder.finish()


def _archived(call: ActiveCall, recording: Recording, now: float) -> ArchivedRecording:
    return ArchivedRecording(
        work_order_id=call.work_order_id,
        call_id=call.started.call_id,
        file_name=recording.path.name,
        duration_s=recording.duration_s,
        byte_size=recording.byte_size,
        sha256=recording.sha256,
        video_frames=recording.video_frames,
        saved_at=now,
    )
