"""A line of status text that changes many times a second without moving anything around it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget


class StatusLine(QWidget):
    """Like a (word-wrapped) QLabel of a fixed number of lines, but setText only repaints it.

    A QLabel asks its layout to recompute on every new text, and inside a dock that relayouts the whole
    main window and repaints it: ten times a second during training, the GUI thread's largest cost
    (measured: bench/app.py's stall figures).
    """

    def __init__(self, text: str = "", lines: int = 2, room_for: str | None = None, parent: QWidget | None = None):
        """`room_for`: a longest text, to make the width fixed too (in a status bar)."""
        super().__init__(parent)
        self._text = text
        self._flags = Qt.AlignLeft | (Qt.AlignTop | Qt.TextWordWrap if lines > 1 else Qt.AlignVCenter)
        self._lines, self._room_for = lines, room_for
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self._fix_size()

    def _fix_size(self) -> None:
        self.setFixedHeight(self.fontMetrics().lineSpacing() * self._lines + 4)
        if self._room_for is not None:
            self.setFixedWidth(self.fontMetrics().horizontalAdvance(self._room_for) + 8)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """A new font (presentation mode's): the fixed size fits its text again."""
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            self._fix_size()

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.setToolTip(text)
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 30, self.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 10, self.height())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.rect().adjusted(2, 2, -2, -2), self._flags, self._text)
