"""Panels that fit a narrow dock: rows of buttons that wrap, forms whose fields go under their labels,
and two columns that stack when there is no room for them side by side (no horizontal scrollbar)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QBoxLayout, QFormLayout, QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapping onto a new row where the width runs out (Qt's flow layout example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt's name)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        visible = [i for i in self._items if not i.isEmpty()]
        width = sum(i.sizeHint().width() for i in visible) + self._spacing * max(len(visible) - 1, 0)
        return QSize(width, max((i.sizeHint().height() for i in visible), default=0))

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        x, y, row_height = rect.x(), rect.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and row_height > 0:
                x, y, row_height = rect.x(), y + row_height + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y()


def flow_row(widgets: list[QWidget]) -> QWidget:
    """A row of widgets that wraps in a narrow dock."""
    holder = QWidget()
    flow = FlowLayout(holder)
    for w in widgets:
        flow.addWidget(w)
    return holder


def wrap_forms(widget: QWidget) -> None:
    """Every form under `widget` puts a field under its label when the two do not fit side by side."""
    for form in widget.findChildren(QFormLayout):
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)


class SideBySide:
    """Two parts of a panel side by side where the width allows, else one above the other."""

    def __init__(self, layout: QBoxLayout):
        self.layout = layout

    def wide_width(self) -> int:
        """The width the parts need side by side."""
        margins = self.layout.contentsMargins()
        widths = [self.layout.itemAt(i).minimumSize().width() for i in range(self.layout.count())]
        return sum(widths) + self.layout.spacing() * max(len(widths) - 1, 0) + margins.left() + margins.right()

    def fit(self, width: int) -> None:
        wanted = QBoxLayout.LeftToRight if width >= self.wide_width() else QBoxLayout.TopToBottom
        if self.layout.direction() != wanted:
            self.layout.setDirection(wanted)
            for i in range(self.layout.count()):
                part = self.layout.itemAt(i).widget()
                if part is not None:  # stacked, a part keeps its own height (a wrapped label would give it less)
                    part.setMinimumHeight(part.layout().minimumSize().height()
                                          if wanted == QBoxLayout.TopToBottom and part.layout() else 0)
