"""One editor widget per form-field kind, all speaking plain strings.

Every editor is a ``FieldEditor``: ``value()``/``set_value()`` in the form's
string format (ISO dates, ``start/end`` ranges, region leaf codes) and an
``edited`` signal when the agent changes it. Dates use ``QDateEdit`` with a
calendar popup and an empty state (its minimum date shows as "—"); regions
are three cascading choice lists. Everything is reachable with Tab and the
arrow keys; Enter in a one-line box moves to the next field; a multi-line
box passes Tab on instead of typing it.
"""

from __future__ import annotations

from PyQt6.QtCore import QDate, QEvent, QObject, QSignalBlocker, QTimer, pyqtSignal
from PyQt6.QtGui import QIntValidator
from PyQt6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from seat_common.forms import FormField, Region, Regions
from ui.acceptance.form_labels import option_label
from ui.labels import PlainLabel

EMPTY_DATE = QDate(1900, 1, 1)


class FieldEditor(QWidget):
    """A field's editor; emits ``edited(value)`` on the agent's changes only."""

    edited = pyqtSignal(str)

    def value(self) -> str:
        raise NotImplementedError

    def set_value(self, value: str) -> None:
        raise NotImplementedError

    def focus_target(self) -> QWidget:
        return self


class LineEditor(FieldEditor):
    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        if field.max_length:
            self.edit.setMaxLength(field.max_length)
        if field.kind == "integer":
            self.edit.setValidator(QIntValidator(field.minimum or 0, field.maximum or 10**9, self))
        self.edit.setPlaceholderText({
            "id_number": "18位，如 44190019900101123X",
            "uscc": "18位统一社会信用代码",
            "mobile": "11位手机号码",
            "landline": "0769-22801234",
            "postal_code": "523000",
        }.get(field.kind, field.help))
        self._upper = field.kind in ("id_number", "uscc")
        self.edit.textEdited.connect(self._on_edit_text_edited)
        self.edit.returnPressed.connect(self._on_edit_return_pressed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        self.setFocusProxy(self.edit)

    def _on_edit_return_pressed(self) -> None:
        self.focusNextChild()  # Enter moves on, as clerks expect from paper-form software

    def _on_edit_text_edited(self, text: str) -> None:
        if self._upper and text != text.upper():
            position = self.edit.cursorPosition()
            self.edit.setText(text.upper())
            self.edit.setCursorPosition(position)
        self.edited.emit(self.value())

    def value(self) -> str:
        return self.edit.text().strip()

    def set_value(self, value: str) -> None:
        self.edit.setText(value)

    def focus_target(self) -> QWidget:
        return self.edit


class TextAreaEditor(FieldEditor):
    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(56)
        self.edit.setPlaceholderText(field.help)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self._quiet = False
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        self.setFocusProxy(self.edit)

    def _on_edit_text_changed(self) -> None:
        if not self._quiet:
            self.edited.emit(self.value())

    def value(self) -> str:
        return self.edit.toPlainText().strip()

    def set_value(self, value: str) -> None:
        self._quiet = True
        try:
            self.edit.setPlainText(value)
        finally:
            self._quiet = False

    def focus_target(self) -> QWidget:
        return self.edit


class _OpenOnThisMonth(QObject):
    """An empty date's calendar opens on this month, not on the "empty" 1900-01-01."""

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        calendar = self.parent()
        if (event is not None and event.type() == QEvent.Type.Show
                and isinstance(calendar, QCalendarWidget)
                and calendar.selectedDate() == EMPTY_DATE):
            # The popup sets its page after showing: turn the page once it has.
            QTimer.singleShot(0, lambda: _to_this_month(calendar))
        return False


def _to_this_month(calendar: QCalendarWidget) -> None:
    today = QDate.currentDate()
    calendar.setCurrentPage(today.year(), today.month())


class _DateEdit(QDateEdit):
    """A date box that can be empty: its minimum date shows as "—" ("no date yet")."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(EMPTY_DATE)
        self.setSpecialValueText("—")
        self.setDate(EMPTY_DATE)
        self.setMinimumWidth(118)
        calendar = self.calendarWidget()
        self._page_turner = _OpenOnThisMonth(calendar)  # a reference keeps the filter alive
        if calendar is not None:
            calendar.installEventFilter(self._page_turner)


def _date_edit(parent: QWidget) -> QDateEdit:
    return _DateEdit(parent)


def _date_text(edit: QDateEdit) -> str:
    return "" if edit.date() == EMPTY_DATE else edit.date().toString("yyyy-MM-dd")


def _set_date(edit: QDateEdit, text: str) -> None:
    date = QDate.fromString(text.strip(), "yyyy-MM-dd")
    with QSignalBlocker(edit):
        edit.setDate(date if date.isValid() else EMPTY_DATE)


class DateEditor(FieldEditor):
    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = _date_edit(self)
        self.edit.dateChanged.connect(self._on_edit_date_changed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addStretch(1)
        self.setFocusProxy(self.edit)

    def _on_edit_date_changed(self, _date: QDate) -> None:
        self.edited.emit(self.value())

    def value(self) -> str:
        return _date_text(self.edit)

    def set_value(self, value: str) -> None:
        _set_date(self.edit, value)

    def focus_target(self) -> QWidget:
        return self.edit


class DateRangeEditor(FieldEditor):
    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start = _date_edit(self)
        self.end = _date_edit(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.start)
        row.addWidget(PlainLabel(self.tr("to"), self))
        row.addWidget(self.end)
        row.addStretch(1)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(self._on_date_changed)
        self.setFocusProxy(self.start)

    def _on_date_changed(self, _date: QDate) -> None:
        self.edited.emit(self.value())

    def value(self) -> str:
        start, end = _date_text(self.start), _date_text(self.end)
        return f"{start}/{end}" if start or end else ""

    def set_value(self, value: str) -> None:
        start, _, end = value.partition("/")
        _set_date(self.start, start)
        _set_date(self.end, end)

    def focus_target(self) -> QWidget:
        return self.start


class ChoiceEditor(FieldEditor):
    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QComboBox(self)
        self.box.setPlaceholderText(self.tr("Choose…"))
        self.box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.box.setMinimumWidth(130)
        for option in field.options:
            self.box.addItem(option_label(option), option.value)
        self.box.setCurrentIndex(-1)
        self.box.activated.connect(self._on_box_activated)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.box)
        row.addStretch(1)
        self.setFocusProxy(self.box)

    def _on_box_activated(self, _index: int) -> None:
        self.edited.emit(self.value())

    def value(self) -> str:
        data = self.box.currentData()
        return data if isinstance(data, str) else ""

    def set_value(self, value: str) -> None:
        with QSignalBlocker(self.box):
            self.box.setCurrentIndex(self.box.findData(value))

    def focus_target(self) -> QWidget:
        return self.box


class RegionEditor(FieldEditor):
    """Province → city → district, each list filled from the one before."""

    def __init__(self, field: FormField, regions: Regions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.regions = regions
        self.province = QComboBox(self)
        self.city = QComboBox(self)
        self.district = QComboBox(self)
        for box, hint in ((self.province, self.tr("Province")), (self.city, self.tr("City")),
                          (self.district, self.tr("District / town"))):
            box.setPlaceholderText(hint)
        self._fill(self.province, regions.provinces)
        self.province.activated.connect(self._on_province_activated)
        self.city.activated.connect(self._on_city_activated)
        self.district.activated.connect(self._on_district_activated)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for box in (self.province, self.city, self.district):
            box.setMinimumContentsLength(4)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            row.addWidget(box, 1)
        self.setFocusProxy(self.province)

    @staticmethod
    def _fill(box: QComboBox, regions: tuple[Region, ...]) -> None:
        with QSignalBlocker(box):
            box.clear()
            for region in regions:
                box.addItem(region.name, region)
            box.setCurrentIndex(-1)

    def _chosen(self, box: QComboBox) -> Region | None:
        data = box.currentData()
        return data if isinstance(data, Region) else None

    def _on_province_activated(self, _index: int) -> None:
        province = self._chosen(self.province)
        self._fill(self.city, province.children if province else ())
        self._fill(self.district, ())
        self.edited.emit(self.value())

    def _on_city_activated(self, _index: int) -> None:
        city = self._chosen(self.city)
        self._fill(self.district, city.children if city else ())
        self.edited.emit(self.value())

    def _on_district_activated(self, _index: int) -> None:
        self.edited.emit(self.value())

    def value(self) -> str:
        district = self._chosen(self.district)
        return district.code if district else ""

    def set_value(self, value: str) -> None:
        found = self.regions.path(value)
        if found is None:
            self._fill(self.city, ())
            self._fill(self.district, ())
            with QSignalBlocker(self.province):
                self.province.setCurrentIndex(-1)
            return
        province, city, district = found
        with QSignalBlocker(self.province):
            self.province.setCurrentIndex(self.regions.provinces.index(province))
        self._fill(self.city, province.children)
        with QSignalBlocker(self.city):
            self.city.setCurrentIndex(province.children.index(city))
        self._fill(self.district, city.children)
        with QSignalBlocker(self.district):
            self.district.setCurrentIndex(city.children.index(district))

    def focus_target(self) -> QWidget:
        return self.province


def make_editor(field: FormField, regions: Regions, parent: QWidget | None = None) -> FieldEditor:
    match field.kind:
        case "textarea":
            return TextAreaEditor(field, parent)
        case "date":
            return DateEditor(field, parent)
        case "date_range":
            return DateRangeEditor(field, parent)
        case "choice":
            return ChoiceEditor(field, parent)
        case "region":
            return RegionEditor(field, regions, parent)
        case _:
            return LineEditor(field, parent)

