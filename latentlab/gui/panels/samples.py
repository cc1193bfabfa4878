"""Samples and reconstructions from the snapshot, redrawn as the model trains.

Images: a grid of samples from fixed prior noise, and test images above their reconstructions.
2-D data: test points, their reconstructions and model samples on one plot.
"""

from __future__ import annotations

import pyqtgraph as pg
import torch
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from latentlab.core.images import save_image_grid, save_points_png
from latentlab.gui.exports import image_scale, name_plot, save_reporting
from latentlab.gui.model_errors import shows_model_errors
from latentlab.gui.widgets.image_grid import ImageGridView
from latentlab.gui.widgets.legend import legend_below
from latentlab.gui.widgets.points import set_points
from latentlab.gui.widgets.visibility import on_screen
from latentlab.state.session import Session

N_SAMPLES = 64
N_RECON = 8
N_POINTS = 1000
REDRAW_MS = 250
TRAINING_REDRAW_MS = 1000  # while training, decoding in the GUI thread competes with the trainer: once a second


class SamplesPanel(QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.samples = ImageGridView()
        self.recons = ImageGridView()
        images = QWidget()
        il = QVBoxLayout(images)
        il.setContentsMargins(0, 0, 0, 0)
        il.addWidget(QLabel("Samples: prior noise through the decoder"))
        il.addWidget(self.samples, 3)
        il.addWidget(QLabel("Test images (top) and their reconstructions"))
        il.addWidget(self.recons, 1)
        self.points = pg.PlotWidget(background="w")
        for view, name in ((self.samples, "samples"), (self.recons, "test images and reconstructions"),
                           (self.points, "samples and reconstructions over the data")):
            name_plot(view, name)
        self.points.setAspectLocked(True)
        legend_below(self.points)  # outside the data area
        self.data_item = self.points.plot(pen=None, symbol="o", symbolSize=4, symbolBrush=(150, 150, 150, 120),
                                          symbolPen=None, name="test data")
        self.recon_item = self.points.plot(pen=None, symbol="o", symbolSize=4, symbolBrush=(255, 127, 14, 160),
                                           symbolPen=None, name="reconstructions")
        self.sample_item = self.points.plot(pen=None, symbol="o", symbolSize=4, symbolBrush=(31, 119, 180, 160),
                                            symbolPen=None, name="samples")
        self.stack = QStackedWidget()
        self.stack.addWidget(images)
        self.stack.addWidget(self.points)
        self.note = QLabel("")
        self.note.setWordWrap(True)  # a plug-in's failure names its file, line and error: wider than the dock
        self.save_button = QPushButton("Save samples PNG…")
        self.save_button.setToolTip(f"The {N_SAMPLES} samples at full resolution (for 2-D data, "
                                    f"{N_POINTS} samples over the test data)")
        self.save_button.clicked.connect(lambda: self.save_samples())
        self.ask_png_path = lambda: QFileDialog.getSaveFileName(self, "Save samples", "samples.png",
                                                                "PNG image (*.png)")[0] or None
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bottom)
        self._dirty = True
        self._timer = QTimer(self, interval=REDRAW_MS, timeout=self._redraw_if_dirty)
        self._timer.start()
        session.snapshot_changed.connect(self._mark_dirty)
        session.model_changed.connect(self._mark_dirty)  # drawn when next visible, not while hidden in a tab
        session.state_changed.connect(
            lambda state: self._timer.setInterval(REDRAW_MS if state == "idle" else TRAINING_REDRAW_MS))

    def _mark_dirty(self) -> None:
        self._dirty = True

    def _redraw_if_dirty(self) -> None:
        if self._dirty and on_screen(self):  # not while tabbed behind another dock
            self.redraw()

    def save_samples(self, path: str | None = None) -> bool:
        """The same samples the panel shows (seed 0) as a PNG: an image grid, or points over the test data."""
        s, d = self.session, self.session.dataset
        if s.snapshot is None or d is None or not s.snapshot.can("sample"):
            self.session.message.emit("warning", "This model cannot sample" + (
                f": {s.snapshot.why_not('sample')}" if s.snapshot is not None else ""))
            return False
        path = path or self.ask_png_path()
        if not path:
            return False

        def write() -> str:
            if d.kind == "image":
                images = s.sample(N_SAMPLES, seed=0)
                save_image_grid(images, path, scale=image_scale(images))  # File > Image export scale
            else:
                save_points_png(s.sample(N_POINTS, seed=0), path, reference=d.test_x[:N_POINTS])
            return f"saved the samples to {path}"

        return save_reporting(s, path, write)

    @shows_model_errors
    def redraw(self) -> None:
        self._dirty = False
        s, d = self.session, self.session.dataset
        self.show_model_error("")  # nothing of the last model stays: what this one cannot do stays empty
        if s.snapshot is None or d is None:
            return
        can_sample = s.snapshot.can("sample")
        self.note.setText("" if can_sample else s.snapshot.why_not("sample"))
        if d.kind == "image":
            self.stack.setCurrentIndex(0)
            if can_sample:
                self.samples.set_images(s.sample(N_SAMPLES, seed=0))
            if s.snapshot.can("encode"):
                originals = d.floats("test", slice(0, N_RECON))
                self.recons.set_images(torch.cat([originals, s.reconstruct(originals)]), nrow=N_RECON)
        else:
            self.stack.setCurrentIndex(1)
            test = d.test_x[:N_POINTS]
            set_points(self.data_item, test)
            if s.snapshot.can("encode"):
                r = s.reconstruct(test)
                set_points(self.recon_item, r)
            if can_sample:
                z = s.sample(len(test), seed=0)
                set_points(self.sample_item, z)

    def show_model_error(self, text: str) -> None:
        """No pictures, and the note says why (the model's own code failed: gui/model_errors.py; or "")."""
        self.samples.clear_images()
        self.recons.clear_images()
        for item in (self.recon_item, self.sample_item):
            item.setData([], [])
        self.note.setText(text)
