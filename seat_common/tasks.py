"""One owner for background work: it starts, names, tracks and cancels tasks, and reports
the ones that fail.

asyncio keeps only a weak reference to a task, a failed task's exception is lost unless
someone looks, and a task nobody cancels outlives its object. So nothing in Seat calls
``create_task`` on its own: an object that starts background work is handed a
``TaskOwner`` and ``spawn``s through it. The owner

- keeps every running task until it ends, under the name it was given;
- logs a task that fails (with its name and traceback) and emits ``failed`` with a
  ``TaskFailure``, so one place can tell the user (the UI's failure notice);
- cancels what still runs and waits for it on ``cancel`` (the owner stays open) and
  ``close`` (for good, children too).

Owners form a tree: ``child(name)`` makes an owner whose failures also reach its parent's
``failed``. The composition root keeps the root; each part gets a child and closes it with
itself. A task that handles its own errors (and tells the user in its own words) is spawned
with ``report=False``: a failure is then only logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from seat_common.events import Event

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TaskFailure:
    """A background task that raised: what it was for, and the error."""

    name: str
    error: BaseException


class TaskOwner:
    """Runs and owns background tasks. Emits ``failed(TaskFailure)`` when one raises and
    ``busy_changed(bool)`` when the first starts or the last ends."""

    def __init__(self, name: str = "", *, parent: TaskOwner | None = None) -> None:
        self.name = name
        self._parent = parent
        self._tasks: set[asyncio.Task[Any]] = set()
        self._quiet: set[asyncio.Task[Any]] = set()
        self._children: list[TaskOwner] = []
        self._closed = False
        self.failed: Event[TaskFailure] = Event()
        self.busy_changed: Event[bool] = Event()

    def child(self, name: str) -> TaskOwner:
        """An owner for one part: its failures reach this owner too; closed with it."""
        owner = TaskOwner(f"{self.name}/{name}" if self.name else name, parent=self)
        self._children.append(owner)
        return owner

    def spawn(self, coro: Coroutine[Any, Any, T], name: str, *, report: bool = True
              ) -> asyncio.Task[T]:
        """Start ``coro`` as a task named ``name`` (what it does, in a few words)."""
        if self._closed:
            coro.close()
            raise RuntimeError(f"task owner {self.name!r} is closed; not starting {name!r}")
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            coro.close()
            raise
        task = loop.create_task(coro, name=name)
        was_busy = self.busy
        self._tasks.add(task)
        if not report:
            self._quiet.add(task)
        task.add_done_callback(self._on_done)
        if not was_busy:
            self.busy_changed.emit(True)
        return task

    @property
    def busy(self) -> bool:
        """Whether any task of this owner (not of its children) still runs."""
        return bool(self._tasks)

    def running(self, name: str | None = None) -> list[asyncio.Task[Any]]:
        """The tasks still running, or only those named ``name``."""
        return [t for t in self._tasks if name is None or t.get_name() == name]

    async def wait(self, name: str | None = None) -> None:
        """Until the tasks running now (or those named ``name``) have ended, however."""
        tasks = self.running(name)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def cancel(self, name: str | None = None) -> None:
        """Cancel the tasks running now (or those named ``name``) and wait until they have
        ended. The owner stays open: a stopped poller can be started again."""
        tasks = self.running(name)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def close(self) -> None:
        """Cancel every task (children's too) and wait until they have ended. A closed
        child leaves its parent, so short-lived children (one per call) do not pile up."""
        self._closed = True
        for owner in list(self._children):
            await owner.close()
        await self.cancel()
        if self._parent is not None and self in self._parent._children:
            self._parent._children.remove(self)

    def _on_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        quiet = task in self._quiet
        self._quiet.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("%s: %s failed", self.name or "task", task.get_name(), exc_info=error)
            if not quiet:
                self._report(TaskFailure(task.get_name(), error))
        if not self._tasks:
            self.busy_changed.emit(False)

    def _report(self, failure: TaskFailure) -> None:
        self.failed.emit(failure)
        if self._parent is not None:
            self._parent._report(failure)
