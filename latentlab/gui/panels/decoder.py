"""The decoder view: what the clicked latent point decodes to, the hovered example and its
reconstruction, and a gallery of the selection."""

from __future__ import annotations

import pyqtgraph as pg
import torch
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from latentlab.gui.binding import bind
from latentlab.gui.exports import name_plot
from latentlab.gui.model_errors import shows_model_errors
from latentlab.gui.widgets.gallery import ScrollingGallery
from latentlab.gui.widgets.image_grid import ImageGridView
from latentlab.gui.widgets.legend import legend_below
from latentlab.gui.widgets.plots import plot_widget
from latentlab.gui.widgets.points import set_points
from latentlab.state.colour import CrossFilter
from latentlab.state.scatter import ScatterState
from latentlab.state.session import Session

GALLERY = 400  # thumbnails at most (the gallery scrolls)


NO_MODEL = ("No model: nothing to decode. Train one (Model & data > New model) or open a checkpoint; meanwhile a "
            "click on a point in the scatter shows its nearest neighbours (Neighbours panel).")


def format_z(z: torch.Tensor) -> str:
    values = ", ".join(f"{v:.2f}" for v in z.tolist()[:8])
    return f"z = ({values}{', …' if z.numel() > 8 else ''})"


HOVER_HINT = "Hover a point: original | reconstruction"


class DecoderPanel(QWidget):
    def __init__(self, session: Session, parent=None, cross_filter: CrossFilter | None = None,
                 scatter: ScatterState | None = None):
        super().__init__(parent)
        self.session = session
        self.cross_filter = cross_filter  # the selection gallery leaves out what the filter rules out
        self.decoded = ImageGridView()
        self.hover = ImageGridView()
        self.selection_gallery = ScrollingGallery()
        bind(self.selection_gallery.slider, scatter or ScatterState(), "gallery_size", "scatter")
        self.gallery = self.selection_gallery.grid
        images = QWidget()
        il = QVBoxLayout(images)
        il.setContentsMargins(0, 0, 0, 0)
        il.addWidget(self.decoded, 4)
        self.hover_label = QLabel(HOVER_HINT)
        il.addWidget(self.hover_label)
        il.addWidget(self.hover, 2)
        self.gallery_label = QLabel("Selection: none")
        il.addWidget(self.gallery_label)
        il.addWidget(self.selection_gallery, 3)
        self.points = plot_widget(background="w")
        for view, name in ((self.decoded, "decoded point"), (self.hover, "hovered example and reconstruction"),
                           (self.gallery, "selection"), (self.points, "decoded point over the data")):
            name_plot(view, name)
        self.points.setAspectLocked(True)
        legend_below(self.points, columns=2)  # outside the data area
        self.data_item = self.points.plot(pen=None, symbol="o", symbolSize=3, symbolPen=None,
                                          symbolBrush=(150, 150, 150, 110), name="data")
        self.selected_item = self.points.plot(pen=None, symbol="o", symbolSize=5, symbolPen=None,
                                              symbolBrush=(31, 119, 180, 200), name="selection")
        self.hover_item = self.points.plot(pen=pg.mkPen("#2ca02c"), symbol="o", symbolSize=9,
                                           symbolBrush="#2ca02c", name="hovered → reconstruction")
        self.decoded_item = self.points.plot(pen=None, symbol="+", symbolSize=20, symbolBrush="#d62728",
                                             symbolPen=pg.mkPen("#d62728", width=2), name="decoded point")
        self.stack = QStackedWidget()
        self.stack.addWidget(images)
        self.stack.addWidget(self.points)
        self.caption = QLabel("Click in the latent scatter to decode a point.")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.caption)
        layout.addWidget(self.stack, 1)
        session.focus_changed.connect(self.show_decoded)
        session.hover_changed.connect(self.show_hover)
        session.selection_changed.connect(self.show_selection)
        if cross_filter is not None:
            cross_filter.changed.connect(self.show_selection)
        session.model_changed.connect(self._reset)
        session.dataset_changed.connect(self._reset)
        self._reset()

    def _reset(self) -> None:
        d = self.session.dataset
        points = d is not None and d.kind == "points"
        self.stack.setCurrentIndex(1 if points else 0)
        if points:
            x = d.train_x[:3000]
            set_points(self.data_item, x)
            width = x.shape[1]  # wider points are drawn by their first two coordinates (set_points)
            self.points.setTitle(f"the first two of {width} coordinates" if width > 2 else None)
        for item in (self.decoded_item, self.hover_item, self.selected_item):
            item.setData([], [])
        for view in (self.decoded, self.hover):
            view.clear_images()
        self.selection_gallery.clear()
        self.caption.setText("Click in the latent scatter to decode a point." if self.session.snapshot is not None
                             or d is None else NO_MODEL)
        self.gallery_label.setText("Selection: none")
        self.hover_label.setText(HOVER_HINT)

    def show_decoded(self, z: torch.Tensor | None, x: torch.Tensor | None) -> None:
        if z is None or x is None:  # the decoded point belonged to the old model
            self.caption.setText("Click in the latent scatter to decode a point.")
            self.decoded.clear_images()
            self.decoded_item.setData([], [])
            return
        self.caption.setText(f"Decoded {format_z(z)}")
        if x.dim() == 4:
            self.decoded.set_images(x)
        else:
            set_points(self.decoded_item, x)
        self.decoded.repaint() if x.dim() == 4 else self.points.viewport().repaint()

    @shows_model_errors
    def show_hover(self, index: int | None) -> None:
        d = self.session.dataset
        if index is None:
            self.hover_label.setText(HOVER_HINT)
            self.hover.clear_images()
            self.hover_item.setData([], [])
            return
        if d is None or self.session.snapshot is None or index >= len(d.train_x):
            return
        x = d.floats("train", slice(index, index + 1))
        recon = self.session.reconstruct(x)
        label = f" (label {d.class_names[int(d.train_y[index])]})" if d.has_labels and d.class_names else ""
        self.hover_label.setText(f"Example {index}{label}: original | reconstruction")
        if x.dim() == 4:
            self.hover.set_images(torch.cat([x, recon]), nrow=2)
        else:
            both = torch.cat([x, recon])
            set_points(self.hover_item, both)

    def show_model_error(self, text: str) -> None:
        """The model's own code failed reconstructing the hovered example (gui/model_errors.py)."""
        self.hover.clear_images()
        self.hover_item.setData([], [])
        self.hover_label.setText(text)

    def show_selection(self) -> None:
        d, sel = self.session.dataset, self.session.selection
        f = self.cross_filter
        if f is not None and f.active and len(sel):
            kept = f.keep(sel)
            text = f"Selection: {len(kept)} of {len(sel)} point(s) pass the filter ({f.describe()})"
            sel = kept
        else:
            text = f"Selection: {len(sel)} point(s)" if len(sel) else "Selection: none"
        if d is not None and d.kind == "image" and len(sel) > GALLERY:
            text += f"; the first {GALLERY} shown"
        self.gallery_label.setText(text)
        if d is None:
            return
        if not len(sel):
            self.selection_gallery.clear()
            self.selected_item.setData([], [])
            return
        x = d.train_x[torch.from_numpy(sel[:GALLERY if d.kind == "image" else 3000])]
        if d.kind == "image":
            self.selection_gallery.set_images(x)
        else:
            set_points(self.selected_item, x)
