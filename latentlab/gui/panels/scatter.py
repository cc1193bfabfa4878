"""The latent scatter: the dataset's codes, coloured by label; a click decodes the point under the mouse.

Drawing 70,000 points fast: the points are rasterised with numpy at paint time
(widgets/point_cloud.py) instead of being styled one by one by pyqtgraph's
ScatterPlotItem (bench/scatter.py measures the difference).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtCore import QCoreApplication, QEvent, QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from latentlab.core.density import GaussianFit
from latentlab.core.latent import (
    AxesProjection,
    PCAProjection,
    ellipse_outline,
    points_in_polygon,
    prior_centre,
    projected_covariances,
)
from latentlab.gui.binding import bind, bind_names
from latentlab.gui.jobs import Job
from latentlab.gui.widgets.busy import BusyLabel
from latentlab.gui.widgets.density import density_item, overlay_work, show_density
from latentlab.gui.widgets.inputs import float_box
from latentlab.gui.widgets.point_cloud import RasterScatterItem, argb
from latentlab.state.scatter import ScatterState
from latentlab.state.session import Session

CLASS_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
IDLE_REDRAW_MS, TRAINING_REDRAW_MS = 200, 1000
MAX_ELLIPSES = 40
MANIFOLD_TILES = 12
HOVER_PIXELS = 8
TOOLS = {"decode": "&Decode", "box": "&Box select", "lasso": "&Lasso", "pan": "&Pan/zoom"}  # Alt+letter picks one
TOOL_TIPS = {
    "decode": "Click or drag anywhere to decode that latent point",
    "box": "Drag a rectangle to select the points inside",
    "lasso": "Draw around points to select them",
    "pan": "Drag to pan, wheel or right-drag to zoom",
}


ARROWS = {Qt.Key_Left: (-1, 0), Qt.Key_Right: (1, 0), Qt.Key_Up: (0, 1), Qt.Key_Down: (0, -1)}


def colour(i: int) -> str:
    return CLASS_COLOURS[i % len(CLASS_COLOURS)]


class ScatterViewBox(pg.ViewBox):
    """The left button does what the panel's tool says; wheel and right-drag still zoom."""

    def __init__(self, panel: LatentScatterPanel):
        super().__init__()
        self.panel = panel

    def mouseClickEvent(self, ev):  # noqa: N802 (Qt's name)
        if ev.button() == Qt.LeftButton and self.panel.tool == "decode":
            ev.accept()
            self.panel.decode_at(self.mapSceneToView(ev.scenePos()))
            if (index := self.panel.example_at(ev.scenePos())) is not None:
                self.panel.example_clicked.emit(index)
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802
        tool = self.panel.tool
        if ev.button() != Qt.LeftButton or tool == "pan":
            return super().mouseDragEvent(ev, axis)
        ev.accept()
        pos = self.mapSceneToView(ev.scenePos())
        if tool == "decode":
            self.panel.decode_at(pos)
        else:
            self.panel.drag_selection(tool, self.mapSceneToView(ev.buttonDownScenePos()), pos, ev.isFinish())


