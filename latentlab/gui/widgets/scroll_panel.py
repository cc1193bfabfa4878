"""A dock's panel that scrolls when the dock is smaller than the panel's minimum size, and otherwise
fills the dock exactly. A panel that is not to be squeezed keeps the dock at its minimum size instead,
until squeezing is allowed (presentation mode, whose large fonts and images must still fit the screen)."""

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

    floor = 0  # a height the panel needs at its width, above its minimum (ScrollPanel sets it)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = self.panel.minimumSizeHint()
        return hint.expandedTo(QSize(hint.width(), self.floor))

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.panel.sizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802
        self.panel.setGeometry(self.rect())

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if watched is self.panel and event.type() == QEvent.LayoutRequest:
            self.updateGeometry()  # the panel's minimum may have changed: the scroll area re-checks
        return False


class ScrollPanel(QScrollArea):
    def __init__(self, panel: QWidget, squeeze: bool = True):
        """`squeeze` False: the panel keeps its minimum size (the dock cannot be made smaller, nothing
        scrolls) until allow_squeeze(True)."""
        super().__init__()
        self.panel = panel
        self.always_squeezes = self.squeezes = squeeze
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.NoFrame)
        self.setWidget(_Fill(panel))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        panel.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.panel and event.type() == QEvent.LayoutRequest and self._set_floor(self._room()):
            self.widget().updateGeometry()  # its rows wrap otherwise now (presentation mode's font)
        return False

    def _room(self) -> int:
        return self.width() - self.verticalScrollBar().sizeHint().width()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """A panel that can rearrange itself (`fit_width`) does so for the room there is, before the
        scroll area decides on scroll bars; the room leaves space for a vertical bar. A squeezed panel
        whose rows wrap in a narrow dock (HEIGHT_FOR_WIDTH) scrolls at the height its layout needs."""
        fit = getattr(self.panel, "fit_width", None)
        room = self._room()
        if fit is not None or self._set_floor(room):
            if fit is not None:
                fit(room)
            if self.panel.layout() is not None:
                self.panel.layout().activate()  # its new minimum now, for the scroll area's sizing below
            self.widget().updateGeometry()
            self.widget().resize(self.widget().size().expandedTo(self.widget().minimumSizeHint()))
        super().resizeEvent(event)

    def _set_floor(self, room: int) -> bool:
        """The height the panel needs at this width, where it is squeezed and its rows wrap; True if it changed."""
        fill, before = self.widget(), self.widget().floor
        wraps = getattr(self.panel, "HEIGHT_FOR_WIDTH", False) and self.panel.layout() is not None
        fill.floor = self.panel.layout().totalHeightForWidth(room) if self.squeezes and wraps else 0
        return fill.floor != before

    def allow_squeeze(self, on: bool) -> None:
        """Let the dock squeeze the panel below its minimum size (it scrolls), or not (back to its own size)."""
        self.squeezes = self.always_squeezes or on
        if self._set_floor(self._room()):
            self.widget().updateGeometry()
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return super().minimumSizeHint() if self.squeezes else self.panel.minimumSizeHint()

    def natural_size(self) -> QSize:
        """The panel's size with its parts side by side (what a floated dock opens at)."""
        wide = getattr(self.panel, "wide_size", None)
        return wide() if wide is not None else self.panel.minimumSizeHint()
