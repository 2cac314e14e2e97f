"""The wiring of the optional work tabs: pre-review, the application, plugins, assistance.

Each ``*Link`` connects one kind of work (its parts from ``ui.workstation.work_tabs``) to
the workstation and to the other tabs it hands things to: the application desk takes a
plugin's or the kiosk's values and a sent verdict's accepted materials, the receipt goes
to the citizen or the kiosk printer. The rules live in the core's desks; a link only
wires. A link gets a ``SeatHandles`` (the workstation, the work tabs, a way to run an
owned task and to show a passing message), never the main window. ``connect()`` returns the
unsubscribers of the core events it subscribed to; the window keeps them and
calls them when it closes. Counter mode's link is in ``ui.workstation.counter_link``.

Words the agent reads stay in the ``MainWindow`` translation context, where
they were translated before this wiring left the window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PyQt6.QtCore import QCoreApplication

from seat_client.acceptance.outbox_entries import OutboxEntry
from seat_client.acceptance.summary import receipt_pdf_message
from seat_client.call.workstation import ActiveCall, Workstation
from seat_client.counter.walk_in import WalkInDesk
from seat_client.materials.transfer import TransferProgress
from seat_client.materials.values import PreReviewVerdict
from ui.workstation.work_tabs import (
    ApplicationParts,
    AssistParts,
    PluginParts,
    PreReviewParts,
    WorkTabs,
)

translate = QCoreApplication.translate

#: Unsubscribes from a core event (what ``seat_common.events.Event.connect`` returns).
Unsubscribe = Callable[[], None]
#: Runs a coroutine as an owned task; ``what`` names it in the failure message.
RunTask = Callable[[Coroutine[Any, Any, object], str], None]


class ShowMessage(Protocol):
    """Shows a passing message in the status strip."""

    def __call__(self, text: str, timeout_ms: int = 5000) -> None: ...


class WorkTabLink(Protocol):
    """Wires one kind of work; returns the unsubscribers of the core events it follows."""

    def connect(self) -> list[Unsubscribe]: ...


@dataclass(frozen=True)
class SeatHandles:
    """What a work-tab link may use of the seat: the core, the tabs, tasks and messages."""

    workstation: Workstation
    work_tabs: WorkTabs
    run: RunTask
    show_message: ShowMessage


class PreReviewLink:
    """Material pre-review: the desk feeds the pane; the pane's verdict goes to the citizen."""

    def __init__(self, seat: SeatHandles, parts: PreReviewParts,
                 counter_desk: WalkInDesk | None) -> None:
        self._seat, self._parts, self._counter_desk = seat, parts, counter_desk

    def connect(self) -> list[Unsubscribe]:
        parts, pane, show = self._parts, self._parts.pane, self._seat.show_message
        pane.verdict_ready.connect(self._on_review_pane_verdict_ready)
        pane.failed.connect(lambda text: show(text, 10000))
        return [
            parts.desk.session_changed.connect(pane.set_session),
            # A call starts with its materials: the pre-review comes forward.
            self._seat.workstation.call_changed.connect(
                lambda call: self._seat.work_tabs.bring_forward(pane) if call else None),
            parts.desk.material_added.connect(pane.add_material),
            parts.transfer.transfer_failed.connect(lambda failure: show(failure.message, 10000)),
            parts.transfer.upload_progress.connect(self._on_transfer_upload_progress),
            self._seat.workstation.link.welcome.connect(
                lambda welcome: setattr(pane, "agent_name", welcome.name)
            ),
        ]

    def _on_transfer_upload_progress(self, progress: TransferProgress) -> None:
        who = (translate("MainWindow", "Citizen") if progress.uploader_role != "agent"
               else translate("MainWindow", "Me"))
        # A file name means nothing to the agent: say whose photo and how far it is.
        self._seat.show_message(
            translate("MainWindow", "%1 uploading a photo: %2%").replace("%1", who)
            .replace("%2", str(round(progress.fraction * 100))),
            3000,
        )

    def _on_review_pane_verdict_ready(self, verdict: PreReviewVerdict,
                                      images: dict[str, bytes]) -> None:
        """A call's verdict goes to the citizen; a walk-in's stays on this seat (its history
        and the pre-review notice), the accepted materials already on the form."""
        walk_in = self._counter_desk.walk_in if self._counter_desk is not None else None
        if walk_in is not None and verdict.work_order_id == walk_in.review.work_order_id:
            self._parts.pane.status.setText(
                translate("MainWindow", "Verdict recorded at the counter"))
            return
        self._seat.run(self._parts.desk.send_verdict(verdict, images),
                       translate("MainWindow", "send the verdict"))


