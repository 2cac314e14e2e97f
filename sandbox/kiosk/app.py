"""The kiosk's screen: item menu, call pictures, application form, print, consent, banner.

A simulator of the 莞家政务 self-service kiosk in a town hall, so its text
is plain Simplified Chinese. ``KioskWindow`` shows state and emits intent;
``sandbox.kiosk.peer`` drives it. Two kinds of widgets are flagged:

- local only (``LOCAL_ONLY`` property): the consent prompt and the
  "under remote assistance" banner with its stop button. Only the
  citizen at the kiosk may press them; the agent's input there is refused.
- personal data (``PERSONAL`` property): the ID number, painted over in
  the shared screen (``screen_track``) and shown masked on the kiosk too.

Signals: ``consent_answered(bool)``, ``stop_requested()``,
``print_requested()`` (the 打印 button), ``item_chosen(str)`` (item code).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from PyQt6.QtCore import QSize, Qt, pyqtSignal
from PyQt6.QtGui import QPixmap
from PyQt6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sandbox.kiosk.id_card import FaceScan, IdCard
from sandbox.kiosk.video_panel import KioskVideoPanel
from seat_common.catalog import ServiceItem
from seat_common.personal_data import pii

LOCAL_ONLY: Final = "kioskLocalOnly"
PERSONAL: Final = "kioskPersonalData"
SCREEN_SIZE: Final = QSize(1024, 768)

_STYLE: Final = """
QWidget#kiosk { background: #f3f6fa; }
QLabel { font-size: 18px; }
QLabel#title { background: #0b5cab; color: white; font-size: 24px; padding: 12px 18px; }
QFrame#banner { background: #c2410c; }
QFrame#banner QLabel { color: white; font-size: 20px; font-weight: bold; }
QFrame#consent { background: #fff7d6; border: 2px solid #d99e00; }
QListWidget { font-size: 18px; background: white; border: 1px solid #b8c4d2; }
QListWidget::item { padding: 10px 6px; border-bottom: 1px solid #e3e8ef; }
QListWidget::item:selected { background: #0b5cab; color: white; }
QLineEdit { padding: 6px; font-size: 18px; background: white; border: 1px solid #8da2b8; }
QLineEdit:focus { border: 2px solid #0b5cab; }
QPushButton { font-size: 18px; padding: 8px 18px; min-height: 30px; }
QPushButton#print_button { background: #0b7a3e; color: white; }
QPushButton#stop_button { background: white; color: #c2410c; font-weight: bold; }
QLabel#status { color: #3a4a5c; padding: 4px 18px; }
QPushButton#large_text_button { background: white; color: #0b5cab; font-weight: bold;
                                min-height: 40px; }
QPushButton#large_text_button:checked { background: #fff8c5; color: #1f2328;
                                        border: 2px solid #9a6700; }
"""
#: Large text (大字版): bigger letters, buttons of at least 56 px, one thing a line.
_LARGE_STYLE: Final = """
QLabel { font-size: 26px; }
QLabel#title { font-size: 28px; }
QFrame#banner QLabel { font-size: 24px; }
QListWidget { font-size: 26px; }
QListWidget::item { padding: 14px 8px; }
QLineEdit { font-size: 26px; padding: 8px; min-height: 40px; }
QPushButton { font-size: 26px; padding: 8px 20px; min-height: 40px; }
QPushButton#large_text_button { min-height: 40px; }
"""
#: What the kiosk says, standard and plain (large text).
_WORDS: Final = {
    "status": ("请选择事项并填写申请表；视频坐席可远程协助您办理。",
               "选好要办的事。工作人员可以通过视频帮您。"),
    "item_label": ("（请先在左侧选择事项）", "（先在左边选要办的事）"),
    "menu_title": ("可办事项", "要办的事"),
}


class KioskWindow(QWidget):
    """One kiosk screen, fixed at ``SCREEN_SIZE``."""

    consent_answered = pyqtSignal(bool)
    stop_requested = pyqtSignal()
    print_requested = pyqtSignal()
    item_chosen = pyqtSignal(str)

    def __init__(
        self, hall: str, items: Sequence[ServiceItem], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk")
        self.setWindowTitle(f"莞家政务自助终端 — {hall}")
        self.setStyleSheet(_STYLE)
        self.setFixedSize(SCREEN_SIZE)
        self.hall = hall
        self.id_number = ""  # in full; the screen shows it masked
        self.photo_jpeg = b""

        title = QLabel(f"莞家政务 · 自助服务终端　　{hall}", self)
        title.setObjectName("title")
        #: 大字版: the citizen's choice for this contact (the next citizen starts standard)
        self.large_text_button = QPushButton("大字版", self)
        self.large_text_button.setObjectName("large_text_button")
        self.large_text_button.setCheckable(True)
        self.large_text_button.setAccessibleName("大字版")
        title_bar = QFrame(self)
        title_bar.setObjectName("title_bar")
        title_bar.setStyleSheet("QFrame#title_bar { background: #0b5cab; }")
        title_row = QHBoxLayout(title_bar)
        title_row.setContentsMargins(0, 0, 18, 0)
        title_row.addWidget(title, 1)
        title_row.addWidget(self.large_text_button)
        self.banner = self._make_banner()
        self.consent_panel = self._make_consent_panel()
        self.item_menu = QListWidget(self)
        self.item_menu.setObjectName("item_menu")
        for item in items:
            entry = QListWidgetItem(item.name)
            entry.setData(Qt.ItemDataRole.UserRole, item.code)
            self.item_menu.addItem(entry)
        self.item_menu.setFixedWidth(360)
        self.item_menu.setWordWrap(True)  # a long name in large letters wraps, not scrolls
        self.item_menu.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body = QWidget(self)
        form = self._make_form(self.body)
        self.status = QLabel(_WORDS["status"][0], self)
        self.status.setObjectName("status")
        self.status.setWordWrap(True)

        columns = QHBoxLayout(self.body)
        columns.setContentsMargins(18, 12, 18, 12)
        columns.setSpacing(18)
        menu_column = QVBoxLayout()
        menu_title = self.menu_title = QLabel(_WORDS["menu_title"][0], self.body)
        menu_column.addWidget(menu_title)
        menu_column.addWidget(self.item_menu, 1)
        #: the call's pictures (the agent's, a third party's inset), shown during a call
        self.video = KioskVideoPanel(self.body)
        menu_column.addWidget(self.video)
        columns.addLayout(menu_column)
        columns.addLayout(form, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(title_bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.consent_panel)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.status)
        self._connect_signals()

    # --- building -------------------------------------------------------------

    def _make_banner(self) -> QFrame:
        banner = QFrame(self)
        banner.setObjectName("banner")
        banner.setProperty(LOCAL_ONLY, True)
        text = QLabel("● 远程协助中：坐席正在帮您操作本机。您可以随时停止。", banner)
        self.stop_button = QPushButton("停止协助", banner)
        self.stop_button.setObjectName("stop_button")
        row = QHBoxLayout(banner)
        row.setContentsMargins(18, 8, 18, 8)
        row.addWidget(text, 1)
        row.addWidget(self.stop_button)
        banner.hide()
        return banner

    def _make_consent_panel(self) -> QFrame:
        panel = QFrame(self)
        panel.setObjectName("consent")
        panel.setProperty(LOCAL_ONLY, True)
        text = QLabel(
            "坐席请求远程协助：同意后，坐席可以操作本机屏幕帮您办理（仅限本自助终端的办事界面）。"
            "\n身份证号在坐席画面中已遮挡。是否同意？",
            panel,
        )
        text.setWordWrap(True)
        self.allow_button = QPushButton("同意协助", panel)
        self.allow_button.setObjectName("allow_button")
        self.deny_button = QPushButton("拒绝", panel)
        self.deny_button.setObjectName("deny_button")
        row = QHBoxLayout(panel)
        row.setContentsMargins(18, 10, 18, 10)
        row.addWidget(text, 1)
        row.addWidget(self.allow_button)
        row.addWidget(self.deny_button)
        panel.hide()
        return panel

    def _make_form(self, parent: QWidget) -> QVBoxLayout:
        self.form_title = QLabel("申请表", parent)
        self.item_label = QLabel(_WORDS["item_label"][0], parent)
        self.item_label.setObjectName("item_label")
        self.item_label.setWordWrap(True)
        self.name_edit = QLineEdit(parent)
        self.name_edit.setObjectName("name_edit")
        self.id_edit = QLineEdit(parent)
        self.id_edit.setObjectName("id_edit")
        self.id_edit.setReadOnly(True)  # only the card reader fills it
        self.id_edit.setPlaceholderText("请刷身份证")
        self.id_edit.setProperty(PERSONAL, True)
        self.phone_edit = QLineEdit(parent)
        self.phone_edit.setObjectName("phone_edit")
        self.photo = QLabel(parent)
        self.photo.setObjectName("photo")
        self.photo.setFixedSize(102, 126)
        self.photo.setStyleSheet("background: #dde4ec; border: 1px solid #b8c4d2;")
        self.card_status = QLabel("未读取身份证", parent)
        self.face_status = QLabel("未进行人脸识别", parent)
        self.print_button = QPushButton("打印申请表", parent)
        self.print_button.setObjectName("print_button")
        self.submit_button = QPushButton("提交", parent)
        self.submit_button.setObjectName("submit_button")
        fields = QFormLayout()
        fields.setVerticalSpacing(14)
        fields.addRow("办理事项", self.item_label)
        fields.addRow("姓名", self.name_edit)
        fields.addRow("身份证号", self.id_edit)
        fields.addRow("手机号码", self.phone_edit)
        card_row = QHBoxLayout()
        card_row.addWidget(self.photo)
        status_column = QVBoxLayout()
        status_column.addWidget(self.card_status)
        status_column.addWidget(self.face_status)
        status_column.addStretch(1)
        card_row.addLayout(status_column, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.print_button)
        column = QVBoxLayout()
        column.addWidget(self.form_title)
        column.addLayout(fields)
        column.addLayout(card_row)
        column.addStretch(1)
        column.addLayout(buttons)
        return column

    def _connect_signals(self) -> None:
        self.allow_button.clicked.connect(lambda: self.consent_answered.emit(True))
        self.deny_button.clicked.connect(lambda: self.consent_answered.emit(False))
        self.stop_button.clicked.connect(self.stop_requested)
        self.print_button.clicked.connect(self.print_requested)
        self.item_menu.currentItemChanged.connect(self._on_item_menu_changed)
        self.large_text_button.toggled.connect(self.set_large_text)

    # --- showing state --------------------------------------------------------

    @property
    def large_text(self) -> bool:
        return self.large_text_button.isChecked()

    def set_large_text(self, on: bool) -> None:
        """大字版 on or off: the style, the menu's width and the plain wording follow."""
        if self.large_text_button.isChecked() != on:
            self.large_text_button.setChecked(on)  # toggles back here
            return
        self.setStyleSheet(_STYLE + (_LARGE_STYLE if on else ""))
        self.large_text_button.setText("大字版：开" if on else "大字版")
        self.item_menu.setFixedWidth(340 if on else 360)
        pick = 1 if on else 0
        for widget, key in ((self.menu_title, "menu_title"), (self.status, "status")):
            if widget.text() in _WORDS[key]:
                widget.setText(_WORDS[key][pick])
        if self.item_menu.currentItem() is None:
            self.item_label.setText(_WORDS["item_label"][pick])
        # The new sizes take their place now, not at the next event.
        for child in self.findChildren(QWidget):
            child.updateGeometry()
        if (layout := self.layout()) is not None:
            layout.activate()

    def show_consent(self, visible: bool) -> None:
        self.consent_panel.setVisible(visible)

    def show_banner(self, visible: bool) -> None:
        self.banner.setVisible(visible)

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def fill_from_id_card(self, card: IdCard) -> None:
        """The card reader's result fills the form (the ID number shown masked)."""
        self.id_number = card.id_number
        self.photo_jpeg = card.photo_jpeg
        self.name_edit.setText(card.name)
        self.id_edit.setText(pii.mask_id_number(card.id_number))
        pixmap = QPixmap()
        pixmap.loadFromData(card.photo_jpeg, "JPEG")
        self.photo.setPixmap(pixmap)
        self.card_status.setText(f"已读取身份证：{pii.mask_name(card.name)}")

    def show_face_scan(self, scan: FaceScan) -> None:
        verdict = "人证一致" if scan.matched else "人证不一致"
        self.face_status.setText(f"人脸识别：{verdict}（相似度 {scan.score:.2f}）")

    def form_values(self) -> dict[str, str]:
        current = self.item_menu.currentItem()
        return {
            "item_code": "" if current is None else str(current.data(Qt.ItemDataRole.UserRole)),
            "item_name": "" if current is None else current.text(),
            "name": self.name_edit.text(),
            "id_number": self.id_number,
            "phone": self.phone_edit.text(),
            "hall": self.hall,
        }

    def personal_widgets(self) -> list[QWidget]:
        """Visible widgets holding personal data, to paint over in the shared screen."""
        return [
            w for w in self.findChildren(QWidget)
            if w.property(PERSONAL) and w.isVisibleTo(self)
        ]

    def _on_item_menu_changed(self, current: QListWidgetItem | None) -> None:
        if current is None:
            return
        self.item_label.setText(current.text())
        self.item_chosen.emit(str(current.data(Qt.ItemDataRole.UserRole)))


def is_local_only(widget: QWidget | None, window: QWidget) -> bool:
    """Is ``widget`` (or a parent up to ``window``) reserved for the person at the kiosk?"""
    while widget is not None and widget is not window:
        if widget.property(LOCAL_ONLY):
            return True
        widget = widget.parentWidget()
    return False


def widget_name(widget: QWidget | None) -> str:
    """The kiosk's own name for ``widget``: its object name, or its nearest named parent's."""
    while widget is not None:
        name = widget.objectName()
        if name and not name.startswith("qt_"):
            return name
        widget = widget.parentWidget()
    return ""
