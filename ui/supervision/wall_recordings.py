"""The seat wall plays any call's recording from the hub's store.

``WallRecordings`` links the wall's work-order list (``WorkOrderListPane(from_hub=True)``)
to ``HubRecordings``: "Play recording" on a row fetches the file from the hub (which
checks that the asker is a supervisor and writes its audit row first), checks its SHA-256
and opens the player. The fetched copy is deleted when the player closes: the wall keeps
no recordings of its own. What went wrong is said under the list, in the user's words.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QObject
from PyQt6.QtMultimedia import QAudioDevice
from PyQt6.QtWidgets import QWidget

from seat_client.call.hub_link import NotConnectedError
from seat_client.recording.hub_fetch import HubRecordings, RecordingFetchError
from seat_common.tasks import TaskOwner
from ui.call.workorder_list_pane import WorkOrderListPane
from ui.recording.player import RecordingPlayer, open_player


class WallRecordings(QObject):
    """Plays recordings fetched by ``fetcher`` for rows of ``pane`` (and lives as long as
    it); ``player`` is the one open last (None before)."""

    def __init__(self, pane: WorkOrderListPane, fetcher: HubRecordings, tasks: TaskOwner,
                 parent: QWidget, speaker: QAudioDevice | None = None) -> None:
        super().__init__(pane)
        self._pane = pane
        self._fetcher = fetcher
        self._tasks = tasks
        self._parent = parent
        self._speaker = speaker
        self.player: RecordingPlayer | None = None
        pane.hub_recording_requested.connect(self._on_pane_hub_recording_requested)

    def _on_pane_hub_recording_requested(self, work_order_id: str) -> None:
        self._pane.show_recording_note(self.tr("Fetching the recording from the hub…"))
        self._tasks.spawn(self._play(work_order_id), "play recording", report=False)

    async def _play(self, work_order_id: str) -> None:
        try:
            path = await self._fetcher.fetch(work_order_id)
        except RecordingFetchError as exc:
            self._pane.show_recording_note(self._refusal_text(exc))
            return
        except (NotConnectedError, TimeoutError):
            self._pane.show_recording_note(self.tr("The hub cannot be reached: try again later"))
            return
        except (OSError, ValueError) as exc:
            note = self.tr("The recording could not be saved on this computer: %s")
            self._pane.show_recording_note(note % exc)
            return
        self._pane.show_recording_note("")
        player = open_player(path, work_order_id, self._parent, speaker=self._speaker)
        player.finished.connect(lambda _result: _forget(path))
        self.player = player

    def _refusal_text(self, exc: RecordingFetchError) -> str:
        if exc.code == "bad_state":
            return self.tr("Not at the hub yet: the recording is still on the agent's PC")
        if exc.code == "no_such_work_order":
            return self.tr("The hub has no recording of this work order (or it expired)")
        if exc.code == "not_allowed":
            return self.tr("Only supervisors may play recordings")
        if exc.code == "internal":
            return self.tr("The hub could not write its audit log: nothing was played")
        if exc.code == "":
            return self.tr("The recording arrived damaged: please try again")
        return self.tr("The hub refused the recording: %s") % str(exc)


def _forget(path: Path) -> None:
    path.unlink(missing_ok=True)
