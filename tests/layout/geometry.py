"""What a person at the screen would see cut or squeezed, measured from widget geometry.

``layout_problems(window)`` walks every widget the person can see in ``window`` and
reports, in words, each one that

- lies partly outside the window, or is cut by one of its ancestors (the contents of a
  scroll area scroll, so the walk stops at a scroll area's viewport);
- is a button, check box or tab bar narrower than its own text (its size hint);
- is a label without word wrap narrower than its text, unless it elides on purpose (a
  label whose ``elided`` property is true keeps the whole text in its tool tip);
- is a dock (a column of the window) narrower than its minimum size.

It measures; it does not judge taste: the screenshots saved beside each case are for
that.
"""

from __future__ import annotations

from PyQt6.QtCore import QPoint, QRect
from PyQt6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QTabBar,
    QWidget,
)

#: Pixels of slack: style sheets and rounding move edges by one.
SLACK = 1


def layout_problems(window: QWidget) -> list[str]:
    """Every visible problem in ``window`` (empty when nothing is cut or squeezed)."""
    problems: list[str] = []
    frame = QRect(QPoint(0, 0), window.size())
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window or _scrolls(widget):
            continue
        what = _describe(widget)
        rect = _in_window(widget, window)
        if isinstance(widget, QDockWidget):
            minimum = widget.minimumSizeHint().width()
            if not widget.isFloating() and widget.width() + SLACK < minimum:
                problems.append(f"{what}: {widget.width()} px wide, needs {minimum}")
            continue
        if not _is_control(widget) or rect.isEmpty():
            continue
        if not frame.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(rect):
            problems.append(f"{what}: {_show(rect)} is outside the window {_show(frame)}")
            continue
        cut_by = _cut_by(widget, window, rect)
        if cut_by is not None:
            problems.append(f"{what}: {_show(rect)} is cut by {_describe(cut_by)}")
            continue
        need = _needed_width(widget)
        if need is not None and widget.width() + SLACK < need:
            problems.append(f"{what}: {widget.width()} px wide, its text needs {need}")
    return problems


def _is_control(widget: QWidget) -> bool:
    if isinstance(widget, QLabel):
        return bool(widget.text().strip()) or not widget.pixmap().isNull()
    return isinstance(widget, (QAbstractButton, QLineEdit, QComboBox, QTabBar))


def _needed_width(widget: QWidget) -> int | None:
    if isinstance(widget, QLabel):
        if widget.wordWrap() or widget.property("elided") or not widget.text().strip():
            return None
        return widget.sizeHint().width()
    if isinstance(widget, QAbstractButton) and widget.text().strip():
        return widget.sizeHint().width()
    if isinstance(widget, QTabBar):
        return widget.sizeHint().width() if widget.count() else None
    if isinstance(widget, QComboBox):
        return widget.minimumSizeHint().width()
    return None


def _scrolls(widget: QWidget) -> bool:
    """Inside a scroll area's viewport or an item view: its content moves, by design."""
    parent = widget.parentWidget()
    while parent is not None:
        grand = parent.parentWidget()
        if isinstance(grand, QAbstractScrollArea) and parent is grand.viewport():
            return True
        if isinstance(parent, QAbstractItemView):
            return True
        parent = grand
    return False


def _cut_by(widget: QWidget, window: QWidget, rect: QRect) -> QWidget | None:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        outer = _in_window(parent, window).adjusted(-SLACK, -SLACK, SLACK, SLACK)
        if not outer.contains(rect):
            return parent
        parent = parent.parentWidget()
    return None


def _in_window(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _describe(widget: QWidget) -> str:
    kind = type(widget).__name__
    name = widget.objectName()
    text = ""
    if isinstance(widget, (QLabel, QAbstractButton)):
        text = widget.text()
    elif isinstance(widget, QDockWidget):
        text = widget.windowTitle()
    text = " ".join(text.split())[:40]
    return f"{kind}{'#' + name if name else ''}{' ' + repr(text) if text else ''}"


def _show(rect: QRect) -> str:
    return f"({rect.x()},{rect.y()} {rect.width()}×{rect.height()})"