class ApplicationLink:
    """Acceptance: the application desk follows the calls and the pre-review's sent verdict;
    an accepted application shows its receipt, which can go to the citizen."""

    def __init__(self, seat: SeatHandles, parts: ApplicationParts,
                 review: PreReviewParts | None) -> None:
        self._seat, self._parts, self._review = seat, parts, review

    def connect(self) -> list[Unsubscribe]:
        parts = self._parts
        unsubscribe = [parts.desk.accepted.connect(self._show_receipt)]
        parts.outbox.receipt_requested.connect(self._on_outbox_pane_receipt_requested)
        parts.receipt.send_requested.connect(self._on_receipt_view_send)
        tabs = self._seat.work_tabs
        tabs.set_needed(parts.receipt, False)  # until there is a receipt to show
        unsubscribe.append(self._seat.workstation.call_changed.connect(
            lambda call: tabs.set_needed(parts.receipt, False) if call else None))
        if self._review is not None:
            # The materials the pre-review accepted go with the application and on its
            # receipt, and the application is the next step: it comes forward.
            unsubscribe += [
                parts.desk.follow_review(self._review.desk),
                self._review.desk.verdict_sent.connect(
                    lambda _: tabs.bring_forward(parts.form)),
            ]
        return unsubscribe

    def _on_outbox_pane_receipt_requested(self, entry_id: int) -> None:
        entry = self._parts.desk.outbox.entry(entry_id)
        if entry is not None:
            self._show_receipt(entry)

    def _show_receipt(self, entry: OutboxEntry) -> None:
        parts = self._parts

        async def show() -> None:
            await parts.receipt.show_entry(entry)
            self._seat.work_tabs.bring_forward(parts.receipt)

        self._seat.run(show(), translate("MainWindow", "show the receipt"))

    def _on_receipt_view_send(self, path: str) -> None:
        """Send the receipt to the citizen as an image of its page, on the work order."""
        review, ws, show_message = self._review, self._seat.workstation, self._seat.show_message
        work_order_id = (ws.call.work_order_id if ws.call is not None
                         else ws.wrap_up.work_order_id if ws.wrap_up is not None else "")
        png = self._parts.receipt.page_png()
        if review is None or not work_order_id or not png:
            show_message(translate("MainWindow", "No call to send the receipt to"))
            return
        transfer = review.transfer
        name = f"受理回执-{Path(path).stem}.png"

        async def send() -> None:
            await transfer.upload_bytes(work_order_id, png, filename=name, mime="image/png",
                                        source="agent_annotated", material_code="receipt")
            # And the PDF itself, for the citizen to download from their summary.
            pdf = await asyncio.to_thread(Path(path).read_bytes)
            message = receipt_pdf_message(work_order_id, Path(path).stem, pdf)
            if message is not None:
                await ws.link.send(message)
            show_message(translate("MainWindow", "Receipt sent to the citizen"))

        self._seat.run(send(), translate("MainWindow", "send the receipt"))


class PluginLink:
    """Task plugins: their form suggestions go to the application desk; their notices show
    in the strip."""

    def __init__(self, seat: SeatHandles, parts: PluginParts,
                 applications: ApplicationParts | None) -> None:
        self._seat, self._parts, self._applications = seat, parts, applications

    def connect(self) -> list[Unsubscribe]:
        show = self._seat.show_message
        self._parts.panel.notice_shown.connect(
            lambda plugin, _level, text: show(
                f"{self._parts.panel.title_of(plugin)}：{text}", 10000)
        )
        # The plugin tab is there while some plugin serves the contact in hand.
        tabs, panel = self._seat.work_tabs, self._parts.panel
        unsubscribe = [self._parts.host.sessions_changed.connect(
            lambda sessions: tabs.set_needed(panel, bool(sessions)))]
        tabs.set_needed(panel, bool(self._parts.host.sessions))
        if self._applications is not None:
            # Marked until the agent confirms each; the desk knows when they are not its own.
            unsubscribe.append(self._parts.host.form_suggested.connect(
                self._applications.desk.take_suggestions))
        return unsubscribe


class AssistLink:
    """Remote assistance at a kiosk: follows kiosk calls, prints the receipt there and takes
    the kiosk's ID-card read onto the form."""

    def __init__(self, seat: SeatHandles, parts: AssistParts,
                 applications: ApplicationParts | None) -> None:
        self._seat, self._parts, self._applications = seat, parts, applications

    def connect(self) -> list[Unsubscribe]:
        view = self._parts.view
        view.print_requested.connect(self._on_assist_view_print)
        view.prefill_requested.connect(self._on_assist_view_prefill)
        self._seat.work_tabs.set_needed(view, False)
        unsubscribe = [
            self._seat.workstation.call_changed.connect(self._on_workstation_call_changed)]
        if self._applications is not None:
            # The card read is the caller's identity: the form's applicant is checked against it.
            desk = self._applications.desk
            unsubscribe.append(self._parts.assist.id_card_read.connect(
                lambda card: desk.take_card_read(card.id_number)))
        return unsubscribe

    def _on_workstation_call_changed(self, call: ActiveCall | None) -> None:
        """Only a kiosk caller shares a screen: the tab is there for kiosk calls alone."""
        kiosk = call is not None and call.started.channel == "kiosk"
        self._parts.view.set_session(call.session if call is not None and kiosk else None)
        self._seat.work_tabs.set_needed(self._parts.view, kiosk)

    def _on_assist_view_print(self) -> None:
        """Push the receipt on show to the kiosk's printer."""
        receipt = self._applications.receipt if self._applications else None
        show_message = self._seat.show_message
        if receipt is None or receipt.path is None:
            show_message(translate("MainWindow", "No receipt to print yet"))
            return
        path, assist = receipt.path, self._parts.assist

        async def push() -> None:
            pdf = await asyncio.to_thread(path.read_bytes)
            await assist.push_document(pdf, path.name)
            show_message(translate("MainWindow", "Sent to the kiosk printer"))

        self._seat.run(push(), translate("MainWindow", "print at the kiosk"))

    def _on_assist_view_prefill(self, values: dict[str, str]) -> None:
        """The kiosk's ID-card read fills the form, marked until the agent confirms it."""
        apps = self._applications
        if apps is None or not apps.desk.take_id_card(values.get("name", ""),
                                                       values.get("id_number", "")):
            self._seat.show_message(translate("MainWindow", "No application form open"))
            return
        self._seat.work_tabs.setCurrentWidget(apps.form)
