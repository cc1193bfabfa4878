"""Interpolation: a path through chosen latent points, a slider along it, a filmstrip, a readout of
how far each frame falls from the data, a side-by-side with a second model, and traversals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from latentlab.core.checkpoints import CheckpointError, load_checkpoint
from latentlab.core.latent import PATH_KINDS, nearest_data_distance, path_points
from latentlab.gui.binding import bind
from latentlab.gui.exports import image_scale, name_plot, save_reporting
from latentlab.gui.model_errors import shows_model_errors
from latentlab.gui.widgets.colour_by import plain_units
from latentlab.gui.widgets.image_grid import ImageGridView
from latentlab.gui.widgets.points import set_points
from latentlab.gui.widgets.reflow import flow_row
from latentlab.handouts import write_animation, write_strip
from latentlab.state.interpolation import Anchor, InterpolationState
from latentlab.state.session import Session

SLIDER_STEPS = 1000
PLAY_FPS = 30
TRAVERSAL_STEPS = 9  # decodes per dimension, from -3 to +3 prior sigmas
MAX_TRAVERSAL_DIMS = 8
BACKDROP_POINTS = 3000  # 2-D data drawn behind the path, on screen and in its exports


__all__ = ["Anchor", "InterpolationPanel"]


class InterpolationPanel(QWidget):
    def __init__(self, session: Session, state: InterpolationState | None = None, parent=None):
        super().__init__(parent)
        self.session = session
        self.state = state or InterpolationState()
        self.compare_model = None
        self.compare_name = ""
        self.frames: torch.Tensor | None = None
        self.frame_latents: torch.Tensor | None = None
        self.current_z: torch.Tensor | None = None  # the latent point at the slider's t
        # Replaced in tests; by default file dialogs.
        self.choose_checkpoint: Callable[[], str | None] = lambda: QFileDialog.getOpenFileName(
            self, "Model to compare", "", "latentlab checkpoints (*.safetensors)")[0] or None
        self.choose_export_path: Callable[[str], str | None] = lambda suffix: QFileDialog.getSaveFileName(
            self, "Export", f"interpolation.{suffix}", f"*.{suffix}")[0] or None

        self.pick = QPushButton("Pick in scatter")
        self.pick.setCheckable(True)
        self.pick.setToolTip("While on, every click in the latent scatter adds a point to the path")
        self.index = QSpinBox()
        self.index.setToolTip("A training example by index")
        add_index = QPushButton("Add #")
        add_index.clicked.connect(lambda: self.add_anchor(Anchor(index=self.index.value())))
        add_selection = QPushButton("Add selection mean")
        add_selection.setToolTip("The mean code of the points selected in the scatter")
        add_selection.clicked.connect(self.add_selection_mean)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.clear)
        self.anchor_label = QLabel("no points yet: pick two in the scatter or add examples by index")
        self.anchor_label.setWordWrap(True)
        self.kind = QComboBox()
        for key, tip in PATH_KINDS.items():
            self.kind.addItem(key, key)
            self.kind.setItemData(self.kind.count() - 1, tip, Qt.ToolTipRole)
        self.kind.setToolTip("\n".join(f"{k}: {v}" for k, v in PATH_KINDS.items()))
        self.n_frames = QSpinBox()
        self.n_frames.setRange(2, 32)
        self.n_frames.setValue(10)
        self.n_frames.setToolTip("Frames in the filmstrip")
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setToolTip("t along the path: 0 at the first point, 1 at the last")
        self.play = QPushButton("Play")
        self.play.setCheckable(True)
        self.sweep = QDoubleSpinBox()
        self.sweep.setRange(0.2, 20.0)
        self.sweep.setValue(2.0)
        self.sweep.setSuffix(" s")
        self.sweep.setToolTip("Seconds for one sweep from start to end")
        self.compare = QPushButton("Compare with…")
        self.compare.setToolTip("A checkpoint whose decoder shows the same examples' interpolation side by side")
        export_png = QPushButton("Filmstrip PNG…")
        export_gif = QPushButton("GIF…")

        self.current = ImageGridView()
        self.strip = ImageGridView()
        self.strip_b = ImageGridView()
        self.strip_b_label = QLabel("")
        self.distance = pg.PlotWidget(background="w")
        self.distance.setLabel("bottom", "t")
        self.distance.setLabel("left", "distance to nearest example")
        for axis in ("bottom", "left"):
            plain_units(self.distance.getAxis(axis))  # no "(x0.001)" while it is empty
        self.distance.setMinimumHeight(80)
        self.distance.setMaximumHeight(160)
        self.distance_curve = self.distance.plot(pen=pg.mkPen("#1f77b4", width=2), symbol="o", symbolSize=4)
        self.distance_b_curve = self.distance.plot(pen=pg.mkPen("#d62728", width=2, style=Qt.DashLine))
        self.t_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#888"))
        self.distance.addItem(self.t_line)
        self.points_view = pg.PlotWidget(background="w")
        self.points_view.setAspectLocked(True)
        self.data_item = self.points_view.plot(pen=None, symbol="o", symbolSize=3, symbolPen=None,
                                               symbolBrush=(150, 150, 150, 110))
        self.path_item = self.points_view.plot(pen=pg.mkPen("#1f77b4", width=2), symbol="o", symbolSize=5)
        self.current_item = self.points_view.plot(pen=None, symbol="+", symbolSize=18, symbolBrush="#d62728",
                                                  symbolPen=pg.mkPen("#d62728", width=2))
        self.traversal = ImageGridView()
        for view, name in ((self.current, "current frame"), (self.strip, "filmstrip"),
                           (self.strip_b, "filmstrip of the compared model"), (self.points_view, "path over the data"),
                           (self.traversal, "latent traversal")):
            name_plot(view, name)
        self.traversal_sliders: list[QSlider] = []
        self.traversal_box = QGroupBox("Traversal (±3 per dimension)")
        self.traversal_box.setToolTip("Each latent dimension from −3 to +3 around the current point")
        self.traversal_grid = QGridLayout()
        reset = QPushButton("Reset offsets")
        reset.clicked.connect(self.reset_traversal)
        tl = QVBoxLayout(self.traversal_box)
        tl.addLayout(self.traversal_grid)
        tl.addWidget(reset)
        tl.addWidget(self.traversal, 1)

        images = QWidget()
        il = QVBoxLayout(images)
        il.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.current, 1)
        top.addWidget(self.traversal_box, 2)
        il.addLayout(top, 3)
        il.addWidget(QLabel("Filmstrip"))
        il.addWidget(self.strip, 1)
        il.addWidget(self.strip_b_label)
        il.addWidget(self.strip_b, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(images)
        self.stack.addWidget(self.points_view)

        row1 = flow_row([self.pick, self.index, add_index, add_selection, clear])  # rows wrap in a narrow dock
        row2 = flow_row([QLabel("path"), self.kind, QLabel("frames"), self.n_frames, self.compare, export_png,
                         export_gif])
        row3 = QHBoxLayout()
        for w in (QLabel("t"), self.slider, self.play, self.sweep):
            row3.addWidget(w, 1 if w is self.slider else 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(row1)
        layout.addWidget(self.anchor_label)
        layout.addWidget(row2)
        layout.addLayout(row3)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.distance)

        self._play_direction = 1
        self._play_timer = QTimer(self, interval=int(1000 / PLAY_FPS), timeout=self._advance)
        self.play.toggled.connect(lambda on: self._play_timer.start() if on else self._play_timer.stop())
        self._refresh_timer = QTimer(self, singleShot=True, interval=0, timeout=self.refresh)
        self.slider.valueChanged.connect(self.show_current)
        bind(self.kind, self.state, "path")
        bind(self.n_frames, self.state, "frames")
        bind(self.sweep, self.state, "sweep")
        bind(self.pick, self.state, "picking")
        for event in (self.state.events.path, self.state.events.frames):
            event.connect(self.schedule_refresh)
        self.state.events.anchors.connect(self.refresh)
        self.state.events.compare.connect(self._load_comparison)
        self.compare.clicked.connect(self.choose_comparison)
        export_png.clicked.connect(lambda: self._export("png"))
        export_gif.clicked.connect(lambda: self._export("gif"))
        session.focus_changed.connect(self._picked)
        session.snapshot_changed.connect(self.schedule_refresh)
        session.model_changed.connect(self._model_changed)
        self._model_changed()
        if self.state.compare:  # asked for before this panel was built (the window builds it when first shown)
            self._load_comparison(self.state.compare)

    # -- anchors ---------------------------------------------------------------------------
    @property
    def anchors(self) -> list[Anchor]:
        return list(self.state.anchors)

    def _picked(self, z: torch.Tensor | None, _x) -> None:
        if z is not None and self.state.picking:
            self.add_anchor(Anchor(z=z.clone()))

    def add_anchor(self, anchor: Anchor) -> None:
        d = self.session.dataset
        if anchor.index is not None and (d is None or not 0 <= anchor.index < len(d.train_x)):
            self.session.message.emit("warning", f"there is no training example #{anchor.index}")
            return
        self.state.add(anchor)

    def add_selection_mean(self) -> None:
        codes, sel = self.session.codes(), self.session.selection
        if codes is None or not len(sel):
            self.session.message.emit("warning", "select some points in the latent scatter first")
            return
        rows = np.isin(codes.train_index, sel)
        self.add_anchor(Anchor(z=torch.from_numpy(codes.train[rows].mean(0))))

    def clear(self) -> None:
        self.state.clear()

    def anchor_latents(self, model=None) -> torch.Tensor:
        """[K, d] latent points of the anchors under `model` (default: the session's snapshot)."""
        model = model or self.session.snapshot
        rows = []
        with torch.no_grad():
            for a in self.anchors:
                if a.index is not None:
                    rows.append(model.encode(self.session.dataset.floats("train", slice(a.index, a.index + 1)))[0])
                else:
                    rows.append(a.z)
        return torch.stack(rows).float()

    # -- computing the path -----------------------------------------------------------------
    def _model_changed(self) -> None:
        model, d = self.session.snapshot, self.session.dataset
        other = self.compare_model
        if other is not None and (d is None or tuple(other.data_shape) != tuple(d.data_shape)):
            self.session.message.emit("warning", f"{self.compare_name} is no longer compared: its model does not "
                                                 "take the data on show")
            self.compare_model, self.compare_name = None, ""
            self.state.compare = ""
        if d is not None:
            self.index.setRange(0, len(d.train_x) - 1)
            self.stack.setCurrentIndex(0 if d.kind == "image" else 1)
            if d.kind == "points":
                x = d.train_x[:BACKDROP_POINTS]
                set_points(self.data_item, x)
        self._rebuild_traversal_sliders(model.latent_dim if model is not None else 0)
        self.refresh()

    def schedule_refresh(self, *_) -> None:
        if self.isVisible() or self.anchors:
            self._refresh_timer.start()

    def t_values(self) -> torch.Tensor:
        return torch.linspace(0, 1, self.state.frames)

    def path_at(self, t: torch.Tensor, model=None) -> torch.Tensor:
        codes = self.session.codes()
        code_tensor = torch.from_numpy(codes.train) if codes is not None else None
        kind = self.state.path
        if model is not None and kind == "data":
            kind = "linear"  # the data path lives in the session model's latent space
        return path_points(self.anchor_latents(model), t, kind, code_tensor)

    @shows_model_errors
    @torch.no_grad()
    def refresh(self) -> None:
        s = self.session
        names = ", ".join(a.label() for a in self.anchors)
        self.anchor_label.setText(f"path through: {names}" if self.anchors else
                                  "no points yet: pick two in the scatter or add examples by index")
        if s.snapshot is None or len(self.anchors) < 2 or not s.snapshot.can("encode"):
            self._clear_drawn()
            return
        t = self.t_values()
        self.frame_latents = self.path_at(t)
        self.frames = s.snapshot.decode(self.frame_latents)
        dense = self.path_at(torch.linspace(0, 1, 100))
        s.set_path(dense)
        dist = nearest_data_distance(self.frames, s.dataset.train_x)
        set_points(self.distance_curve, torch.stack([t, dist], 1))
        if self.frames.dim() == 4:
            self.strip.set_images(self.frames, nrow=len(t))
        else:
            path = s.snapshot.decode(dense)
            set_points(self.path_item, path)
        self._refresh_comparison(t)
        self.show_current()

    def _clear_drawn(self) -> None:
        """No path on show: none of an old model's decodes stay."""
        self.frames = self.frame_latents = self.current_z = None
        self.session.set_path(None)
        self.distance_curve.setData([], [])
        self.distance_b_curve.setData([], [])
        for view in (self.current, self.strip, self.strip_b, self.traversal):
            view.clear_images()
        self.strip_b_label.setText("")
        for item in (self.path_item, self.current_item):
            item.setData([], [])

    def show_model_error(self, text: str) -> None:
        """The model's own code failed while drawing the path (gui/model_errors.py)."""
        self._clear_drawn()
        self.anchor_label.setText(text)

    def _refresh_comparison(self, t: torch.Tensor) -> None:
        model = self.compare_model
        self.distance_b_curve.setData([], [])
        if model is None or self.frames is None or self.frames.dim() != 4:
            self.strip_b.clear_images()
            self.strip_b_label.setText("")
            return
        if any(a.index is None for a in self.anchors):
            self.strip_b_label.setText(f"{self.compare_name}: comparing needs points added by example index "
                                       "(a clicked point means nothing in another model's latent space)")
            self.strip_b.clear_images()
            return
        frames_b = model.decode(self.path_at(t, model))
        self.strip_b.set_images(frames_b, nrow=len(t))
        self.strip_b_label.setText(f"Same examples in {self.compare_name}")
        dist = nearest_data_distance(frames_b, self.session.dataset.train_x)
        set_points(self.distance_b_curve, torch.stack([t, dist], 1))

    @shows_model_errors
    @torch.no_grad()
    def show_current(self, *_) -> None:
        """Decode the point at the slider's t (and the traversal around it)."""
        s = self.session
        t = self.slider.value() / SLIDER_STEPS
        self.t_line.setValue(t)
        if self.frames is None:
            return
        z = self.path_at(torch.tensor([t]))
        x = s.snapshot.decode(z)
        self.current_z = z[0]
        if x.dim() == 4:
            self.current.set_images(x)
            self._draw_traversal()
        else:
            set_points(self.current_item, x)

    # -- traversal -------------------------------------------------------------------------
    def _rebuild_traversal_sliders(self, dims: int) -> None:
        for slider in self.traversal_sliders:
            slider.setParent(None)
        while self.traversal_grid.count():
            item = self.traversal_grid.takeAt(0)
            if item.widget():
                item.widget().setParent(None)
        self.traversal_sliders = []
        for i in range(min(dims, MAX_TRAVERSAL_DIMS)):
            slider = QSlider(Qt.Horizontal)
            slider.setRange(-300, 300)
            slider.setToolTip(f"offset along z[{i}], in prior sigmas")
            slider.valueChanged.connect(self._draw_traversal)
            self.traversal_grid.addWidget(QLabel(f"z[{i}]"), i, 0)
            self.traversal_grid.addWidget(slider, i, 1)
            self.traversal_sliders.append(slider)

    def offsets(self) -> torch.Tensor:
        model = self.session.snapshot
        off = torch.zeros(model.latent_dim if model is not None else 0)
        for i, slider in enumerate(self.traversal_sliders):
            off[i] = slider.value() / 100
        return off

    def reset_traversal(self) -> None:
        for slider in self.traversal_sliders:
            slider.setValue(0)

    @shows_model_errors
    @torch.no_grad()
    def _draw_traversal(self, *_) -> None:
        if self.frames is None or self.frames.dim() != 4 or self.current_z is None:
            return
        centre = self.current_z + self.offsets()
        dims = min(len(centre), MAX_TRAVERSAL_DIMS)
        steps = torch.linspace(-3, 3, TRAVERSAL_STEPS)
        grid = centre.repeat(dims * TRAVERSAL_STEPS, 1)
        for i in range(dims):
            grid[i * TRAVERSAL_STEPS:(i + 1) * TRAVERSAL_STEPS, i] = centre[i] + steps
        self.traversal.set_images(self.session.snapshot.decode(grid), nrow=TRAVERSAL_STEPS)

    # -- playing, comparing, exporting -----------------------------------------------------
    def _advance(self) -> None:
        step = SLIDER_STEPS / (PLAY_FPS * self.sweep.value())
        value = self.slider.value() + self._play_direction * max(1, int(round(step)))
        if value >= SLIDER_STEPS or value <= 0:
            self._play_direction *= -1
        self.slider.setValue(int(np.clip(value, 0, SLIDER_STEPS)))

    def choose_comparison(self) -> None:
        path = self.choose_checkpoint()
        if path:
            self.state.compare = ""  # the same file again is loaded again
            self.state.compare = str(path)

    def _load_comparison(self, path: str) -> None:
        """interpolation.compare: a checkpoint whose decoder shows the same path; a bad one changes nothing."""
        if not path:
            return
        try:
            ckpt = load_checkpoint(path)
        except CheckpointError as e:
            self.session.message.emit("error", str(e))
            return
        d = self.session.dataset
        if d is None or tuple(ckpt.model.data_shape) != tuple(d.data_shape) or not ckpt.model.can("encode"):
            self.session.message.emit("error", f"{path}: its model does not take this dataset's data, "
                                               "or has no encoder to place the examples")
            return
        self.compare_model, self.compare_name = ckpt.model, f"{ckpt.model.family} ({Path(path).name})"
        self.refresh()

    def _export(self, suffix: str) -> None:
        if self.frames is None or self.frames.dim() != 4:
            self.session.message.emit("warning", "choose two points on an image dataset first")
            return
        path = self.choose_export_path(suffix)
        if path:
            self.export(path)

    def export(self, path: str | Path) -> bool:
        """The filmstrip as PNG, or the path (many more frames) as a GIF that plays back and forth."""
        path = Path(path)

        def write() -> str:  # the writers of `latentlab interpolate`: images or 2-D points, each written whole
            d = self.session.dataset
            backdrop = d.train_x[:BACKDROP_POINTS] if d is not None and d.kind == "points" else None
            if path.suffix.lower() == ".gif":
                with torch.no_grad():
                    frames = self.session.snapshot.decode(self.path_at(torch.linspace(0, 1, 40)))
                # File > Image export scale
                write_animation(frames, backdrop, path, image_scale(frames), self.sweep.value())
            else:
                write_strip(self.frames, backdrop, path, image_scale(self.frames))
            return f"exported {path.name}"

        return save_reporting(self.session, path, write)
