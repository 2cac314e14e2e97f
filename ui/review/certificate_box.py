"""Reused certificates in the review pane: ask the citizen, look up, open the list.

``ConsentDialog`` is what the agent reads to the citizen and where the citizen's answer
is recorded: the words to say, the ID number to look up (prefilled from the form, checked
live), and three buttons — the citizen agreed, the citizen refused, cancel (nothing is
recorded). ``CertificateBox`` sits above the checklist: one button that opens the
dialog, a line saying what came of it, and the list of certificates
(``CertificatesDialog``) once the library answered. The rules are the
``CertificateDesk``'s; this only shows them and runs its calls on a ``TaskOwner``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from seat_client.acceptance.certificate_desk import CertificateDesk, CertificateLookup
from seat_client.acceptance.e_licences import LicenceLookupError
from seat_client.review.certificates import SATISFIES, CertificateError
from seat_client.review.session import ReviewSession
from seat_common import protocol
from seat_common.tasks import TaskOwner
from seat_common.validators import MESSAGES_ZH, check_id_number, normalize_id_number
from ui.labels import PlainLabel
from ui.review.certificates_dialog import CertificatesDialog

log = logging.getLogger(__name__)


class ConsentDialog(QDialog):
    """The consent question, read to the citizen; ``answered(id_number, consent)``."""

    answered = pyqtSignal(str, str)

    def __init__(self, item_name: str, id_number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consentDialog")
        self.setWindowTitle(self.tr("Look up the citizen's electronic certificates"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        say = PlainLabel(self.tr("Please ask the citizen:"), self)
        say.setObjectName("paneHeading")
        script = PlainLabel(self.tr(
            "“To handle %1, may I look up your certificates (ID card, household register, "
            "business licence and so on) in the Guangdong electronic licence library? "
            "They are used only for this pre-review, and you will not need to photograph "
            "them.”").replace("%1", item_name), self)
        script.setObjectName("consentScript")
        script.setWordWrap(True)
        layout.addWidget(say)
        layout.addWidget(script)
        row = QHBoxLayout()
        row.addWidget(PlainLabel(self.tr("ID number to look up:"), self))
        self.id_number = QLineEdit(id_number, self)
        self.id_number.setObjectName("consentIdNumber")
        self.id_number.setMaxLength(18)
        self.id_number.setPlaceholderText(self.tr("18 characters"))
        row.addWidget(self.id_number, 1)
        layout.addLayout(row)
        self.problem = PlainLabel(self)
        self.problem.setObjectName("fieldProblem")
        layout.addWidget(self.problem)
        note = PlainLabel(self.tr(
            "The answer is written to the service centre's audit log before anything is "
            "looked up. If the citizen refuses, nothing is looked up."), self)
        note.setObjectName("checklistImages")
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QHBoxLayout()
        self.agreed = QPushButton(self.tr("The citizen agreed: look up"), self)
        self.agreed.setObjectName("consentAgreed")
        self.agreed.setDefault(True)
        self.refused = QPushButton(self.tr("The citizen refused"), self)
        self.refused.setObjectName("consentRefused")
        # The citizen answers 同意 / 不同意 on their own page (not for kiosks or phones).
        self.on_device = QPushButton(self.tr("Ask on the citizen's device"), self)
        self.on_device.setObjectName("consentOnDevice")
        self.on_device.setToolTip(self.tr(
            "The citizen's page asks them and they answer there; the answer is recorded"))
        self.cancel = QPushButton(self.tr("Cancel"), self)
        buttons.addWidget(self.agreed)
        buttons.addWidget(self.refused)
        buttons.addWidget(self.on_device)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        layout.addLayout(buttons)
        self.agreed.clicked.connect(self._on_agreed_clicked)
        self.refused.clicked.connect(self._on_refused_clicked)
        self.on_device.clicked.connect(self._on_on_device_clicked)
        self.cancel.clicked.connect(self.reject)
        self.id_number.textChanged.connect(self._on_id_number_changed)
        self._on_id_number_changed(id_number)

    def _on_id_number_changed(self, text: str) -> None:
        code = check_id_number(normalize_id_number(text)) if text.strip() else "required"
        self.problem.setText(MESSAGES_ZH.get(code, code) if code and text.strip() else "")
        self.agreed.setEnabled(code is None)
        self.on_device.setEnabled(code is None)

    def _on_agreed_clicked(self) -> None:
        self.answered.emit(normalize_id_number(self.id_number.text()), "spoken")
        self.accept()

    def _on_refused_clicked(self) -> None:
        self.answered.emit("", "refused")
        self.accept()

    def _on_on_device_clicked(self) -> None:
        self.answered.emit(normalize_id_number(self.id_number.text()), "on_device")
        self.accept()


class CertificateBox(QWidget):
    """The certificates of the work order under pre-review, above the checklist."""

    def __init__(self, desk: CertificateDesk, id_number: Callable[[], str], tasks: TaskOwner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("certificateBox")
        self.desk = desk
        self._id_number = id_number
        self._tasks = tasks
        self.session: ReviewSession | None = None
        self.consent: ConsentDialog | None = None
        self.dialog: CertificatesDialog | None = None
        self.look_up = QPushButton(self.tr("Electronic certificates…"), self)
        self.look_up.setObjectName("lookUpCertificates")
        self.look_up.setToolTip(self.tr(
            "With the citizen's consent, look up their certificates in the electronic "
            "licence library and attach one instead of a photo"))
        self.show_list = QPushButton(self)
        self.show_list.setVisible(False)
        self.status = PlainLabel(self)
        self.status.setObjectName("certificateStatus")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.addWidget(self.look_up, 1)
        row.addWidget(self.show_list)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.look_up.clicked.connect(self._on_look_up_clicked)
        self.show_list.clicked.connect(self._on_show_list_clicked)
        desk.looked_up.connect(self._on_desk_looked_up)
        desk.consent_wanted.connect(self._on_desk_consent_wanted)
        self.set_session(None)

    def set_session(self, session: ReviewSession | None) -> None:
        self.session = session
        self.look_up.setEnabled(session is not None)
        if session is None or (self.desk.lookup is not None
                               and self.desk.lookup.work_order_id != session.work_order_id):
            self._show_status("", "")
            self.show_list.setVisible(False)

    # --- slots ----------------------------------------------------------------------------

    def _on_look_up_clicked(self) -> None:
        if self.session is None:
            return
        self.consent = ConsentDialog(self.session.item.name, self._id_number(), self)
        self.consent.answered.connect(self._on_consent_answered)
        self.consent.rejected.connect(self.desk.cancel_request)
        self.consent.open()

    def _on_desk_consent_wanted(self, reason: str) -> None:
        """A task plugin asks for the certificates: the agent asks the citizen."""
        if self.session is None:
            self.desk.cancel_request()
            return
        if self.consent is None or not self.consent.isVisible():
            self._on_look_up_clicked()
        self._show_status(self.tr("A task plugin asks for the certificates: %1")
                          .replace("%1", reason[:100]), "busy")

    def _on_consent_answered(self, id_number: str, consent: str) -> None:
        self.look_up.setEnabled(False)
        if consent == "on_device":
            self._show_status(self.tr("Waiting for the citizen to answer on their device…"),
                              "busy")
            self._run(self._ask_on_device(id_number), "ask the citizen's device")
            return
        mode: protocol.CertificateConsentMode = "refused" if consent == "refused" else "spoken"
        self._show_status(self.tr("Recording the citizen's answer…"), "busy")
        self._run(self._look_up(id_number, mode), "look up certificates")

    async def _look_up(self, id_number: str, consent: protocol.CertificateConsentMode) -> None:
        found = await self.desk.look_up(id_number, consent)
        if found is None:
            self._show_status(self.tr("The citizen refused: nothing was looked up. "
                                      "Ask for photos of the materials instead."), "refused")

    async def _ask_on_device(self, id_number: str) -> None:
        session = self.session
        wanted = {code for codes in SATISFIES.values() for code in codes}
        names = tuple(m.name for m in session.checklist if m.code in wanted) if session else ()
        found = await self.desk.ask_on_device(id_number, names)
        if found is None:
            self._show_status(self.tr("The citizen refused on their device: nothing was "
                                      "looked up. Ask for photos of the materials instead."),
                              "refused")

    def _on_desk_looked_up(self, lookup: CertificateLookup | None) -> None:
        if lookup is None:
            self.show_list.setVisible(False)
            if self.dialog is not None:
                self.dialog.close()
            return
        self._show_status(self.tr("Consent recorded; the library holds %1 certificate(s)")
                          .replace("%1", str(len(lookup.licences))), "ok")
        self.show_list.setText(self.tr("List (%1)").replace("%1", str(len(lookup.licences))))
        self.show_list.setVisible(True)
        self._on_show_list_clicked()

    def _on_show_list_clicked(self) -> None:
        lookup = self.desk.lookup
        if lookup is None or self.session is None:
            return
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = CertificatesDialog(lookup, self.session, self.window())
        self.dialog.attach_requested.connect(self._on_dialog_attach_requested)
        self.dialog.image_requested.connect(self._on_dialog_image_requested)
        self.dialog.select_first()
        self.dialog.show()

    def _on_dialog_attach_requested(self, licence_id: str, material_code: str) -> None:
        lookup = self.desk.lookup
        licence = next((x for x in lookup.licences if x.licence_id == licence_id), None) \
            if lookup is not None else None
        if licence is None:
            return
        self._show_status(self.tr("Attaching %1…").replace("%1", licence.name), "busy")

        async def attach() -> None:
            await self.desk.attach(licence, material_code)
            self._show_status(self.tr("%1 attached: verified at source (electronic licence "
                                      "library)").replace("%1", licence.name), "ok")
            if self.dialog is not None:
                self.dialog.refresh()

        self._run(attach(), "attach a certificate")

    def _on_dialog_image_requested(self, licence_id: str) -> None:
        lookup = self.desk.lookup
        licence = next((x for x in lookup.licences if x.licence_id == licence_id), None) \
            if lookup is not None else None
        if licence is None:
            return

        async def fetch() -> None:
            png = await self.desk.image(licence)
            if self.dialog is not None:
                self.dialog.show_image(licence_id, png)

        self._run(fetch(), "show a certificate")

    # --- helpers --------------------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        async def job() -> None:
            try:
                await coro
            except (LicenceLookupError, CertificateError) as exc:
                self._show_status(str(exc), "failed")
                if self.dialog is not None:
                    self.dialog.show_problem(str(exc))
            except Exception as exc:  # a bug: said plainly, and logged
                log.exception("certificates: %s failed", name)
                self._show_status(self.tr("Failed: %1").replace("%1", repr(exc)), "failed")
            finally:
                self.look_up.setEnabled(self.session is not None)

        self._tasks.spawn(job(), name, report=False)

    def _show_status(self, text: str, state: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.status.setProperty("state", state)
        style = self.status.style()
        if style is not None:
            style.unpolish(self.status)
            style.polish(self.status)
