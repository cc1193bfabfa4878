"""A gallery that scrolls: images tiled to the dock's width at a chosen thumbnail size, scrolled
vertically (never sideways), with a slider for the size. The tiles are one ImageGridView, so File >
Export lists the gallery like any plot."""

from __future__ import annotations

import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QSlider, QVBoxLayout, QWidget

from latentlab.gui.widgets.image_grid import ImageGridView

PAD = 2  # the grid's padding between tiles, in image pixels


MAX_GRID_PX = 8_000


class ScrollingGallery(QWidget):
    def __init__(self, size: int = 56, parent=None):
        super().__init__(parent)
        self.grid = ImageGridView()
        self.grid.ci.setContentsMargins(0, 0, 0, 0)  # the tiles reach the edges: no gap to scroll past
        self.grid.padding = 0  # nor a blank strip above the tiles (1% of a tall grid's height)
        self.grid.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.grid.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll = QScrollArea()
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setWidgetResizable(False)
        self.scroll.setWidget(self.grid)
        self.scroll.setMinimumHeight(60)
        self.slider = QSlider(Qt.Horizontal, minimum=20, maximum=160, value=size)
        self.slider.setToolTip("Thumbnail size")
        self.slider.valueChanged.connect(lambda _: self._layout())
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("size"))
        row.addWidget(self.slider, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.scroll, 1)
        self.images: torch.Tensor | None = None
        self.minimum_size = 0  # presentation mode's floor on the thumbnail size (gui/theme.py)

    @property
    def thumbnail(self) -> int:
        """The thumbnail size shown: the slider's, or presentation mode's floor."""
        return max(self.slider.value(), self.minimum_size)

    def set_minimum_size(self, size: int) -> None:
        self.minimum_size = size
        self.scroll.setMinimumHeight(max(60, size + 2 * PAD + 2 * self.scroll.frameWidth()))  # a whole row shows
        self._layout()

    @property
    def columns(self) -> int:
        return max(1, (self.scroll.viewport().width() - 2) // (self.thumbnail + PAD))

    def set_images(self, images: torch.Tensor | None) -> None:
        self.images = images if images is not None and len(images) else None
        self._layout()

    def clear(self) -> None:
        self.set_images(None)

    def _layout(self) -> None:
        width = max(40, self.scroll.viewport().width())
        if self.images is None:
            self.grid.clear_images()
            self.grid.resize(width, 10)
            return
        columns, cell = self.columns, self.thumbnail + PAD
        # A view taller than this draws nothing on some platforms (xcb): large thumbnails show the first rows.
        n = min(len(self.images), columns * max(1, MAX_GRID_PX // cell))
        rows = -(-n // columns)
        # The tiles fill the width: the grid is as tall as the tiled picture's own aspect says.
        h, w = (rows * (self.images.shape[-2] + PAD) + PAD), (columns * (self.images.shape[-1] + PAD) + PAD)
        self.grid.resize(columns * cell, max(1, round(columns * cell * h / w)))
        self.grid.set_images(self.images[:n], nrow=columns)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._layout()
