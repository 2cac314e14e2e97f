"""The 设备 dialog (设备设置): which camera, microphone and speaker the seat uses, and do they work.

One row per kind with the devices listed now (the system's default marked 默认) and the
one in use selected; choosing another switches it live and remembers it
(``SeatDevices.choose``). The lists follow the PC: a headset plugged in appears, one
pulled out goes (``DeviceRegistry.changed``), and the selection follows the seat when
it falls back to another device (``SeatDevices.changed``).

Beside them: the camera's picture, the microphone's level (``device_views``), a test tone
for the speaker, the echo canceller's switch, and the device check (设备检测) with its
results. Esc closes it; every control has a mnemonic.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QKeySequence
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from seat_client.media.devices import DeviceKind
from ui.devices.check_view import CheckResultsView, GrowingDialog
from ui.devices.device_views import CameraPreview, LevelMeter
from ui.devices.precheck import CheckReport, DeviceCheck, problem_text
from ui.devices.registry import KINDS, device_id
from ui.devices.seat_devices import SeatDevices
from ui.labels import PlainLabel

#: A combo box shows at least this many characters of a device's name (the rest elides).
_NAME_CHARS = 24


class DeviceDialog(GrowingDialog):
    """The seat's devices (see the module docstring)."""

    def __init__(self, devices: SeatDevices, check: DeviceCheck,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deviceDialog")
        self.setWindowTitle(self.tr("Device settings"))
        self.devices = devices
        self.check = check
        self.combos: dict[DeviceKind, QComboBox] = {}
        self._none_found = {"camera": self.tr("No camera found"),
                            "microphone": self.tr("No microphone found"),
                            "speaker": self.tr("No speaker found")}
        labels = {"camera": self.tr("&Camera"), "microphone": self.tr("&Microphone"),
                  "speaker": self.tr("&Speaker")}
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setHorizontalSpacing(12)
        for kind in KINDS:
            combo = QComboBox(self)
            combo.setObjectName(f"{kind}Combo")
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(_NAME_CHARS)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.combos[kind] = combo
        self.preview = CameraPreview(devices.camera, devices.video, self)
        self.meter = LevelMeter(devices.microphone, self)
        self.test_tone_button = QPushButton(self.tr("Play &test tone"), self)
        self.echo_box = QCheckBox(self.tr("&Echo cancellation and noise suppression"), self)
        self.echo_box.setChecked(devices.choice.echo_cancellation)
        rows: list[tuple[str, QWidget]] = [
            (labels["camera"], self.combos["camera"]),
            (labels["microphone"], self.combos["microphone"]),
            ("", self.meter),
            (labels["speaker"], self.combos["speaker"]),
            ("", self.test_tone_button),
            ("", self.echo_box),
        ]
        for row, (text, widget) in enumerate(rows):
            if text:
                label = PlainLabel(text, self)
                label.setBuddy(widget)
                grid.addWidget(label, row, 0)
            alignment = (Qt.AlignmentFlag.AlignLeft if widget is self.test_tone_button
                         else Qt.AlignmentFlag(0))
            grid.addWidget(widget, row, 1, alignment)
        grid.addWidget(self.preview, 0, 2, len(rows), 1, Qt.AlignmentFlag.AlignTop)
        self.results = CheckResultsView(parent=self)
        self.check_button = QPushButton(self.tr("Chec&k devices"), self)
        self.check_button.setShortcut(QKeySequence("F5"))
        self.check_button.setToolTip(self.tr("Check the camera, microphone and speaker (F5)"))
        check_row = QHBoxLayout()
        check_row.addWidget(self.check_button)
        check_row.addStretch(1)
        group = QGroupBox(self.tr("Device check"), self)
        group_layout = QVBoxLayout(group)
        group_layout.addWidget(self.results)
        group_layout.addLayout(check_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(group)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        for kind in KINDS:
            self._fill(kind)
        self._on_check_changed()
        if check.report is not None:
            self.results.show_report(check.report)
        if check.running:
            self._on_check_started()
        self._connect_signals()
        self.fit_contents()

    def _connect_signals(self) -> None:
        for kind, combo in self.combos.items():
            combo.currentIndexChanged.connect(
                lambda _index, kind=kind: self._on_combo_index_changed(kind))
        self.devices.registry.changed.connect(self._on_registry_changed)
        self.devices.changed.connect(self._on_devices_changed)
        self.check.started.connect(self._on_check_started)
        self.check.finished.connect(self._on_check_finished)
        self.check.changed.connect(self._on_check_changed)
        self.test_tone_button.clicked.connect(self._on_test_tone_button_clicked)
        self.echo_box.toggled.connect(self._on_echo_box_toggled)
        self.check_button.clicked.connect(self._on_check_button_clicked)
        self.buttons.rejected.connect(self.reject)

    # --- the lists ------------------------------------------------------------------------

    def _fill(self, kind: DeviceKind) -> None:
        """List ``kind``'s devices now, the one in use selected."""
        combo = self.combos[kind]
        current = self.devices.current(kind)
        in_use = device_id(current) if current is not None else ""
        combo.blockSignals(True)
        try:
            combo.clear()
            for listed in self.devices.registry.listed(kind):
                name = (self.tr("%1 (default)").replace("%1", listed.name)
                        if listed.is_default else listed.name)
                combo.addItem(name, listed.id)
                combo.setItemData(combo.count() - 1, listed.name,
                                  Qt.ItemDataRole.ToolTipRole)
            combo.setPlaceholderText(self._none_found[kind] if combo.count() == 0 else
                                     self.tr("None in use"))
            combo.setCurrentIndex(combo.findData(in_use) if in_use else -1)
        finally:
            combo.blockSignals(False)
        combo.setEnabled(combo.count() > 0)
        combo.setToolTip(combo.currentText())

    def _on_combo_index_changed(self, kind: DeviceKind) -> None:
        wanted = self.combos[kind].currentData()
        if isinstance(wanted, str) and wanted:
            self.devices.choose(kind, wanted)
        self._fill(kind)  # what is in use now, whichever it is

    def _on_registry_changed(self, kind: str) -> None:
        if kind in self.combos:
            self._fill(kind)

    def _on_devices_changed(self) -> None:
        for kind in KINDS:
            self._fill(kind)

    # --- the check ------------------------------------------------------------------------

    def _on_check_button_clicked(self) -> None:
        self.check.start()

    def _on_check_started(self) -> None:
        self.check_button.setEnabled(False)
        self.results.show_pending(self.tr("Checking…"))

    def _on_check_finished(self, report: CheckReport) -> None:
        self.check_button.setEnabled(True)
        self.results.show_report(report)

    def _on_check_changed(self) -> None:
        camera = next((p for p in self.check.problems() if p.kind == "camera"), None)
        self.preview.set_notice(problem_text(camera) if camera is not None else "")

    # --- the rest -------------------------------------------------------------------------

    def _on_test_tone_button_clicked(self) -> None:
        self.devices.play_test_tone()

    def _on_echo_box_toggled(self, on: bool) -> None:
        self.devices.set_echo_cancellation(on)
