"""The "start here" card of a first run: three things to try, and a button that puts it away for good
(window.start_card, remembered like every setting)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

TRIES = (
    ("Click in the map", "Click or drag in the latent space: the decoder view shows that point decoded."),
    ("Drag the interpolation", "Pick two points in the scatter, then drag t along the path between them."),
    ("Train a fresh model", "New model in Model & data, then Start (Ctrl+Return): watch the codes settle."),
)


class StartCard(QFrame):
    def __init__(self, on_dismiss: Callable[[], None], actions: dict[str, Callable[[], None]]):
        super().__init__()
        self.setObjectName("start_card")
        self.setFrameShape(QFrame.StyledPanel)
        self.setStyleSheet("#start_card { border: 1px solid #7aa7d6; border-radius: 6px; }")
        self.title = title = QLabel()
        title.setWordWrap(True)
        self.describe("a 2-D VAE trained on 5,000 MNIST digits")
        self.dismiss_button = QPushButton("Got it")
        self.dismiss_button.setToolTip("Put this card away (it will not come back; Help > Start here shows it again)")
        self.dismiss_button.clicked.connect(on_dismiss)
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(self.dismiss_button, 0, Qt.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(top)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for i, (name, text) in enumerate(TRIES, 1):
            cell = QVBoxLayout()
            label = QLabel(f"<b>{i}. {name}</b><br>{text}")
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
            cell.addWidget(label, 1)
            if name in actions:
                button = QPushButton(f"{name} ▸")
                button.clicked.connect(actions[name])
                cell.addWidget(button, 0, Qt.AlignLeft)
                self.buttons[name] = button
            row.addLayout(cell, 1)
        layout.addLayout(row)

    def describe(self, subject: str) -> None:
        """What the window shows, in a few words: the card follows the model and data on show."""
        self.title.setText(f"<b>Start here</b> — this is {subject}. Three things to try:")
