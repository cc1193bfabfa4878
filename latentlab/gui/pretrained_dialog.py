"""File → Open pretrained…: the shipped checkpoints with their descriptions, commands and metrics."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
)

from latentlab.core.pretrained import Pretrained, read_manifest


def describe(entry: Pretrained) -> str:
    """An entry as rich text: title, description, test metrics, and the command that made it."""
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td align='right'>&nbsp;&nbsp;{v:.4g}</td></tr>"
                   for k, v in entry.metrics.items())
    size = f"{entry.bytes / 1e6:.2f} MB" if entry.bytes else "not generated yet"
    return (f"<h3>{html.escape(entry.title)}</h3><p>{html.escape(entry.description)}</p>"
            f"<p><b>Test metrics</b> (per held-out example):</p><table>{rows}</table>"
            f"<p><b>Made by</b></p><p style='font-family: monospace'>{html.escape(entry.command)}</p>"
            f"<p>{entry.file_name}, {size}</p>")


class PretrainedDialog(QDialog):
    """Choose a shipped checkpoint; `chosen` is its entry after Open."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Open a pretrained model")
        self.resize(820, 480)
        self.chosen: Pretrained | None = None
        self.list = QListWidget()
        self.details = QTextBrowser()
        self.buttons = QDialogButtonBox(QDialogButtonBox.Open | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        try:
            self.entries = read_manifest()
        except ValueError as e:
            self.entries = []
            self.details.setPlainText(str(e))
        for entry in self.entries:
            item = QListWidgetItem(entry.title)
            item.setData(Qt.UserRole, entry.name)
            item.setToolTip(entry.name)
            self.list.addItem(item)
        self.list.currentRowChanged.connect(self._show)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        row = QHBoxLayout()
        row.addWidget(self.list, 2)
        row.addWidget(self.details, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.buttons)
        self.buttons.button(QDialogButtonBox.Open).setEnabled(bool(self.entries))
        if self.entries:
            self.list.setCurrentRow(0)

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.entries):
            self.details.setHtml(describe(self.entries[row]))

    def select(self, name: str) -> None:
        for row, entry in enumerate(self.entries):
            if entry.name == name:
                self.list.setCurrentRow(row)

    def accept(self) -> None:
        row = self.list.currentRow()
        self.chosen = self.entries[row] if 0 <= row < len(self.entries) else None
        super().accept()
