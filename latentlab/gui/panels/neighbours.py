"""The neighbours view: the clicked example beside its reconstruction, and a gallery of its k nearest
neighbours (in latent or data space) with their distances; a click on a neighbour moves the focus there."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from latentlab.gui.binding import bind, combo_for
from latentlab.gui.exports import name_plot
from latentlab.gui.widgets.image_grid import ImageGridView, grid_array
from latentlab.state.colour import CrossFilter
from latentlab.state.neighbours import NeighboursState
from latentlab.state.session import Session

COLUMNS = 4
THUMB = 64  # px a side of a neighbour's thumbnail
HINT = "Click a data point in the latent scatter to see it, its reconstruction and its nearest neighbours."


def pixmap(image: torch.Tensor, size: int = THUMB) -> QPixmap:
    """One [C, H, W] image in [0, 1] as a square pixmap, pixels kept sharp."""
    array = np.ascontiguousarray(grid_array(image[None], 1))
    h, w = array.shape[:2]
    fmt, line = (QImage.Format_Grayscale8, w) if array.ndim == 2 else (QImage.Format_RGB888, 3 * w)
    qimage = QImage(array.data, w, h, line, fmt).copy()
    return QPixmap.fromImage(qimage).scaled(size, size, Qt.KeepAspectRatio, Qt.FastTransformation)


def format_point(x: torch.Tensor) -> str:
    return "(" + ", ".join(f"{v:.2f}" for v in x.flatten().tolist()[:4]) + (", …)" if x.numel() > 4 else ")")


class NeighboursPanel(QWidget):
    def __init__(self, session: Session, state: NeighboursState | None = None, parent=None,
                 cross_filter: CrossFilter | None = None):
        super().__init__(parent)
        self.session = session
        self.state = state or NeighboursState()
        self.cross_filter = cross_filter  # neighbours are searched among the examples the filter keeps
        self.k = bind(QSpinBox(minimum=1, maximum=64), self.state, "k", "neighbours")
        self.space = bind(combo_for("neighbours.space"), self.state, "space", "neighbours")
        form = QFormLayout()
        form.addRow("Neighbours (k)", self.k)
        form.addRow("Space", self.space)
        self.caption = QLabel(HINT)
        self.caption.setWordWrap(True)
        self.example = ImageGridView()  # the example | its reconstruction
        name_plot(self.example, "clicked example and reconstruction")
        self.example.setMinimumHeight(80)
        self.gallery_label = QLabel("")
        self.gallery_label.setWordWrap(True)
        self.gallery = QWidget()
        self.grid = QGridLayout(self.gallery)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(2)
        self.buttons: list[QToolButton] = []
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(self.gallery)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(form)
        layout.addWidget(self.caption)
        layout.addWidget(self.example, 2)
        layout.addWidget(self.gallery_label)
        layout.addWidget(scroll, 3)
        for event in (self.state.events.example, self.state.events.k, self.state.events.space):
            event.connect(self.refresh)
        session.dataset_changed.connect(self.refresh)
        session.model_changed.connect(self.refresh)
        if cross_filter is not None:
            cross_filter.changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_) -> None:
        """Search the example's neighbours again and show them (the example, k or space changed)."""
        f = self.cross_filter
        found = self.state.search(self.session, f.mask if f is not None and f.active else None)
        d, i = self.session.dataset, self.state.example
        self._clear_gallery()
        if found is None or d is None or i is None:
            self.caption.setText(self.state.message or HINT)
            self.example.image.clear()
            self.gallery_label.setText("")
            return
        x = d.train_x[i:i + 1]
        label = f" (label {d.class_names[int(d.train_y[i])]})" if d.has_labels and d.class_names else ""
        images = x.dim() == 4
        recon = self.session.reconstruct(x) if self.session.snapshot is not None and images else None
        if images:
            self.caption.setText(f"Example {i}{label}: original | reconstruction")
            self.example.show()
            self.example.set_images(torch.cat([x, recon]) if recon is not None else x, nrow=2)
        else:
            recon = self.session.reconstruct(x) if self.session.snapshot is not None else None
            self.example.hide()
            back = f" → reconstruction {format_point(recon)}" if recon is not None else ""
            self.caption.setText(f"Example {i}{label}: {format_point(x)}{back}")
        space = "latent" if found.space == "latent" else "data"
        among = f" among those passing the filter ({f.describe()})" if f is not None and f.active else ""
        self.gallery_label.setText(f"Its {len(found.indices)} nearest neighbours in {space} space{among} "
                                   "(distance under each; click one to go to it):")
        for n, (j, dist) in enumerate(zip(found.indices, found.distances)):
            button = QToolButton()
            button.setAutoRaise(True)
            tag = f"#{j}"
            if d.has_labels and d.class_names:
                tag += f" ({d.class_names[int(d.train_y[j])]})"
            if images:
                button.setIcon(QIcon(pixmap(d.train_x[j])))
                button.setIconSize(QSize(THUMB, THUMB))
                button.setToolButtonStyle(Qt.ToolButtonTextUnderIcon)
                button.setText(f"{tag}\nd = {dist:.3g}")
            else:
                button.setText(f"{tag} {format_point(d.train_x[j])}\nd = {dist:.3g}")
            button.setToolTip(f"Training example {j}, at distance {dist:.4g} in {space} space: click to go to it")
            button.clicked.connect(lambda _=False, j=j: self.go_to(j))
            self.grid.addWidget(button, n // COLUMNS, n % COLUMNS)
            self.buttons.append(button)

    def _clear_gallery(self) -> None:
        for button in self.buttons:
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons = []

    @torch.no_grad()
    def go_to(self, index: int) -> None:
        """A neighbour clicked: the focus moves to its code (decoded as a click would), and its neighbours show."""
        s = self.session
        if s.snapshot is not None and s.dataset is not None and s.snapshot.can("encode"):
            s.set_focus(s.snapshot.encode(s.dataset.train_x[index:index + 1])[0])
        s.set_hover(index)
        self.state.pick(index)
