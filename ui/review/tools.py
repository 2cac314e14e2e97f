"""The review tool bar: annotation tools, colours, label text, undo/redo and view buttons.

Drives the core ``ToolController`` (tool, colour, text; undo/redo on its
current stack) and the viewer (rotate, fit, 1:1). Keys: V select, B
rectangle, E ellipse, A arrow, P pen, T text, H highlighter, M mosaic,
Ctrl+Z undo, Ctrl+Y / Ctrl+Shift+Z redo, Delete removes the selection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PyQt6.QtCore import QCoreApplication, Qt
from PyQt6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPixmap, QShortcut
from PyQt6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QWidget,
)

from seat_client.review.annotation_tools import ToolController, ToolKind
from ui.flow_layout import FlowLayout, flow_policy
from ui.review.viewer import ReviewViewer

translate = QCoreApplication.translate

COLOURS = ("#d1242f", "#0969da", "#1a7f37", "#24292f")


def tool_label(tool: ToolKind) -> str:
    return {
        "select": translate("review", "Select"),
        "rect": translate("review", "Rectangle"),
        "ellipse": translate("review", "Ellipse"),
        "arrow": translate("review", "Arrow"),
        "pen": translate("review", "Pen"),
        "text": translate("review", "Text"),
        "highlight": translate("review", "Highlighter"),
        "mosaic": translate("review", "Mosaic"),
    }[tool]


TOOL_KEYS: dict[ToolKind, str] = {
    "select": "V", "rect": "B", "ellipse": "E", "arrow": "A",
    "pen": "P", "text": "T", "highlight": "H", "mosaic": "M",
}


def _swatch(colour: str) -> QIcon:
    """A 14 px colour square, drawn at twice that for screens scaled to 200 %."""
    pixmap = QPixmap(28, 28)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(QColor(colour))
    painter = QPainter(pixmap)
    painter.setPen(QColor("#57606a"))
    painter.drawRect(0, 0, 13, 13)
    painter.end()
    return QIcon(pixmap)


def _group(parent: QWidget, widgets: Sequence[QWidget]) -> QWidget:
    """Widgets that stay side by side when the bar wraps."""
    group = QWidget(parent)
    row = QHBoxLayout(group)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(2)
    for widget in widgets:
        widget.setParent(group)
        row.addWidget(widget)
    return group


class ReviewToolBar(QWidget):
    """Buttons for the tools and the view; the label text field for the text tool."""

    def __init__(self, controller: ToolController, viewer: ReviewViewer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewToolBar")
        self.controller = controller
        self.viewer = viewer
        # Groups of buttons that wrap as the column narrows: the bar is never wider than
        # its widest group, so the review pane fits beside the video at 1366×768.
        flow = FlowLayout(self, spacing=6)
        flow_policy(self)
        self.tools = QButtonGroup(self)
        self.tool_buttons: dict[ToolKind, QToolButton] = {}
        for tool, key in TOOL_KEYS.items():
            button = self._button(tool_label(tool), self._tool_setter(tool))
            button.setCheckable(True)
            button.setToolTip(f"{tool_label(tool)} ({key})")
            # Single letters only while the viewer has focus, never while typing elsewhere.
            QShortcut(QKeySequence(key), viewer, button.click,
                      context=Qt.ShortcutContext.WidgetShortcut)
            self.tools.addButton(button)
            self.tool_buttons[tool] = button
        self.colour_buttons: dict[str, QToolButton] = {}
        for colour in COLOURS:
            button = self._button("", self._colour_setter(colour))
            button.setIcon(_swatch(colour))
            button.setCheckable(True)
            button.setToolTip(self.tr("Colour"))
            self.colour_buttons[colour] = button
        self.label_text = QLineEdit(controller.text, self)
        self.label_text.setPlaceholderText(self.tr("Label text"))
        self.label_text.setToolTip(self.tr("Text for new labels; edits the selected label"))
        self.label_text.setFixedWidth(150)
        self.label_text.editingFinished.connect(
            lambda: controller.set_text(self.label_text.text().strip()))
        self.undo = self._button(self.tr("Undo"), lambda: controller.stack.undo())
        self.undo.setToolTip(self.tr("Undo (Ctrl+Z)"))
        self.redo = self._button(self.tr("Redo"), lambda: controller.stack.redo())
        self.redo.setToolTip(self.tr("Redo (Ctrl+Y)"))
        self.delete = self._button(self.tr("Delete"), controller.delete_selected)
        self.rotate_left = self._button("⟲", lambda: viewer.rotate_by(-1))
        self.rotate_left.setToolTip(self.tr("Rotate left (Shift+R)"))
        self.rotate_right = self._button("⟳", lambda: viewer.rotate_by(1))
        self.rotate_right.setToolTip(self.tr("Rotate right (R)"))
        self.fit = self._button(self.tr("Fit"), viewer.fit)
        self.fit.setToolTip(self.tr("Fit to the window (0)"))
        self.actual = self._button("1:1", viewer.actual_size)
        self.actual.setToolTip(self.tr("Actual size (1)"))
        tools = list(self.tool_buttons.values())
        for group in (tools[:4], tools[4:], list(self.colour_buttons.values()),
                      [self.label_text, self.undo, self.redo, self.delete],
                      [self.rotate_left, self.rotate_right, self.fit, self.actual]):
            flow.addWidget(_group(self, group))
        for keys, slot in ((QKeySequence.StandardKey.Undo, self.undo.click),
                           (QKeySequence.StandardKey.Redo, self.redo.click),
                           (QKeySequence("Ctrl+Y"), self.redo.click)):
            QShortcut(keys, viewer, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._stack_unsubscribe: Callable[[], None] | None = None
        controller.changed.connect(lambda _: self.refresh())
        self.refresh()

    def _tool_setter(self, tool: ToolKind) -> Callable[[], None]:
        return lambda: self.controller.set_tool(tool)

    def _colour_setter(self, colour: str) -> Callable[[], None]:
        return lambda: self.controller.set_colour(colour)

    def _button(self, text: str, slot: Callable[[], object]) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setAutoRaise(True)
        button.clicked.connect(lambda _=False: slot())
        return button

    def refresh(self) -> None:
        """Mirror the controller: the checked tool and colour, what undo/redo can do."""
        c = self.controller
        if self._stack_unsubscribe is not None:
            self._stack_unsubscribe()
        self._stack_unsubscribe = c.stack.changed.connect(lambda _: self._refresh_stack())
        self.tool_buttons[c.tool].setChecked(True)
        selected = c.selected()
        colour = selected.colour if selected is not None else c.colour
        for value, button in self.colour_buttons.items():
            button.setChecked(value == colour)
        self.delete.setEnabled(selected is not None)
        self._refresh_stack()

    def _refresh_stack(self) -> None:
        self.undo.setEnabled(self.controller.stack.can_undo())
        self.redo.setEnabled(self.controller.stack.can_redo())
