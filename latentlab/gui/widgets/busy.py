"""A label that says what is being computed, shown only when the work takes over 200 ms (shorter work
would make it flicker)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

SHOW_AFTER_MS = 200


class BusyLabel(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setStyleSheet("color: #8a6d00;")
        self._timer = QTimer(self, singleShot=True, interval=SHOW_AFTER_MS, timeout=self.show)
        self.hide()

    def start(self, text: str) -> None:
        self.setText(f"⏳ {text}")
        if not self.isVisible():
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.hide()

    @property
    def busy(self) -> bool:
        return self._timer.isActive() or self.isVisible()
