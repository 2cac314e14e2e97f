"""The wiring of counter mode's walk-in intake to the form and pre-review tabs.

A walk-in opened at the counter goes to the same form and review panes a call
uses: its form prefilled (to confirm), its counter review in the review pane.
When it is done, the next citizen sees neither. ``CounterLink`` remembers which
walk-in (and which form state) it put there, so it never clears a call's.

Words the agent reads stay in the ``MainWindow`` translation context, where
they were translated before this wiring left the window.
"""

from __future__ import annotations

from PyQt6.QtCore import QCoreApplication

from seat_client.acceptance.form_state import FormState
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
        self._walk_in: WalkIn | None = None  # the walk-in handed to the form and review
        self._walk_in_form: FormState | None = None  # its form, while the form pane shows it

    def connect(self) -> list[Unsubscribe]:
        desk, pane, review = self._parts.desk, self._parts.pane, self._review
        work_tabs = self._seat.work_tabs
        unsubscribe = [
            desk.opened.connect(self._on_counter_desk_opened),
            desk.marks_changed.connect(self._on_counter_desk_marks_changed),
            self._seat.workstation.call_changed.connect(
                lambda call: pane.set_call_live(call is not None)),
        ]
        if review is not None:
            send_text = review.pane.send.text()
            unsubscribe += [
                desk.material_added.connect(review.pane.add_material),
                # A call's review goes back to the citizen: the button says so again.
                review.desk.session_changed.connect(lambda _: review.pane.send.setText(send_text)),
            ]
            pane.review_requested.connect(lambda: work_tabs.setCurrentWidget(review.pane))
        if self._applications is not None:
            form = self._applications.form
            pane.form_requested.connect(lambda: work_tabs.setCurrentWidget(form))
        return unsubscribe

    def _on_counter_desk_opened(self, walk_in: WalkIn | None) -> None:
        """A walk-in opened: its form (prefilled, to confirm) and its counter review go to
        the same form and review panes a call uses. Done: the next citizen sees neither."""
        review, apps = self._review, self._applications
        shown, self._walk_in = self._walk_in, walk_in
        if walk_in is None:
            if review is not None and shown is not None and review.pane.session is shown.review:
                review.pane.set_session(None)
            if apps is not None and apps.form.state is not None and (
                    apps.form.state is self._walk_in_form):
                apps.form.set_context("", "", "", {})
            self._walk_in_form = None
            return
        if review is not None:
            review.pane.set_session(walk_in.review)
            review.pane.send.setText(translate("MainWindow", "Record the verdict"))
        if apps is not None:
            welcome = self._seat.workstation.welcome
            apps.form.set_context(
                walk_in.work_order_id, walk_in.item.code, walk_in.item.form, walk_in.prefill(),
                item_name=walk_in.item.name, materials=walk_in.accepted(),
                agent_id=welcome.agent_id if welcome else "",
            )
            self._walk_in_form = apps.form.state
            if self._mode_layout.shown == "counter":
                self._seat.work_tabs.setCurrentWidget(apps.form)

    def _on_counter_desk_marks_changed(self, walk_in: WalkIn) -> None:
        form = self._applications.form if self._applications is not None else None
        if form is not None and walk_in is self._walk_in and form.state is self._walk_in_form:
            form.set_materials(walk_in.accepted())
