"""A message strip at the top of the window: errors stay until dismissed, info fades after a while."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton

from latentlab.state.leaderboard import BannerState

STYLES = {  # background, text, border: light boxes with dark text, readable in either theme
    "info": ("#e7f1fb", "#0b3d66", "#9cc3e6"),
    "warning": ("#fff4d6", "#5c4300", "#e6c66a"),
    "error": ("#fde8e8", "#7a1010", "#e89b9b"),
}
INFO_SECONDS = 6


class MessageBanner(QFrame):
    """Shows a BannerState: what sets the state (a message, a successful load that clears it) moves the strip."""

    def __init__(self, state: BannerState | None = None, parent=None):
        super().__init__(parent)
        self.state = state or BannerState()
        self.setObjectName("messageBanner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.state.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.level = ""
        self._timer = QTimer(self, singleShot=True, timeout=self.state.clear)
        self.hide()
        self.state.events.text.connect(lambda *_: self._show_state())
        self.state.events.level.connect(lambda *_: self._show_state())

    @property
    def text(self) -> str:
        return self.label.text()

    def show_message(self, level: str, text: str) -> None:
        self.state.show(level, text)

    def _show_state(self) -> None:
        level, text = self.state.level, self.state.text
        if not text:
            self.level = ""
            self.label.setText("")
            self._timer.stop()
            self.hide()
            return
        self.level = level
        self.label.setText(text)
        background, text, border = STYLES.get(level, STYLES["info"])
        # The text colour is set on the label too: a dark theme's palette would otherwise win there.
        self.setStyleSheet(f"#messageBanner {{background:{background}; border:1px solid {border}; border-radius:4px;}}"
                           f"#messageBanner QLabel, #messageBanner QToolButton {{color:{text}; background:transparent;}}")
        self.show()
        if level == "info":
            self._timer.start(INFO_SECONDS * 1000)
        else:
            self._timer.stop()