class LatentScatterPanel(QWidget):
    example_clicked = Signal(int)  # a click on (or near) a training example's point: its index

    def __init__(self, session: Session, state: ScatterState | None = None, parent=None):
        super().__init__(parent)
        self.session = session
        self.state = state or ScatterState()
        self.projection = None
        self.view = ScatterViewBox(self)
        self.plot = pg.PlotWidget(viewBox=self.view, background="w")
        self.plot.setAspectLocked(True)
        self.plot.setFocusPolicy(Qt.StrongFocus)
        self.plot.installEventFilter(self)
        self.plot.setToolTip("Click to decode a point. With the keyboard (Ctrl+0 to get here): the arrow keys "
                             "move the decoded point, Shift for bigger steps; Enter decodes the centre")
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="8pt")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.busy = BusyLabel()

        tools = QHBoxLayout()
        self.tool_buttons = QButtonGroup(self)
        self.tool_radios: dict[str, QRadioButton] = {}
        for key, text in TOOLS.items():
            button = QRadioButton(text)
            button.setToolTip(TOOL_TIPS[key])
            button.setChecked(key == self.state.tool)
            button.toggled.connect(lambda on, k=key: on and setattr(self.state, "tool", k))
            self.tool_buttons.addButton(button)
            self.tool_radios[key] = button
            tools.addWidget(button)
        self.state.events.tool.connect(self._set_tool)
        self.clear_selection = QPushButton("Clear selection")
        self.clear_selection.clicked.connect(lambda: session.set_selection([]))
        tools.addStretch(1)

        view_row = QHBoxLayout()
        self.projection_kind = QComboBox()
        self.projection_kind.addItem("two latent axes", "axes")
        self.projection_kind.addItem("PCA of the codes", "pca")
        self.projection_kind.setToolTip("For latent sizes above 2: which plane to look at. The dimensions a "
                                        "projection drops are held at the codes' mean when a click is decoded.")
        self.axis_x, self.axis_y = QSpinBox(), QSpinBox()
        for spin in (self.axis_x, self.axis_y):
            spin.setRange(0, 511)
        for w in (self.projection_kind, self.axis_x, self.axis_y):
            (w.currentIndexChanged if isinstance(w, QComboBox) else w.valueChanged).connect(self.mark_dirty)
        view_row.addWidget(QLabel("view"))
        view_row.addWidget(self.projection_kind)
        view_row.addWidget(QLabel("x"))
        view_row.addWidget(self.axis_x)
        view_row.addWidget(QLabel("y"))
        view_row.addWidget(self.axis_y)
        view_row.addStretch(1)
        view_row.addWidget(self.clear_selection)
        overlay_row = QHBoxLayout()  # a row of its own, so the panel stays narrow enough for a laptop
        overlay_row.addWidget(QLabel("show"))
        self.overlay = {}
        for key, text, tip in (
            ("prior", "prior", "Contours of N(0, I) at 1, 2 and 3 sigma"),
            ("density", "density", "Kernel density estimate of the codes (the aggregate posterior)"),
            ("gaussian", "Gaussian fit", "One Gaussian fitted to the codes: its 1, 2 and 3 sigma contours"),
            ("ellipses", "σ ellipses", "Each selected point's posterior mean with its 1- and 2-sigma ellipse"),
            ("manifold", "manifold", "Decoded images tiled over the visible plane"),
        ):
            box = QCheckBox(text)
            box.setToolTip(tip)
            box.toggled.connect(self.mark_dirty)
            self.overlay[key] = box
            overlay_row.addWidget(box)
        self.kde_scale = float_box(0.05, 20.0, 1.0, decimals=2, step=0.1,
                                   tip="The KDE's kernel width as a multiple of Scott's rule: small is spiky, "
                                       "large smooths the clusters away")
        self.kde_scale.setPrefix("width × ")
        self.kde_scale.valueChanged.connect(self.mark_dirty)
        bind(self.projection_kind, self.state, "projection")
        bind(self.axis_x, self.state, "axis_x")
        bind(self.axis_y, self.state, "axis_y")
        bind_names(self.overlay, self.state, "overlays")
        bind(self.kde_scale, self.state, "kde_width")
        overlay_row.addWidget(self.kde_scale)
        overlay_row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(tools)
        layout.addLayout(view_row)
        layout.addLayout(overlay_row)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)

        self.train_item = RasterScatterItem("dot", 3)
        self.test_item = RasterScatterItem("ring", 5)  # test points: hollow squares
        self.plot.addItem(self.train_item)
        self.plot.addItem(self.test_item)
        self.legend_proxies: list[pg.ScatterPlotItem] = []
        self._palette = np.zeros(1, dtype=np.uint32)
        self.density_image = density_item()
        self.manifold_image = pg.ImageItem(axisOrder="row-major")
        self.manifold_image.setZValue(-10)
        self.manifold_image.setOpacity(0.9)
        self.prior_curves = [pg.PlotCurveItem(pen=pg.mkPen("#444", width=1, style=Qt.DashLine)) for _ in range(3)]
        self.gaussian_curves = [pg.PlotCurveItem(pen=pg.mkPen("#1f4e9e", width=2)) for _ in range(3)]
        self.ellipse_item = pg.PlotCurveItem(pen=pg.mkPen("#000", width=1), connect="finite")
        self.selected_item = pg.ScatterPlotItem(size=9, brush=None, pen=pg.mkPen("k", width=1.5))
        self.selection_path = pg.PlotCurveItem(pen=pg.mkPen("#d62728", width=1.5, style=Qt.DashLine))
        self.crosshair = pg.ScatterPlotItem(size=22, symbol="+", brush="#d62728", pen=pg.mkPen("#d62728", width=2))
        self.path_item = pg.PlotCurveItem(pen=pg.mkPen("#000000", width=2.5))
        # Overlays never steer the automatic range: it follows the data points only.
        for item in (self.density_image, self.manifold_image, *self.prior_curves, *self.gaussian_curves,
                     self.ellipse_item,
                     self.selected_item, self.selection_path, self.crosshair, self.path_item):
            self.plot.addItem(item, ignoreBounds=True)
        self.path_item.setZValue(25)
        self.selected_item.setZValue(20)
        self.crosshair.setZValue(30)

        self._dirty = True
        self.fit_comparison = None  # core.density.FitComparison while a density overlay is on
        self.density_job: Job | None = None
        self._lasso_active = False
        self._path = np.zeros((0, 2))  # the box or lasso being drawn, in plane coordinates
        self._positions = np.zeros((0, 2))  # the training points' 2-D positions, for hover and selection
        self._indices = np.zeros(0, dtype=np.int64)
        self._timer = QTimer(self, interval=IDLE_REDRAW_MS, timeout=self._redraw_if_dirty)
        self._timer.start()
        self._manifold_timer = QTimer(self, singleShot=True, interval=150, timeout=self.draw_manifold)
        self.view.sigRangeChanged.connect(lambda *_: self.overlay["manifold"].isChecked()
                                          and self._manifold_timer.start())
        self.plot.scene().sigMouseMoved.connect(self._hover)
        session.snapshot_changed.connect(self.mark_dirty)
        session.model_changed.connect(self._model_changed)
        session.selection_changed.connect(self._draw_selection)
        session.focus_changed.connect(self._draw_focus)
        session.path_changed.connect(self._draw_path)
        session.state_changed.connect(
            lambda s: self._timer.setInterval(IDLE_REDRAW_MS if s == "idle" else TRAINING_REDRAW_MS))
        self._model_changed()

    # -- controls ----------------------------------------------------------------------
    @property
    def tool(self) -> str:
        return self.state.tool

    def _set_tool(self, tool: str) -> None:
        self.tool_radios[tool].setChecked(True)
        self.selection_path.setData([], [])

    def mark_dirty(self, *_) -> None:
        self._dirty = True

    def _redraw_if_dirty(self) -> None:
        if self._dirty and self.isVisible():
            self.redraw()

    def _model_changed(self) -> None:
        model = self.session.snapshot
        d = model.latent_dim if model is not None else 2
        self.state.axis_x = min(self.state.axis_x, d - 1)
        self.state.axis_y = min(self.state.axis_y, d - 1) if d > 1 else 0
        for spin in (self.axis_x, self.axis_y):
            spin.setRange(0, max(0, d - 1))
        big = d > 2
        for w in (self.projection_kind, self.axis_x, self.axis_y):
            w.setEnabled(big)
            w.setToolTip("" if big else "a 2-D latent is shown as it is")
        posterior = model is not None and model.can("posterior")
        self.overlay["ellipses"].setEnabled(posterior)
        if not posterior and model is not None:
            self.overlay["ellipses"].setToolTip(model.why_not("posterior"))
        images = self.session.dataset is not None and self.session.dataset.kind == "image"
        self.overlay["manifold"].setEnabled(images)
        self.overlay["manifold"].setToolTip("Decoded images tiled over the visible plane" if images else
                                            "for 2-D data the decoded points are shown in the decoder view")
        self._rebuild_items()
        self._positions, self._indices = np.zeros((0, 2)), np.zeros(0, dtype=np.int64)  # hover: the old points
        self.crosshair.setData([], [])
        self.projection = None  # the old one belongs to the old latent space: clicks wait for the redraw
        # Encoding the dataset can take a while: the window paints first, the timer draws the points.
        self.mark_dirty()
        self.view.enableAutoRange()  # follow the codes as they spread, until the user pans or zooms

    def _rebuild_items(self) -> None:
        """A legend entry and a colour per class of the dataset."""
        self.legend.clear()
        d = self.session.dataset
        if d is None:
            return
        names = d.class_names if d.has_labels else ("data",)
        self._palette = np.array([argb(colour(i)) for i in range(len(names))], dtype=np.uint32)
        for i, name in enumerate(names):
            self.legend.addItem(pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(colour(i))), name)
        self.legend.addItem(pg.ScatterPlotItem(size=7, pen=pg.mkPen("#555"), brush=None, symbol="s"), "test (hollow)")

    # -- drawing -------------------------------------------------------------------------
    def fit_projection(self, codes: np.ndarray):
        z = torch.from_numpy(codes)
        if codes.shape[1] > 2 and self.projection_kind.currentData() == "pca":
            return PCAProjection.fit(z)
        x, y = self.axis_x.value(), self.axis_y.value()
        if codes.shape[1] > 1 and x == y:
            y = (x + 1) % codes.shape[1]
        return AxesProjection.fit(z, x, y)

    def redraw(self) -> None:
        self._dirty = False
        codes = self.session.codes()
        model = self.session.snapshot
        if codes is None:
            for item in (self.train_item, self.test_item):
                item.setData(np.zeros((0, 2)), np.zeros(0))
            self.message.setText(model.why_not("encode") if model is not None else "")
            return
        if not (np.isfinite(codes.train).all() and np.isfinite(codes.test).all()):
            self.message.setText("the model's codes are not finite numbers (has training diverged?)")
            return
        self.message.setText("")
        self.projection = self.fit_projection(codes.train)
        tr = self.projection.to_2d(torch.from_numpy(codes.train)).numpy()
        te = self.projection.to_2d(torch.from_numpy(codes.test)).numpy()
        d = self.session.dataset
        y_tr = d.train_y[codes.train_index].numpy() if d.has_labels else np.zeros(len(tr), int)
        y_te = d.test_y[codes.test_index].numpy() if d.has_labels else np.zeros(len(te), int)
        self.train_item.setData(tr, self._palette[y_tr % len(self._palette)])
        self.test_item.setData(te, self._palette[y_te % len(self._palette)])
        self._positions, self._indices = tr, codes.train_index
        x_label, y_label = self.projection.labels
        self.plot.setLabel("bottom", x_label)
        self.plot.setLabel("left", y_label)
        self._draw_prior()
        self._draw_gaussian_fit(tr)
        self._start_density(tr, te)
        self._draw_selection()
        self._draw_path()
        self.draw_manifold()

    def _draw_path(self) -> None:
        path = self.session.path
        if path is None or self.projection is None or path.shape[1] != self.projection.basis.shape[0]:
            self.path_item.setData([], [])
            return
        p = self.projection.to_2d(path).numpy()
        self.path_item.setData(p[:, 0], p[:, 1])

    def _draw_prior(self) -> None:
        show = self.overlay["prior"].isChecked() and self.projection is not None
        centre = prior_centre(self.projection) if show else None
        for k, curve in enumerate(self.prior_curves, start=1):
            if show:
                ring = ellipse_outline(centre, np.eye(2), k)
                curve.setData(ring[:, 0], ring[:, 1])
            else:
                curve.setData([], [])

    def _start_density(self, train: np.ndarray, test: np.ndarray) -> None:
        """The KDE image and the fits' comparison (seconds on large sets): off the GUI thread, with a sign."""
        if self.density_job is not None:
            self.density_job.cancel()  # its result belongs to the old codes or settings
        density, fits = "density" in self.state.overlays, bool({"density", "gaussian"} & self.state.overlays)
        if not density:
            self.density_image.clear()
        if not fits:
            self.fit_comparison = None
        if not (density or fits):
            self.busy.stop()
            return
        scale = self.state.kde_width
        job = Job(overlay_work(train, test, scale, density, fits), "latentlab-density", self)
        job.done.connect(lambda result, s=scale: self._show_density(*result, s))
        job.ended.connect(lambda j=job: self._density_ended(j))
        self.density_job = job
        self.busy.start("estimating the density of the codes…")
        job.start()

    def _show_density(self, image, comparison, scale: float) -> None:
        if "density" in self.state.overlays:
            show_density(self.density_image, image)
        self.fit_comparison = comparison
        if comparison is not None:
            self.message.setText(f"Held-out codes, mean log-density in this plane: Gaussian fit {comparison.gaussian:.3f}, "
                                 f"KDE (width × {scale:g}) {comparison.kde:.3f} nats per point "
                                 "(higher explains them better).")

    def _density_ended(self, job) -> None:
        if job is self.density_job:
            self.density_job = None
            self.busy.stop()

    def shutdown(self) -> None:
        if self.density_job is not None:
            self.density_job.cancel_and_wait()

    def settle(self, timeout_ms: int = 30_000) -> None:
        """Wait for the overlays being computed and show them (lessons, screenshots and tests want the
        finished picture)."""
        job = self.density_job
        if job is not None:
            job.thread.wait(timeout_ms)
            QCoreApplication.sendPostedEvents()
            QCoreApplication.processEvents()

    def _draw_gaussian_fit(self, points: np.ndarray) -> None:
        show = self.overlay["gaussian"].isChecked() and len(points) > 2
        fit = GaussianFit.fit(torch.from_numpy(points).double()) if show else None
        for k, curve in enumerate(self.gaussian_curves, start=1):
            if fit is None:
                curve.setData([], [])
            else:
                ring = ellipse_outline(fit.mean.numpy(), fit.cov.numpy(), k)
                curve.setData(ring[:, 0], ring[:, 1])

    def _draw_selection(self) -> None:
        sel = self.session.selection
        mask = np.isin(self._indices, sel) if len(sel) else np.zeros(len(self._indices), bool)
        self.selected_item.setData(pos=self._positions[mask][:2000])
        self._draw_ellipses(sel)

    @torch.no_grad()
    def _draw_ellipses(self, sel: np.ndarray) -> None:
        model = self.session.snapshot
        if not (self.overlay["ellipses"].isChecked() and len(sel) and model is not None
                and model.can("posterior") and self.projection is not None):
            self.ellipse_item.setData([], [])
            return
        x = self.session.dataset.train_x[torch.from_numpy(sel[:MAX_ELLIPSES])]
        mu, logvar = model.encode_dist(x)
        centres = self.projection.to_2d(mu).numpy()
        covs = projected_covariances(self.projection, logvar).numpy()
        rings = []
        for c, cov in zip(centres, covs):
            for k in (1, 2):
                rings += [ellipse_outline(c, cov, k), np.full((1, 2), np.nan)]
        xy = np.concatenate(rings)
        self.ellipse_item.setData(xy[:, 0], xy[:, 1])

    @torch.no_grad()
    def draw_manifold(self) -> None:
        """The classic figure: a grid of decodes over the visible part of the plane."""
        model, d = self.session.snapshot, self.session.dataset
        if not (self.overlay["manifold"].isChecked() and model is not None and d is not None
                and d.kind == "image" and self.projection is not None):
            self.manifold_image.clear()
            return
        (x0, x1), (y0, y1) = self.view.viewRange()
        n = MANIFOLD_TILES
        xs = np.linspace(x0, x1, 2 * n + 1)[1::2]
        ys = np.linspace(y1, y0, 2 * n + 1)[1::2]  # top row first, as images are drawn
        plane = torch.tensor([[x, y] for y in ys for x in xs], dtype=torch.float32)
        images = model.decode(self.projection.from_2d(plane))[:, 0].numpy()  # [n*n, H, W]
        h, w = images.shape[1:]
        tiled = images.reshape(n, n, h, w).transpose(0, 2, 1, 3).reshape(n * h, n * w)
        self.manifold_image.setImage(np.flipud(tiled), levels=(0, 1))
        self.manifold_image.setRect(float(x0), float(y0), float(x1 - x0), float(y1 - y0))

    def _draw_focus(self, z: torch.Tensor | None, _decoded) -> None:
        if z is None:
            self.crosshair.setData([], [])
        elif self.projection is not None and z.numel() == self.projection.basis.shape[0]:
            p = self.projection.to_2d(z.reshape(1, -1)).numpy()
            self.crosshair.setData(pos=p if np.isfinite(p).all() else np.zeros((0, 2)))

    # -- the keyboard ----------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.plot and event.type() == QEvent.KeyPress:
            if event.key() in ARROWS:
                self.nudge_focus(*ARROWS[event.key()], big=bool(event.modifiers() & Qt.ShiftModifier))
                return True
            if event.key() in (Qt.Key_Return, Qt.Key_Enter):
                self.nudge_focus(0, 0, from_centre=True)
                return True
        return super().eventFilter(watched, event)

    def nudge_focus(self, dx: int, dy: int, big: bool = False, from_centre: bool = False) -> None:
        """Move the decoded point by 2% (big: 10%) of the view, from where it is or the view's centre."""
        if self.projection is None:
            return
        (x0, x1), (y0, y1) = self.view.viewRange()
        focus = self.session.focus
        if from_centre or focus is None or focus.numel() != self.projection.basis.shape[0]:
            plane = torch.tensor([[(x0 + x1) / 2, (y0 + y1) / 2]], dtype=torch.float32)
        else:
            plane = self.projection.to_2d(focus.reshape(1, -1)).float()
        step = 0.1 if big else 0.02
        self.decode_at_plane(plane + torch.tensor([[dx * step * (x1 - x0), dy * step * (y1 - y0)]]))

    # -- the mouse -----------------------------------------------------------------------
    def decode_at(self, pos: QPointF) -> None:
        self.decode_at_plane(torch.tensor([[pos.x(), pos.y()]], dtype=torch.float32))

    def decode_at_plane(self, plane: torch.Tensor) -> None:
        """Decode the latent point shown at these plane coordinates [1, 2]."""
        model = self.session.snapshot
        if self.projection is not None and model is not None and self.projection.basis.shape[0] == model.latent_dim:
            self.session.set_focus(self.projection.from_2d(plane)[0])

    def drag_selection(self, tool: str, start: QPointF, pos: QPointF, finished: bool) -> None:
        if tool == "box":
            xs = [start.x(), pos.x(), pos.x(), start.x(), start.x()]
            ys = [start.y(), start.y(), pos.y(), pos.y(), start.y()]
            self._path = np.array([xs, ys]).T
        else:
            if not self._lasso_active:
                self._path = np.array([[start.x(), start.y()]])
                self._lasso_active = True
            self._path = np.vstack([self._path, [pos.x(), pos.y()]])
        closed = np.vstack([self._path, self._path[:1]])
        self.selection_path.setData(closed[:, 0], closed[:, 1])
        if finished:
            self._lasso_active = False
            self.select_polygon(self._path)
            self.selection_path.setData([], [])

    def select_polygon(self, polygon: np.ndarray) -> None:
        inside = points_in_polygon(self._positions, polygon)
        self.session.set_selection(self._indices[inside])

    def _hover(self, scene_pos) -> None:
        if self.tool == "decode" and (index := self.example_at(scene_pos)) is not None:
            self.session.set_hover(index)

    def example_at(self, scene_pos) -> int | None:
        """The training example drawn within HOVER_PIXELS of this scene position, if any."""
        if not len(self._positions) or not self.view.sceneBoundingRect().contains(scene_pos):
            return None
        pos = self.view.mapSceneToView(scene_pos)
        px, py = self.view.viewPixelSize()
        dx = (self._positions[:, 0] - pos.x()) / px
        dy = (self._positions[:, 1] - pos.y()) / py
        dist2 = dx * dx + dy * dy
        i = int(np.argmin(dist2))
        return int(self._indices[i]) if dist2[i] <= HOVER_PIXELS**2 else None
