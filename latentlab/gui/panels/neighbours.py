"""The neighbours view: the clicked example beside its reconstruction, and a gallery of its k nearest
neighbours (in latent or data space) with their distances; a click on a neighbour moves the focus there.

Above core/neighbours.py EXACT_LIMIT points the search needs an approximate index (state/neighbours.py): the
panel builds it in a background Job, busy label showing, and searches again when it is ready; a job whose
points are no longer the ones searched (new data, model, snapshot or space) is cancelled and its index dropped."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import QCoreApplication, QSize, Qt
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
from latentlab.gui.jobs import Job
from latentlab.gui.model_errors import shows_model_errors
from latentlab.gui.widgets.busy import BusyLabel
from latentlab.gui.widgets.image_grid import ImageGridView, grid_array
from latentlab.state.colour import CrossFilter
from latentlab.state.neighbours import IndexKey, NeighboursState
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
        self.busy = BusyLabel()  # an approximate index being built
        self.busy.setWordWrap(True)
        self.index_job: Job | None = None
        self.index_key: IndexKey | None = None  # what the running job indexes
        self.index_failures: dict[IndexKey, str] = {}  # not tried again for the same points
        self._live: list[Job] = []  # with cancelled ones still finishing (pynndescent cannot stop mid-phase)
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
        layout.addWidget(self.busy)
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

    @shows_model_errors
    def refresh(self, *_) -> None:
        """Search the example's neighbours again and show them (the example, k or space changed)."""
        f = self.cross_filter
        found = self.state.search(self.session, f.mask if f is not None and f.active else None)
        self._follow_request()
        d, i = self.session.dataset, self.state.example
        self._clear_gallery()
        if found is None or d is None or i is None:
            self.caption.setText(self.state.message or HINT)
            self.example.clear_images()
            self.gallery_label.setText("")
            return
        x = d.floats("train", slice(i, i + 1))
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
        self.gallery_label.setText(f"Its {len(found.indices)} nearest neighbours in {space} space{among}, "
                                   f"{found.method} (distance under each; click one to go to it):")
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

    # -- the approximate index, in the background ----------------------------------------------
    def _follow_request(self) -> None:
        """Build the index the last search asked for, once; a job for other points is cancelled (stale)."""
        request = self.state.request
        if self.index_job is not None and (request is None or request.key != self.index_key):
            self.cancel_index()
        if request is None or self.index_job is not None:
            return
        if request.key in self.index_failures:
            self.state.message = self.index_failures[request.key]
            return
        job = Job(request.build, "latentlab-neighbour-index", self)
        text = request.describe()
        job.progress.connect(lambda f, t=text: self.busy.start(f"{t} {f:.0%}"))
        job.done.connect(lambda index, k=request.key: self._index_done(k, index))
        job.failed.connect(lambda e, k=request.key: self._index_failed(k, e))
        job.ended.connect(lambda j=job: self._index_ended(j))
        self.index_job, self.index_key = job, request.key
        self._live.append(job)
        self.busy.start(text)
        job.start()

    def _index_done(self, key: IndexKey, index) -> None:
        if self.state.index_built(key, index):  # still the points searched: search again, now in the index
            self.refresh()

    def _index_failed(self, key: IndexKey, error: str) -> None:
        self.index_failures[key] = f"the approximate index failed: {error}"
        if self.state.request is not None and self.state.request.key == key:
            self.caption.setText(self.index_failures[key])

    def _index_ended(self, job: Job) -> None:
        if job in self._live:
            self._live.remove(job)
        if job is self.index_job:
            self.index_job, self.index_key = None, None
            self.busy.stop()

    def cancel_index(self) -> None:
        if self.index_job is not None:
            self.index_job.cancel()  # its result is dropped when it ends
            self.index_job, self.index_key = None, None
            self.busy.stop()

    def settle(self, timeout_ms: int = 600_000) -> None:
        """Wait for an index being built and show its neighbours (screenshots and tests want them)."""
        job = self.index_job
        if job is not None:
            job.thread.wait(timeout_ms)
            QCoreApplication.sendPostedEvents()
            QCoreApplication.processEvents()

    def shutdown(self) -> None:
        """The window closes: a build cannot be stopped mid-phase, and the process leaves with os._exit, so
        waiting long would only delay the quit."""
        for job in list(self._live):
            job.cancel_and_wait(5_000)

    def show_model_error(self, text: str) -> None:
        """The model's own code failed (gui/model_errors.py): the example and its neighbours go, the caption says why."""
        self._clear_gallery()
        self.example.clear_images()
        self.gallery_label.setText("")
        self.caption.setText(text)

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
            s.set_focus(s.snapshot.encode(s.dataset.floats("train", slice(index, index + 1)))[0])
        s.set_hover(index)
        self.state.pick(index)
