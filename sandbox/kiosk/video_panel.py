"""The kiosk's call pictures: the agent's, and inset on it a third party's in a three-way call.

``KioskVideoPanel`` sits under the item menu and is hidden until the agent's first
frame comes. The third party (a consulted colleague, or a supervisor who joined from
the seat wall) is a smaller picture in the top-left corner of the agent's, captioned as
the citizen's web page names them (会商同事 / 值班长); ``hide_third`` takes it away. The
pictures are ``av.VideoFrame``s from the call's remote tracks (``remote_video``), shown
scaled to fit, on the Qt thread.
"""

from __future__ import annotations

from typing import Any, Final

from PyQt6.QtCore import QSize, Qt
from PyQt6.QtGui import QImage, QPixmap
from PyQt6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

AGENT_SIZE: Final = QSize(352, 264)
THIRD_SIZE: Final = QSize(152, 114)
#: What the third party is called, as the citizen's web page says (seat_hub/web/transfer.js).
COLLEAGUE: Final = "会商同事"
SUPERVISOR: Final = "值班长"

_STYLE: Final = """
QFrame#video_panel { background: #1f2933; border: 1px solid #b8c4d2; }
QLabel#agent_picture { background: #111820; }
QFrame#third_party { background: #111820; border: 2px solid #9ecbff; }
QLabel#third_caption, QLabel#agent_caption { background: rgba(11, 92, 171, 210); color: white;
                                             font-size: 16px; padding: 1px 6px; }
"""


def frame_to_image(frame: Any) -> QImage:
    """An ``av.VideoFrame`` as a QImage of its own (RGB888)."""
    pixels = frame.to_ndarray(format="rgb24")
    height, width = pixels.shape[:2]
    return QImage(pixels.data, width, height, width * 3, QImage.Format.Format_RGB888).copy()


def _fit(image: QImage, size: QSize) -> QPixmap:
    return QPixmap.fromImage(image.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))


class KioskVideoPanel(QFrame):
    """The agent's picture with the third party's inset (hidden until there is one)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("video_panel")
        self.setStyleSheet(_STYLE)
        self.setFixedSize(AGENT_SIZE.width() + 8, AGENT_SIZE.height() + 8)
        self.agent_picture = QLabel(self)
        self.agent_picture.setObjectName("agent_picture")
        self.agent_picture.setFixedSize(AGENT_SIZE)
        self.agent_picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.agent_picture.setAccessibleName("坐席的视频")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.agent_picture)
        self.agent_caption = QLabel("坐席", self.agent_picture)
        self.agent_caption.setObjectName("agent_caption")
        # The inset, over the agent's picture: the third party's picture and its caption.
        self.third = QFrame(self.agent_picture)
        self.third.setObjectName("third_party")
        self.third.setGeometry(6, 6, THIRD_SIZE.width() + 4, THIRD_SIZE.height() + 4)
        self.third_picture = QLabel(self.third)
        self.third_picture.setObjectName("third_picture")
        self.third_picture.setGeometry(2, 2, THIRD_SIZE.width(), THIRD_SIZE.height())
        self.third_picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.third_caption = QLabel(COLLEAGUE, self.third)
        self.third_caption.setObjectName("third_caption")
        self.set_third_label(COLLEAGUE)
        self.third.hide()
        self.hide()

    @property
    def third_label(self) -> str:
        return self.third_caption.text()

    def set_third_label(self, label: str) -> None:
        self.third_caption.setText(label)
        self.third_picture.setAccessibleName(f"{label}的视频")
        self.third_caption.adjustSize()
        self.third_caption.move(2, self.third.height() - self.third_caption.height() - 2)

    def show_agent(self, image: QImage) -> None:
        self.agent_picture.setPixmap(_fit(image, AGENT_SIZE))
        self.agent_caption.adjustSize()
        self.agent_caption.move(AGENT_SIZE.width() - self.agent_caption.width() - 6,
                                AGENT_SIZE.height() - self.agent_caption.height() - 6)
        self.show()

    def show_third(self, image: QImage) -> None:
        self.third_picture.setPixmap(_fit(image, THIRD_SIZE))
        if self.third.isHidden():
            self.third.show()
            self.set_third_label(self.third_label)  # the caption's place, now it has a size
            self.third.raise_()

    def hide_third(self) -> None:
        self.third.hide()
        self.third_picture.clear()

    def clear(self) -> None:
        """The call's media is over: no pictures until the next call's first frame."""
        self.hide_third()
        self.agent_picture.clear()
        self.hide()
