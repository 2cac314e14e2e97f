"""Taking the seat down within a bound: one part that does not close cannot hold the rest.

``AssembledSeat.close`` closes its parts in order, each as a ``Shutdown.step``. A step
runs as its own task and is waited for at most ``step_timeout_s``, and all of them
together at most ``total_s`` (past it, each step left gets ``LAST_GRACE_S``, so the seat
is down well inside the 30 s the demo gives it); one still running then
is cancelled and left behind (not waited for again: a part that swallows the cancel, or
waits in a ``finally`` on a peer that never answers, would hold that wait too), and the
log says which part it was and where it was waiting: the chain of awaits from the step
down to the future it hangs on. A step that raises is logged and the next one runs.
``stuck`` names the parts that did not close, in order.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)

#: How long one part may take to close (a call's peer, a recording being saved) before
#: it is given up, and all parts together.
STEP_TIMEOUT_S: Final = 10.0
TOTAL_S: Final = 20.0
#: What each step still gets once the total is spent (most close at once).
LAST_GRACE_S: Final = 0.5
#: How deep the await chain of a stuck step is followed (to the future it waits on).
_CHAIN_DEPTH: Final = 40


class Shutdown:
    """Runs close steps one after another, each within ``step_timeout_s``."""

    def __init__(self, step_timeout_s: float = STEP_TIMEOUT_S, total_s: float = TOTAL_S
                 ) -> None:
        self.step_timeout_s = step_timeout_s
        self._deadline = time.monotonic() + total_s
        #: The parts that did not close in time (their names, in order).
        self.stuck: list[str] = []
        #: The steps, run here (not under the seat's root owner: the root is itself closed
        #: as a step); what was left behind still runs here until it ends by itself.
        self.tasks = TaskOwner("shutdown")

    async def step(self, name: str, close: Callable[[], object]) -> bool:
        """Close one part: ``close()`` and, if it returns an awaitable, wait for it within
        the bound (anything else it returns is ignored, a widget's ``close`` bool). True if
        it closed (or failed at once: logged); False if it was left behind."""
        try:
            pending = close()
        except Exception:
            log.exception("shutdown: closing %s failed", name)
            return True
        if not inspect.isawaitable(pending):
            return True
        task = self.tasks.spawn(_awaited(pending), f"close {name}", report=False)
        bound = min(self.step_timeout_s,
                    max(LAST_GRACE_S, self._deadline - time.monotonic()))
        done, _ = await asyncio.wait({task}, timeout=bound)
        if done:
            return True  # a close that raised is logged by the owner, with its traceback
        self.stuck.append(name)
        log.error("shutdown: %s did not close within %.1f s; left behind. Waiting at:\n%s",
                  name, bound, "\n".join(await_chain(task)))
        task.cancel()
        return False


async def _awaited(pending: Awaitable[object]) -> None:
    await pending


def await_chain(task: asyncio.Future[Any], depth: int = _CHAIN_DEPTH, indent: str = "  "
                ) -> list[str]:
    """Where ``task`` is suspended: one line per coroutine in its chain of awaits (file,
    line, function), then what the innermost one waits on; a task or a ``gather`` it
    waits on is followed down the same way."""
    if not isinstance(task, asyncio.Task):
        return [f"{indent}waiting on {task!r}"[:500]]
    lines = [f"{indent}task {task.get_name()!r}"]
    current: Any = task.get_coro()
    for _ in range(depth):
        frame = getattr(current, "cr_frame", None) or getattr(current, "gi_frame", None)
        if frame is None:
            break
        code = frame.f_code
        lines.append(f"{indent}  {code.co_filename}:{frame.f_lineno} in {code.co_name}")
        nxt = getattr(current, "cr_await", None)
        current = nxt if nxt is not None else getattr(current, "gi_yieldfrom", None)
    waiter = getattr(task, "_fut_waiter", None)  # the future the task is suspended on
    if waiter is None or depth <= 0:
        return lines
    children = getattr(waiter, "_children", None)  # asyncio.gather's future
    if isinstance(waiter, asyncio.Task):
        lines += await_chain(waiter, depth - 1, indent + "  ")
    elif children is not None:
        lines.append(f"{indent}  gather of {len(children)}, still running:")
        for child in children:
            if not child.done():
                lines += await_chain(child, depth - 1, indent + "    ")
    else:
        lines.append(f"{indent}  waiting on {waiter!r}"[:500])
    return lines
