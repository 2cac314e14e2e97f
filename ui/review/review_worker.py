"""What the review pane does off the event loop, on one worker thread so it runs in the
order it was asked: flattening the annotated images that go with a verdict, the
pre-review notice PDF, and saving the session.

``ReviewWorker.run`` hands a piece of work to the thread and its result back on the event
loop, as a task of the pane's ``TaskOwner``; ``verdict_images`` and ``notice_pdf`` take
what they need from the session on the loop and return the work for the thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from seat_client.materials.values import PreReviewVerdict
from seat_client.review.notice_pdf import NoticeThumbnail, build_notice_pdf
from seat_client.review.session import ReviewSession, ReviewStore
from seat_common.tasks import TaskOwner
from ui.review.render import ImageDecodeError, flatten

log = logging.getLogger(__name__)
T = TypeVar("T")

SEND_MAX_SIDE = 2048
NOTICE_MAX_SIDE = 800
#: Materials shown on the notice.
NOTICE_THUMBNAILS = 6


class ReviewWorker:
    """The review pane's one worker thread; its jobs are tasks of ``tasks``."""

    def __init__(self, tasks: TaskOwner) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seat-review")
        self._tasks = tasks
        self.closed = False

    def run(self, name: str, work: Callable[[], T], done: Callable[[T], None],
            failed: Callable[[str], None]) -> bool:
        """``work`` on the thread, then ``done`` with its result on the event loop, or
        ``failed`` with a message; nothing once closed. False if it could not start (no
        event loop, or the owner is closed)."""

        async def job() -> None:
            try:
                result = await asyncio.get_running_loop().run_in_executor(self._pool, work)
            except (ImageDecodeError, OSError, ValueError) as exc:
                message = str(exc)
            except RuntimeError:
                return  # the worker was shut down: the pane is closing
            except Exception as exc:
                log.exception("review worker failed: %s", name)
                message = repr(exc)
            else:
                if not self.closed:
                    done(result)
                return
            if not self.closed:
                failed(message)

        try:
            # The pane reports its own failures (status line, ``failed``): not again.
            self._tasks.spawn(job(), name, report=False)
        except RuntimeError:
            return False
        return True

    def save(self, store: ReviewStore, data: dict[str, Any]) -> None:
        """Save after the work asked before; while shutting down, here and now rather than
        lose the annotations."""
        try:
            self._pool.submit(store.save, data)
        except RuntimeError:
            store.save(data)

    def close(self) -> None:
        """No more results; wait for the thread's work (a last save) to finish."""
        self.closed = True
        self._pool.shutdown(wait=True)


def verdict_images(session: ReviewSession) -> Callable[[], dict[str, bytes]]:
    """The work that flattens every annotated image for the citizen: PNGs by material id."""
    jobs = [(mid, session.materials[mid].path, session.layers[mid].shapes(),
             session.rotations.get(mid, 0)) for mid in session.annotated_material_ids()]

    def work() -> dict[str, bytes]:
        return {mid: flatten(path, shapes, rot, SEND_MAX_SIDE)
                for mid, path, shapes, rot in jobs}

    return work


def notice_pdf(session: ReviewSession, verdict: PreReviewVerdict,
               agent_name: str) -> Callable[[], bytes]:
    """The work that makes the 材料预审意见书 PDF of ``verdict``, with the first materials."""
    names = {m.code: m.name for m in session.checklist}
    jobs = [(session.materials[mid].path, session.layers[mid].shapes(),
             session.rotations.get(mid, 0),
             f"{names.get(session.assignments.get(mid, ''), '')} {ref.filename}".strip())
            for mid, ref in list(session.materials.items())[:NOTICE_THUMBNAILS]]
    reasons = {r.code: r.name for r in session.reasons}
    item = session.item

    def work() -> bytes:
        thumbs = [NoticeThumbnail(flatten(path, shapes, rot, NOTICE_MAX_SIDE), caption)
                  for path, shapes, rot, caption in jobs]
        return build_notice_pdf(verdict, item, agent_name=agent_name, reason_names=reasons,
                                thumbnails=thumbs)

    return work


__all__ = ["NOTICE_MAX_SIDE", "SEND_MAX_SIDE", "ReviewWorker", "notice_pdf", "verdict_images"]
