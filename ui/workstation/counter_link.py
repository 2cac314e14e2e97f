"""The wiring of counter mode's walk-in intake to the form and pre-review tabs.

A walk-in opened at the counter goes to the same application desk and review pane a
call uses: the desk opens its form (prefilled, to confirm) and follows its accepted
materials (``seat_client.counter.applications.follow_walk_ins``; the rule that releasing
a walk-in never clears a call's application is the desk's); its counter review goes to
the review pane.
When it is done, the next citizen sees neither. ``CounterLink`` remembers which walk-in
it put in the review pane, so it never clears a call's review.

Words the agent reads stay in the ``MainWindow`` translation context, where
they were translated before this wiring left the window.
"""

from __future__ import annotations

from PyQt6.QtCore import QCoreApplication

from seat_client.counter.applications import follow_walk_ins
from seat_client.counter.walk_in import WalkIn
from ui.counter.desk_pane import CounterParts
from ui.workstation.seat_layout import ModeLayout
from ui.workstation.work_tab_links import SeatHandles, Unsubscribe
from ui.workstation.work_tabs import ApplicationParts, PreReviewParts

translate = QCoreApplication.translate


class CounterLink:
    """Counter mode: the walk-in desk fills the form and review tabs and follows the call."""

    def __init__(self, seat: SeatHandles, parts: CounterParts, review: PreReviewParts | None,
                 applications: ApplicationParts | None, mode_layout: ModeLayout) -> None:
        self._seat, self._parts, self._mode_layout = seat, parts, mode_layout
        self._review, self._applications = review, applications
        self._walk_in: WalkIn | None = None  # the walk-in handed to the review pane

    def connect(self) -> list[Unsubscribe]:
        desk, pane, review, apps = self._parts.desk, self._parts.pane, self._review, \
            self._applications
        work_tabs = self._seat.work_tabs
        # First the application, so the form is built before its tab is shown.
        unsubscribe = [follow_walk_ins(apps.desk, desk)] if apps is not None else []
        unsubscribe += [
            desk.opened.connect(self._on_counter_desk_opened),
            self._seat.workstation.call_changed.connect(
                lambda call: pane.set_call_live(call is not None)),
        ]
        if review is not None:
            unsubscribe += [
                desk.material_added.connect(review.pane.add_material),
                # A call's review goes back to the citizen: the pane speaks of calls again.
                review.desk.session_changed.connect(
                    lambda _: review.pane.speak_for_counter(False)),
            ]
            pane.review_requested.connect(lambda: work_tabs.setCurrentWidget(review.pane))
        if apps is not None:
            form = apps.form
            pane.form_requested.connect(lambda: work_tabs.setCurrentWidget(form))
        return unsubscribe

    def _on_counter_desk_opened(self, walk_in: WalkIn | None) -> None:
        """A walk-in opened: its counter review goes to the review pane a call uses and its
        form (opened by the application desk) comes to the front. Done: the next citizen
        does not see the review."""
        review, apps = self._review, self._applications
        shown, self._walk_in = self._walk_in, walk_in
        if walk_in is None:
            if review is not None and shown is not None and review.pane.session is shown.review:
                review.pane.set_session(None)
            return
        if review is not None:
            review.pane.set_session(walk_in.review)
            review.pane.speak_for_counter(True)
        if apps is not None and self._mode_layout.shown == "counter":
            self._seat.work_tabs.setCurrentWidget(apps.form)
