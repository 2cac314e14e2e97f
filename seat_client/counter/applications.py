"""The counter hands each walk-in's application to the application desk.

When the walk-in desk opens a citizen at the counter, the application desk takes the
item's form, prefilled with what the intake collected (the booking's linked form, the
plugins' suggestions) and with the materials the clerk has accepted so far; as the clerk
marks materials, they follow; once the government API accepted the application, the
walk-in's work order will close as ``accepted``; when the citizen is served, the
walk-in's application leaves the desk (a call's stays). While the walk-in desk is still opening an
appointment, the plugins' suggestions belong to its intake, so the application desk
holds them back.
"""

from __future__ import annotations

from collections.abc import Callable

from seat_client.acceptance.desk import ApplicationContext, ApplicationDesk, ContactKind
from seat_client.acceptance.outbox_entries import OutboxEntry
from seat_client.counter.walk_in import WalkIn, WalkInDesk


def follow_walk_ins(applications: ApplicationDesk, walk_ins: WalkInDesk) -> Callable[[], None]:
    """Hand every walk-in ``walk_ins`` opens to ``applications``; returns the function that
    stops."""

    def on_opened(walk_in: WalkIn | None) -> None:
        if walk_in is None:
            applications.release(ContactKind.WALK_IN)
            return
        item = walk_in.item
        context = ApplicationContext(ContactKind.WALK_IN, walk_in.work_order_id, item.code,
                                     item.name, applications.agent_id)
        applications.open(context, item.form, walk_in.prefill(), walk_in.accepted())

    def on_marks_changed(walk_in: WalkIn) -> None:
        applications.set_materials(ContactKind.WALK_IN, walk_in.work_order_id,
                                   walk_in.accepted())

    def on_accepted(entry: OutboxEntry) -> None:
        walk_in = walk_ins.walk_in
        if walk_in is not None and entry.submission.work_order_id == walk_in.work_order_id:
            walk_in.outcome = "accepted"  # the walk-in's work order closes as accepted

    unsubscribe = [walk_ins.opened.connect(on_opened),
                   walk_ins.marks_changed.connect(on_marks_changed),
                   applications.accepted.connect(on_accepted)]
    applications.hold_suggestions_while(lambda: walk_ins.busy)

    def stop() -> None:
        for off in unsubscribe:
            off()
        applications.hold_suggestions_while(lambda: False)

    return stop
