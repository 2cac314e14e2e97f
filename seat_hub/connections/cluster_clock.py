"""The shared queue's clock on a cluster's hub: the loops that run without a message.

- **Dispatch passes** (``queue.dispatch``, the script planning offers for every hub): when
  an event here may have freed a seat or added a contact (``want_pass``), and once a
  second, so a hub that died between a join and its pass leaves nothing waiting long.
- **Places told**: this hub's waiting citizens their places, and its seats the shared
  queue (``cluster_views``), after a pass here (``want_positions``) and every two seconds
  (other hubs' passes and joins move them too).
- **Rings timed out** (``queue.ring_timeouts``) twice a second; one that rang out asks
  for a pass.

A failure on the shared state is logged (``cluster_error``), a bug as one
(``internal_error``), and the loop goes on.
"""

from __future__ import annotations

import asyncio
from typing import Final

from seat_common.tasks import TaskOwner
from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.connections.cluster_parties import SHARED_ERRORS
from seat_hub.connections.cluster_views import SharedQueueViews
from seat_hub.context import HubContext

#: How often a dispatch pass runs when nothing asked for one, and rings are timed out.
PASS_EVERY_S: Final = 1.0
RINGS_EVERY_S: Final = 0.5
#: How often waiting citizens are told their places when nothing here moved them.
POSITIONS_EVERY_S: Final = 2.0


class SharedQueueClock:
    """Runs the shared queue's periodic work for this hub (see the module's docstring);
    ``start`` spawns its loops on ``tasks``, which cancels them at stop."""

    def __init__(self, ctx: HubContext, queue: LiveQueue, views: SharedQueueViews) -> None:
        self.ctx = ctx
        self.queue = queue
        self.views = views
        self._pass_wanted = asyncio.Event()
        self._positions_wanted = asyncio.Event()

    def start(self, tasks: TaskOwner) -> None:
        tasks.spawn(self._dispatching(), "cluster dispatch")
        tasks.spawn(self._timing_rings(), "cluster ring timeouts")
        tasks.spawn(self._telling_positions(), "cluster queue positions")

    def want_pass(self) -> None:
        """Ask for a dispatch pass soon (passes asked for meanwhile are one), and for this
        hub's waiting citizens to be told their places after it."""
        self._pass_wanted.set()

    def want_positions(self) -> None:
        """Ask for this hub's citizens and seats to be shown the shared queue soon."""
        self._positions_wanted.set()

    async def _dispatching(self) -> None:
        """Dispatch passes: when asked for, and once a second (a hub that died between a
        join and its pass leaves nothing waiting for long)."""
        while True:
            try:
                async with asyncio.timeout(PASS_EVERY_S):
                    await self._pass_wanted.wait()
            except TimeoutError:
                pass
            self._pass_wanted.clear()
            try:
                plan = await self.queue.dispatch()
            except SHARED_ERRORS as exc:
                self.ctx.log.event("cluster_error", where="dispatch", error=repr(exc))
                await asyncio.sleep(PASS_EVERY_S)  # Redis away: the next pass after a pause
                continue
            except Exception as exc:  # a bug: said as one, and the passes go on
                self.ctx.log.event("internal_error", where="dispatch", error=repr(exc))
                await asyncio.sleep(PASS_EVERY_S)
                continue
            for offered in plan.offers:
                self.ctx.log.event("cluster_offer", call_id=offered.call_id,
                                   work_order_id=offered.work_order_id,
                                   agent_id=offered.agent_id, dispatch_ms=offered.dispatch_ms)
            self._positions_wanted.set()

    async def _telling_positions(self) -> None:
        """This hub's waiting citizens told their places in the shared queue: after a
        dispatch pass here, and every ``POSITIONS_EVERY_S`` (other hubs' passes and joins
        move them too)."""
        while True:
            try:
                async with asyncio.timeout(POSITIONS_EVERY_S):
                    await self._positions_wanted.wait()
            except TimeoutError:
                pass
            self._positions_wanted.clear()
            try:
                await self.views.tell_positions()
                await self.views.show_queue()
            except SHARED_ERRORS as exc:
                self.ctx.log.event("cluster_error", where="positions", error=repr(exc))
            except Exception as exc:  # a bug: said as one, and places are told again
                self.ctx.log.event("internal_error", where="positions", error=repr(exc))

    async def _timing_rings(self) -> None:
        while True:
            await asyncio.sleep(RINGS_EVERY_S)  # a period, not a wait for a condition
            try:
                if await self.queue.ring_timeouts():
                    self.want_pass()
            except SHARED_ERRORS as exc:
                self.ctx.log.event("cluster_error", where="ring timeouts", error=repr(exc))
            except Exception as exc:  # a bug: said as one, and rings are timed out again
                self.ctx.log.event("internal_error", where="ring timeouts", error=repr(exc))
