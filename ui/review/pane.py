"""The review pane (材料预审): thumbnails, the viewer with its tools, the checklist, the verdict.

Left, a strip of the work order's materials with their checklist state;
centre, the viewer and its tool bar; right, the checklist, the verdict
buttons and the verdict history. The pane shows a ``ReviewSession`` and
emits intents; the main window sends what they carry.

Wiring: ``set_session(ReviewSession)`` when a work order opens;
``add_material(MaterialRef)`` for each material the transport delivers.
Signals: ``verdict_ready(PreReviewVerdict, dict[str, bytes])`` — the
verdict (already in the session's history) and the flattened, annotated
PNGs by material id, to send back to the citizen;
``notice_ready(bytes, str)`` — the pre-review notice PDF and a file name;
``failed(str)`` — a message for the agent. Flattening and the PDF run as tasks of the
pane's ``TaskOwner`` on one worker thread (``review_worker``), which also saves the
session (debounced, in order) to the ``ReviewStore``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PyQt6.QtCore import QSize, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QImage
from PyQt6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from seat_client.materials.values import MaterialRef, PreReviewVerdict
from seat_client.review.annotation_commands import UndoStack
from seat_client.review.annotation_tools import ToolController
from seat_client.review.annotations import AnnotationLayer
from seat_client.review.notice_pdf import format_time
from seat_client.review.session import ReviewChange, ReviewError, ReviewSession, ReviewStore
from seat_common.tasks import TaskOwner
from ui.labels import PlainLabel, material_source_label, plain_tip
from ui.review.checklist import ChecklistWidget, status_label
from ui.review.images import MaterialImages
from ui.review.review_worker import ReviewWorker, notice_pdf, verdict_images
from ui.review.strip import MaterialStrip
from ui.review.tools import ReviewToolBar
from ui.review.viewer import ReviewViewer

log = logging.getLogger(__name__)
T = TypeVar("T")


class ReviewPane(QWidget):
    """Pre-review of one work order's materials; see the module docstring for the wiring."""

    verdict_ready = pyqtSignal(object, object)
    notice_ready = pyqtSignal(bytes, str)
    failed = pyqtSignal(str)

    def __init__(self, images: MaterialImages | None = None, store: ReviewStore | None = None,
                 *, agent_id: str = "", agent_name: str = "", tasks: TaskOwner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images = images or MaterialImages(self)
        self.store = store
        self.agent_id = agent_id
        self.agent_name = agent_name
        self.session: ReviewSession | None = None
        # One worker thread: flattening, the PDF and saves run in the order they were asked.
        self._worker = ReviewWorker(tasks or TaskOwner("review pane"))
        self._unsubscribers: list[Callable[[], None]] = []
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(400)
        self._save_timer.timeout.connect(self._save_now)
        self.controller = ToolController(UndoStack(AnnotationLayer()))

        self.strip = MaterialStrip(self.images, self)
        self.viewer = ReviewViewer(self.controller, self)
        self.tools = ReviewToolBar(self.controller, self.viewer, self)
        self.assigned = QComboBox(self)
        self.assigned.setToolTip(self.tr("Which checklist material this image shows"))
        self.file_label = PlainLabel(self)
        self.file_label.setObjectName("reviewFile")
        self.file_label.setWordWrap(True)  # where it came from and its size; the name on hover
        self.checklist = ChecklistWidget(self)
        self.send = QPushButton(self.tr("Send verdict to citizen"), self)
        self.send.setObjectName("sendVerdict")
        self.notice = QPushButton(self.tr("Pre-review notice (PDF)"), self)
        self.status = PlainLabel(self)
        self.status.setWordWrap(True)
        self.status.setObjectName("reviewStatus")
        self.history = QListWidget(self)
        self.history.setObjectName("verdictHistory")
        self.history.setMaximumHeight(110)
        self._build_layout()
        self._connect_signals()
        #: what the empty viewer says (counter mode speaks of the document camera)
        self.empty_text = ""
        self.speak_for_counter(False)
        self._show_image_tools()
        self._set_enabled(False)

    def _build_layout(self) -> None:
        # What the agent works on an image with shows only when there is an image.
        self.image_tools = QWidget(self)
        tl = QVBoxLayout(self.image_tools)
        tl.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(PlainLabel(self.tr("This image is:"), self.image_tools))
        top.addWidget(self.assigned, 1)
        top.addWidget(self.file_label, 1)
        tl.addLayout(top)
        tl.addWidget(self.tools)
        centre = QWidget(self)
        cl = QVBoxLayout(centre)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.image_tools)
        cl.addWidget(self.viewer, 1)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.heading = PlainLabel(self.tr("Checklist"), right)
        self.heading.setObjectName("paneHeading")
        self.heading.setWordWrap(True)
        rl.addWidget(self.heading)
        self._side = rl  # add_side_widget puts more above the checklist
        rl.addWidget(self.checklist, 1)
        rl.addWidget(self.status)
        rl.addWidget(self.send)
        rl.addWidget(self.notice)
        self.history_label = PlainLabel(self.tr("Verdicts sent"), right)
        rl.addWidget(self.history_label)
        rl.addWidget(self.history)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(centre)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([520, 240])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.strip)
        layout.addWidget(splitter, 1)

    def _connect_signals(self) -> None:
        self.strip.currentItemChanged.connect(self._on_strip_current_changed)
        self.assigned.activated.connect(self._on_assigned_activated)
        self.viewer.rotated.connect(self._on_viewer_rotated)
        self.images.thumbnail_ready.connect(self._on_images_thumbnail)
        self.images.preview_ready.connect(self._on_images_preview)
        self.images.full_ready.connect(self._on_images_full)
        self.images.failed.connect(self._on_images_failed)
        self.send.clicked.connect(self.send_verdict)
        self.notice.clicked.connect(self.make_notice)

    def add_side_widget(self, widget: QWidget) -> None:
        """Something more the agent works the checklist with (the certificates box)."""
        self._side.insertWidget(self._side.indexOf(self.checklist), widget)

    def speak_for_counter(self, counter: bool) -> None:
        """Words for where the citizen is: at the counter their materials come from the
        document camera and the verdict is recorded here; on a call the photos come from
        the citizen and the verdict goes back to them."""
        if counter:
            self.empty_text = self.tr("No materials yet: scan them with the document camera (F8)")
            self.send.setText(self.tr("Record the verdict"))
            self.history_label.setText(self.tr("Verdicts recorded"))
        else:
            self.empty_text = self.tr("No materials yet: the citizen's photos appear here")
            self.send.setText(self.tr("Send verdict to citizen"))
            self.history_label.setText(self.tr("Verdicts sent"))
        if not self.viewer.material_id:
            self.viewer.clear(self.empty_text)

    def close_pane(self) -> None:
        """Save now and stop the workers (call from the main window on shutdown).

        Also runs when the pane itself is closed: a worker must never outlive the
        Qt objects it reports to. Safe to call twice.
        """
        if self._worker.closed:
            return
        self._save_now()
        self._worker.close()
        self.images.close()

    def closeEvent(self, event: QCloseEvent | None) -> None:
        self.close_pane()
        super().closeEvent(event)

    # --- session and materials ------------------------------------------------------------

    def set_session(self, session: ReviewSession | None) -> None:
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
        self.session = session
        self.strip.clear()
        self.history.clear()
        self.checklist.set_session(session)
        self.assigned.clear()
        self.status.clear()
        self.controller.set_stack(UndoStack(AnnotationLayer()))
        self.viewer.clear(self.empty_text)
        self._show_image_tools()
        self._set_enabled(session is not None)
        if session is None:
            return
        self.heading.setText(self.tr("Checklist: %1").replace("%1", session.item.name))
        self.assigned.addItem(self.tr("(not on the checklist)"), "")
        for m in session.checklist:
            self.assigned.addItem(m.name, m.code)
        self._unsubscribers.append(session.changed.connect(self._on_session_changed))
        for ref in session.materials.values():
            self._add_strip_item(ref)
        for verdict in session.history:
            self._add_history(verdict)

    def add_material(self, ref: MaterialRef) -> None:
        """A material arrived for the open work order (others, and the agent's own annotated
        copies, are ignored)."""
        if self.session is None or ref.work_order_id != self.session.work_order_id:
            log.info("material %s for %s ignored: not the open work order",
                     ref.material_id, ref.work_order_id)
            return
        if ref.source == "agent_annotated":  # our own flattened copy coming back: not reviewed
            return
        known = ref.material_id in self.session.materials
        self.session.add_material(ref)
        if not known:
            self._add_strip_item(ref)

    def _add_strip_item(self, ref: MaterialRef) -> None:
        assert self.session is not None
        layer = self.session.layers[ref.material_id]
        self._unsubscribers.append(layer.changed.connect(lambda _: self._schedule_save()))
        item = self.strip.add(ref, self.session)
        if self.strip.currentItem() is None:
            self.strip.setCurrentItem(item)  # its preview decode goes first: the first paint
        self.images.request_thumbnail(ref.material_id, ref.path)

    def _show_image_tools(self) -> None:
        self.image_tools.setVisible(bool(self.viewer.material_id))

    # --- slots ----------------------------------------------------------------------------

    def _on_strip_current_changed(self, current: QListWidgetItem | None,
                                  _previous: QListWidgetItem | None) -> None:
        if current is None or self.session is None:
            return
        mid = self.strip.material_id(current)
        ref = self.session.materials[mid]
        self.controller.set_stack(self.session.stacks[mid])
        self.viewer.show_material(mid, self.session.layers[mid], self.session.rotations.get(mid, 0))
        self.file_label.setText(f"{material_source_label(ref.source)} · "
                                f"{ref.byte_size / 1e6:.1f} MB")
        self.file_label.setToolTip(plain_tip(ref.filename))
        self._show_image_tools()
        self.assigned.setCurrentIndex(max(0, self.assigned.findData(
            self.session.assignments.get(mid, ""))))
        levels = self.images.pyramid(mid)
        if levels is not None:
            self.viewer.set_levels(levels)
        else:
            fit = self.viewer.size() if self.viewer.isVisible() else QSize(1280, 960)
            self.images.request_image(mid, ref.path, fit)

    def _on_assigned_activated(self, _index: int) -> None:
        if self.session is not None and self.viewer.material_id:
            self.session.assign(self.viewer.material_id, str(self.assigned.currentData() or ""))

    def _on_viewer_rotated(self, quarter_turns: int) -> None:
        if self.session is not None and self.viewer.material_id:
            self.session.rotate(self.viewer.material_id, quarter_turns)

    def _on_images_thumbnail(self, material_id: str, _image: QImage) -> None:
        if self.session is not None and self.strip.item_for(material_id) is not None:
            self.strip.refresh(self.session)

    def _on_images_preview(self, material_id: str, image: QImage, width: int, height: int) -> None:
        if material_id == self.viewer.material_id:
            self.viewer.set_preview(image, width, height)

    def _on_images_full(self, material_id: str, levels: list[QImage]) -> None:
        if material_id == self.viewer.material_id:
            self.viewer.set_levels(levels)

    def _on_images_failed(self, material_id: str, message: str) -> None:
        if material_id == self.viewer.material_id:
            text = self.tr("Cannot show this image: %1").replace("%1", message)
            self.viewer.set_placeholder(text)
        self.failed.emit(message)

    def _on_session_changed(self, change: ReviewChange) -> None:
        if self.session is not None:
            self.strip.refresh(self.session)
        self._schedule_save()

    # --- verdict and notice ---------------------------------------------------------------

    def send_verdict(self) -> None:
        """Record the verdict, flatten the annotated images off the loop, emit ``verdict_ready``."""
        if self.session is None:
            return
        session = self.session
        try:
            verdict = session.decide(self.agent_id)
        except ReviewError:
            names = [m.name for m in session.checklist if m.code in session.unmarked()]
            self.status.setText(self.tr("Mark every material first: %1").replace(
                "%1", "、".join(names)))
            return
        self._add_history(verdict)
        work = verdict_images(session)
        self._busy(self.tr("Preparing the annotated images…"))
        self._run("prepare the verdict", work, lambda pngs: self._on_verdict_done(verdict, pngs))

    def make_notice(self) -> None:
        """Build the 材料预审意见书 PDF for the latest verdict (or the current marks)."""
        if self.session is None:
            return
        session = self.session
        try:
            verdict = session.history[-1] if session.history else session.build_verdict(
                self.agent_id)
        except ReviewError:
            self.status.setText(self.tr("Mark every material before making the notice"))
            return
        work = notice_pdf(session, verdict, self.agent_name)
        self._busy(self.tr("Making the notice…"))
        name = f"预审意见书_{verdict.work_order_id}.pdf"
        self._run("make the notice", work, lambda pdf: self._on_notice_done(pdf, name))

    def _run(self, name: str, work: Callable[[], T], done: Callable[[T], None]) -> None:
        """``work`` on the worker thread, then ``done`` with its result on the event loop;
        a failure shows in the status line and as ``failed``."""
        if not self._worker.run(name, work, done, self._on_worker_failed):
            self._set_enabled(self.session is not None)  # no event loop, or the owner is closed

    def _on_verdict_done(self, verdict: PreReviewVerdict, pngs: dict[str, bytes]) -> None:
        self._set_enabled(self.session is not None)
        self.status.setText(self.tr("Verdict ready to send with %1 annotated image(s)")
                            .replace("%1", str(len(pngs))))
        self.verdict_ready.emit(verdict, pngs)

    def _on_notice_done(self, pdf: bytes, name: str) -> None:
        self._set_enabled(self.session is not None)
        self.status.setText(self.tr("Notice ready"))
        self.notice_ready.emit(pdf, name)

    def _on_worker_failed(self, message: str) -> None:
        self._set_enabled(self.session is not None)
        self.status.setText(self.tr("Failed: %1").replace("%1", message))
        self.failed.emit(message)

    def _busy(self, text: str) -> None:
        self.status.setText(text)
        self.send.setEnabled(False)
        self.notice.setEnabled(False)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.send, self.notice, self.tools, self.assigned):
            widget.setEnabled(enabled)

    def _add_history(self, verdict: PreReviewVerdict) -> None:
        counts = {s: sum(1 for v in verdict.verdicts if v.status == s)
                  for s in ("accepted", "to_correct", "missing")}
        summary = "，".join(f"{status_label(s)} {n}" for s, n in counts.items() if n)
        self.history.insertItem(0, f"{format_time(verdict.decided_at)}  {summary}")

    # --- saving ---------------------------------------------------------------------------

    def _schedule_save(self) -> None:
        if self.store is not None:
            self._save_timer.start()

    def _save_now(self) -> None:
        if self.store is None or self.session is None:
            return
        self._worker.save(self.store, self.session.to_json())

