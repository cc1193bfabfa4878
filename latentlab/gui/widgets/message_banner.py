"""A message strip at the top of the window: errors stay until dismissed, info fades after a while."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton

STYLES = {
    "info": "background:#e7f1fb; color:#0b3d66; border:1px solid #9cc3e6;",
    "warning": "background:#fff4d6; color:#5c4300; border:1px solid #e6c66a;",
    "error": "background:#fde8e8; color:#7a1010; border:1px solid #e89b9b;",
}
INFO_SECONDS = 6


class MessageBanner(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.level = ""
        self._timer = QTimer(self, singleShot=True, timeout=self.hide)
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text()

    def show_message(self, level: str, text: str) -> None:
        self.level = level
        self.label.setText(text)
        self.setStyleSheet(f"#messageBanner {{{STYLES.get(level, STYLES['info'])} border-radius:4px;}}")
        self.show()
        if level == "info":
            self._timer.start(INFO_SECONDS * 1000)
        else:
            self._timer.stop()
