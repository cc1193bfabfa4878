"""A dock's panel that scrolls when the dock is smaller than the panel's minimum size, and otherwise
fills the dock exactly."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QScrollArea, QWidget


class _Fill(QWidget):
    """Holds the panel at its own size without passing on the panel's height-for-width: a scroll area
    sizes a height-for-width widget by it (a panel with one wrapped label asked for 1,500 px of
    height in an 800 px dock), where a plain widget is sized to the viewport, never below its minimum."""

    def __init__(self, panel: QWidget):
        super().__init__()
        self.panel = panel
        panel.setParent(self)
        panel.installEventFilter(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self.panel.minimumSizeHint()

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.panel.sizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802
        self.panel.setGeometry(self.rect())

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if watched is self.panel and event.type() == QEvent.LayoutRequest:
            self.updateGeometry()  # the panel's minimum may have changed: the scroll area re-checks
        return False


class ScrollPanel(QScrollArea):
    def __init__(self, panel: QWidget):
        super().__init__()
        self.panel = panel
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.NoFrame)
        self.setWidget(_Fill(panel))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """A panel that can rearrange itself (`fit_width`) does so for the room there is, before the
        scroll area decides on scroll bars; the room leaves space for a vertical bar."""
        fit = getattr(self.panel, "fit_width", None)
        if fit is not None:
            fit(self.width() - self.verticalScrollBar().sizeHint().width())
            if self.panel.layout() is not None:
                self.panel.layout().activate()  # its new minimum now, for the scroll area's sizing below
            self.widget().updateGeometry()
            self.widget().resize(self.widget().size().expandedTo(self.widget().minimumSizeHint()))
        super().resizeEvent(event)

    def natural_size(self) -> QSize:
        """The panel's size with its parts side by side (what a floated dock opens at)."""
        wide = getattr(self.panel, "wide_size", None)
        return wide() if wide is not None else self.panel.minimumSizeHint()
