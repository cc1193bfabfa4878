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
from latentlab.core.projections import NONLINEAR, RELIABLE_SPACINGS, TITLES, NonlinearProjection, unreliable_mask
from latentlab.gui.binding import bind, bind_names
from latentlab.gui.jobs import Job
from latentlab.gui.model_errors import shows_model_errors
from latentlab.gui.widgets.busy import BusyLabel
from latentlab.gui.widgets.colour_by import (
    ColourControls,
    ColourKey,
    ValueJobs,
    colour_bar,
    levels,
    plain_units,
    point_colours,
)
from latentlab.gui.widgets.density import ALPHA_RAMP, density_item, overlay_work, show_density
from latentlab.gui.widgets.inputs import float_box
from latentlab.gui.widgets.plots import LazyMenuViewBox
from latentlab.gui.widgets.point_cloud import RasterScatterItem
from latentlab.gui.widgets.projection_job import ProjectionJobs
from latentlab.gui.widgets.reflow import flow_row
from latentlab.gui.widgets.sprites import SpriteControls, SpriteItem, connect_item
from latentlab.gui.widgets.status_line import StatusLine
from latentlab.state.colour import CrossFilter, ExampleValues, FilterState
from latentlab.state.projection import explored_codes, wanted
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


def projection_dim(projection) -> int:
    """The latent size a projection maps from."""
    return projection.dim if isinstance(projection, NonlinearProjection) else projection.basis.shape[0]


def colour(i: int) -> str:
    return CLASS_COLOURS[i % len(CLASS_COLOURS)]


class ScatterViewBox(LazyMenuViewBox):
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

    def __init__(self, session: Session, state: ScatterState | None = None, parent=None,
                 values: ExampleValues | None = None, cross_filter: CrossFilter | None = None):
        super().__init__(parent)
        self.session = session
        self.state = state or ScatterState()
        self.values = values or ExampleValues(session)
        self.cross_filter = cross_filter or CrossFilter(FilterState(), self.values)
        self.projection = None
        self.view = ScatterViewBox(self)
        self.plot = pg.PlotWidget(viewBox=self.view, background="w")
        self.plot.setAspectLocked(True)
        self.plot.setFocusPolicy(Qt.StrongFocus)
        self.plot.installEventFilter(self)
        self.plot.setToolTip("Click to decode a point. With the keyboard (Ctrl+0 to get here): the arrow keys "
                             "move the decoded point, Shift for bigger steps; Enter decodes the centre")
        self.key = ColourKey(self.plot.getPlotItem())  # legend or colour bar, outside the data area
        self.legend = self.plot.getPlotItem().legend = self.key.legend  # (the theme colours plot.legend)
        for axis in ("bottom", "left"):  # plain units: "(x0.001)" on an almost empty plot misleads
            plain_units(self.plot.getAxis(axis))
        self.hover_info = StatusLine("", lines=1)  # the hovered example's values and metadata
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
        self.projection_kind.addItem("UMAP of the codes", "umap")
        self.projection_kind.addItem("t-SNE of the codes", "tsne")
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
        # A row of its own, so the panel stays narrow enough for a laptop; it wraps where even that is too
        # wide (presentation mode's large font at 1366x768).
        overlay_row: list[QWidget] = [QLabel("show")]
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
            overlay_row.append(box)
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
        overlay_row.append(self.kde_scale)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(tools)
        layout.addLayout(view_row)
        layout.addWidget(flow_row(overlay_row))
        self.sprite_controls = SpriteControls(self.state)  # thumbnails at the codes (widgets/sprites.py)
        layout.addWidget(self.sprite_controls)
        self.colour_controls = ColourControls(self.state, self.cross_filter.state, self.values)
        layout.addWidget(self.colour_controls)
        layout.addWidget(self.plot, 1)
        self.projection_note = QLabel("")  # which inverse a click decodes through (UMAP, t-SNE)
        self.projection_note.setWordWrap(True)
        layout.addWidget(self.hover_info)
        layout.addWidget(self.projection_note)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)

        self.train_item = RasterScatterItem("dot", 3)
        self.test_item = RasterScatterItem("ring", 5)  # test points: hollow squares
        self.plot.addItem(self.train_item)
        self.plot.addItem(self.test_item)
        self.sprite_item = SpriteItem(self._sprite_images)
        self.sprite_item.setZValue(5)  # above the points, below the selection and the crosshair
        self.plot.addItem(self.sprite_item, ignoreBounds=True)
        connect_item(self.state, self.sprite_item)
        self.sprite_item.busy.connect(self._value_busy)  # a large atlas of thumbnails being made
        self.value_jobs = ValueJobs(self.values, self._value_busy, self)
        self._stale: dict[str, tuple] = {}  # model values of the previous weights, shown while recomputed
        self.density_image = density_item(1.0)
        self._density_bar: pg.ColorBarItem | None = None  # built when the density is first shown
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

        # UMAP and t-SNE: fitted in the background, kept per codes; where their inverse guesses is shaded.
        self.projection_jobs = ProjectionJobs(self._projection_busy, self)
        self.projection_jobs.ready.connect(self.mark_dirty)
        self.projection_jobs.failed.connect(self.message.setText)
        self.unreliable_image = pg.ImageItem(axisOrder="row-major")
        self.unreliable_image.setZValue(-5)
        self.plot.addItem(self.unreliable_image, ignoreBounds=True)
        self._dirty = True
        self.fit_comparison = None  # core.density.FitComparison while a density overlay is on
        self.density_job: Job | None = None
        self._lasso_active = False
        self._path = np.zeros((0, 2))  # the box or lasso being drawn, in plane coordinates
        self._positions = np.zeros((0, 2))  # the training points' 2-D positions, for hover and selection
        self._indices = np.zeros(0, dtype=np.int64)
        self._painted = False  # the timer's redraws wait for the first paint (paintEvent)
        self._timer = QTimer(self, interval=IDLE_REDRAW_MS, timeout=self._redraw_if_dirty)
        self._timer.start()
        self._manifold_timer = QTimer(self, singleShot=True, interval=150, timeout=self.draw_manifold)
        self.view.sigRangeChanged.connect(lambda *_: self._draw_unreliable())
        self.view.sigRangeChanged.connect(lambda *_: self.overlay["manifold"].isChecked()
                                          and self._manifold_timer.start())
        self.plot.scene().sigMouseMoved.connect(self._hover)
        for signal in (session.model_changed, session.snapshot_changed):  # first: the encoding starts at once
            signal.connect(self._encode_ahead)
        session.snapshot_changed.connect(self.mark_dirty)
        session.model_changed.connect(self._model_changed)
        session.dataset_changed.connect(self._rebuild_items)
        session.dataset_changed.connect(self.sprite_item.clear_atlas)
        session.selection_changed.connect(self._draw_selection)
        self.state.events.colour_by.connect(self.mark_dirty)
        self.cross_filter.changed.connect(self.mark_dirty)
        self.values.changed.connect(self.mark_dirty)
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

    def _encode_ahead(self) -> None:
        """New weights' codes are encoded in a thread as soon as the weights exist, while the window goes on
        (at start-up it is built and painted meanwhile); the redraw takes them. A hidden scatter leaves them
        to its redraw once shown."""
        if self.isVisible() or not self._painted:
            self.session.encode_ahead()

    def _redraw_if_dirty(self) -> None:
        if self._dirty and self.isVisible() and self._painted:
            self.redraw()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """The window is painted before the codes are first encoded and drawn, which follow at once."""
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self._redraw_if_dirty)

    def _model_changed(self) -> None:
        model, data = self.session.snapshot, self.session.dataset
        d = model.latent_dim if model is not None else (data.train_x[0].numel() if data is not None else 2)
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
        self.sprite_controls.set_available(images, "thumbnails need image data: 2-D points are drawn as they are")
        self._rebuild_items()
        self._positions, self._indices = np.zeros((0, 2)), np.zeros(0, dtype=np.int64)  # hover: the old points
        self.crosshair.setData([], [])
        self.projection = None  # the old one belongs to the old latent space: clicks wait for the redraw
        # Encoding the dataset can take a while: the window paints first, the timer draws the points.
        self.mark_dirty()
        self.view.enableAutoRange()  # follow the codes as they spread, until the user pans or zooms

    def _rebuild_items(self) -> None:
        """The colour and filter choices of the new data and model (the key is drawn with the points)."""
        self._stale = {}
        self.colour_controls.refill()
        self.hover_info.setText("")

    # -- drawing -------------------------------------------------------------------------
    def _sprite_images(self) -> torch.Tensor | None:
        d = self.session.dataset
        return d.train_x if d is not None and d.kind == "image" else None

    def fit_projection(self, codes: np.ndarray):
        z = torch.from_numpy(codes)
        kind = self.projection_kind.currentData()
        if codes.shape[1] > 2 and kind in NONLINEAR:
            found = wanted(self.session, kind, self.projection_jobs.cache)
            if found is not None and found[1] is not None:
                self.projection_jobs.cancel()
                return found[1]
            if found is not None and found[0] in self.projection_jobs.failures:
                self.projection_note.setText(f"{self.projection_jobs.failures[found[0]]}; PCA instead")
            elif found is not None and self.session.state == "idle":
                whole = explored_codes(self.session)
                self.projection_jobs.want(found[0], codes, whole.test if whole is not None else None)
                self.projection_note.setText(f"{TITLES[kind]} is being computed; PCA meanwhile")
            elif found is not None:
                self.projection_note.setText(f"{TITLES[kind]} is computed once training stops; PCA meanwhile")
            return PCAProjection.fit(z)  # meanwhile
        self.projection_jobs.cancel()
        if codes.shape[1] > 2 and kind == "pca":
            return PCAProjection.fit(z)
        x, y = self.axis_x.value(), self.axis_y.value()
        if codes.shape[1] > 1 and x == y:
            y = (x + 1) % codes.shape[1]
        return AxesProjection.fit(z, x, y)

    @shows_model_errors
    def redraw(self) -> None:
        self._dirty = False
        codes = explored_codes(self.session)  # with no model, the data's own vectors
        model = self.session.snapshot
        if codes is None:
            self.show_model_error(model.why_not("encode") if model is not None else "")
            return
        if not (np.isfinite(codes.train).all() and np.isfinite(codes.test).all()):  # no points of another state
            self.show_model_error("the model's codes are not finite numbers (has training diverged?)")
            return
        self.message.setText("")
        self.projection_note.setText("")
        self.projection = self.fit_projection(codes.train)
        if isinstance(self.projection, NonlinearProjection):
            tr = self.projection.embedding.numpy()  # the fit's own positions of these codes
            inverse = (self.projection.inverse if model is not None else
                       "no model, so nothing to decode: a click on a point shows its neighbours (Neighbours panel)")
            self.projection_note.setText(f"{inverse}; the shaded area is over {RELIABLE_SPACINGS:g} typical "
                                         "spacings from any point: an inverse would only guess there")
        else:
            tr = self.projection.to_2d(torch.from_numpy(codes.train)).numpy()
        te = (self.projection.place(codes.test) if isinstance(self.projection, NonlinearProjection)
              else self.projection.to_2d(torch.from_numpy(codes.test)).numpy())
        tr_colours, te_colours = self._colours(codes)
        self.train_item.setData(tr, tr_colours)
        self.sprite_item.setData(tr, codes.train_index, tr_colours)
        self.test_item.setData(te, te_colours)
        self._positions, self._indices = tr, codes.train_index
        x_label, y_label = self.projection.labels
        if model is None:  # no model: the axes are the data's own coordinates, not codes
            x_label, y_label = (label.replace("z[", "x[", 1) for label in (x_label, y_label))
        self.plot.setLabel("bottom", x_label)
        self.plot.setLabel("left", y_label)
        self._draw_prior()
        self._draw_gaussian_fit(tr)
        self._start_density(tr, te)
        self._draw_selection()
        self._draw_path()
        self._draw_focus(self.session.focus, None)  # the decoded point, where the new projection puts it
        self._draw_unreliable()
        self.draw_manifold()
        self.view.prepareForPaint()  # the range that follows the codes now, not in the paint (which then paints twice)

    def show_model_error(self, text: str) -> None:
        """No points to show (no codes, codes that are not finite, or the model's own code failed: see
        gui/model_errors.py): none of the last ones stay, and the message says why."""
        for item in (self.train_item, self.test_item):
            item.setData(np.zeros((0, 2)), np.zeros(0))
        self.sprite_item.setData(np.zeros((0, 2)), np.zeros(0, dtype=np.int64))
        self._clear_overlays()
        for side in ("bottom", "left"):
            self.plot.setLabel(side, "")  # no z[0] over a map with no codes
        self.message.setText(text)

    def _clear_overlays(self) -> None:
        """No codes to show (a model with no encoder): nothing drawn from the last model's codes stays (its
        density and its colour bar, the fits, the selection, the path, the decoded point)."""
        self.projection = None
        self._positions, self._indices = np.zeros((0, 2)), np.zeros(0, dtype=np.int64)
        if self.density_job is not None:
            self.density_job.cancel()
        self.busy.stop()
        self._hide_density()
        self.key.hide()  # the last codes' legend or colour bar
        self.fit_comparison = None
        self.projection_note.setText("")
        self._draw_prior()
        self._draw_gaussian_fit(np.zeros((0, 2)))
        self._draw_selection()
        self._draw_path()
        self._draw_focus(None, None)
        self._draw_unreliable()
        self.draw_manifold()

    def _colours(self, codes) -> tuple[np.ndarray, np.ndarray]:
        """Each point's colour by the chosen value (a model value computed in a job: the last one meanwhile),
        dimmed where the filter rules it out; the key beside the plot says what they mean."""
        name, f = self.state.colour_by, self.cross_filter
        self.value_jobs.want(name)
        self.value_jobs.want(f.state.by)
        pair = self.values.get(name)
        if pair is not None:
            self._stale[name] = pair
        elif name in self._stale and len(self._stale[name][0].numbers) == len(self.session.dataset.train_x):
            pair = self._stale[name]
        span = None
        if pair is None:
            self.key.hide()
        elif pair[0].categorical:
            self.key.show_categories(pair[0].categories)
        else:
            span = levels(pair[0])
            self.key.show_range(pair[0].label, span)
        train, test = pair if pair is not None else (None, None)
        return (point_colours(train, codes.train_index, span, f.mask),
                point_colours(test, codes.test_index, span, f.test_mask))

    def _value_busy(self, text: str | None) -> None:
        if text is None:
            if self.density_job is None:
                self.busy.stop()
        else:
            self.busy.start(text)

    def describe_example(self, index: int) -> str:
        """The hovered example in one line: its index, label, the coloured value and every metadata column."""
        d = self.session.dataset
        if d is None or index >= len(d.train_x):
            return ""
        parts = [f"example {index}"]
        if d.has_labels and d.class_names:
            parts.append(f"label {d.class_names[int(d.train_y[index])]}")
        name = self.state.colour_by
        pair = self.values.get(name) if name != "label" and not name.startswith("meta:") else None
        if pair is not None:
            v = pair[0].numbers[index]
            parts.append(f"{pair[0].label} {v:.4g}" if np.isfinite(v) else f"{pair[0].label} ?")
        parts += [f"{column} {texts[index]}" for column, texts in d.train_meta.items()]
        if not self.cross_filter.passes(index):
            parts.append("(filtered out)")
        return " · ".join(parts)

    def _draw_path(self) -> None:
        path = self.session.path
        if path is None or self.projection is None or path.shape[1] != projection_dim(self.projection):
            self.path_item.setData([], [])
            return
        p = self.projection.to_2d(path).numpy()
        self.path_item.setData(p[:, 0], p[:, 1])

    def _draw_prior(self) -> None:
        show = (self.overlay["prior"].isChecked() and self.projection is not None
                and not isinstance(self.projection, NonlinearProjection))  # N(0, I)'s rings are not rings there
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
            self._hide_density()
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

    def _hide_density(self) -> None:
        """The density image and its colour bar off the plot."""
        self.density_image.clear()
        if self._density_bar is not None:
            self.key.place(self._density_bar, 5, False)

    @property
    def density_bar(self) -> pg.ColorBarItem:
        if self._density_bar is None:
            self._density_bar = colour_bar(ALPHA_RAMP, "density of the codes")
            self._density_bar.hide()
        return self._density_bar

    def _show_density(self, image, comparison, scale: float) -> None:
        if "density" in self.state.overlays:
            show_density(self.density_image, image)
            if image is not None:
                self.density_bar.setLevels((0, float(image.values.max()) or 1.0))
            self.key.place(self.density_bar, 5, image is not None)
        self.fit_comparison = comparison
        if comparison is not None:
            self.message.setText(f"Held-out codes, mean log-density in this plane: Gaussian fit {comparison.gaussian:.3f}, "
                                 f"KDE (width × {scale:g}) {comparison.kde:.3f} nats per point "
                                 "(higher explains them better).")

    def _density_ended(self, job) -> None:
        if job is self.density_job:
            self.density_job = None
            self.busy.stop()

    def _projection_busy(self, text: str | None) -> None:
        if text is None:
            self._value_busy(None)
        else:
            self.busy.start(text)

    def _draw_unreliable(self) -> None:
        """Shade the plane where a non-linear projection's inverse extrapolates (far from every code)."""
        p = self.projection
        if not isinstance(p, NonlinearProjection):
            self.unreliable_image.clear()
            return
        (x0, x1), (y0, y1) = self.view.viewRange()
        mask = unreliable_mask(p, (x0, x1), (y0, y1))
        rgba = np.zeros((*mask.shape, 4), dtype=np.uint8)
        rgba[mask] = (128, 128, 128, 70)
        self.unreliable_image.setImage(rgba, levels=None)
        self.unreliable_image.setRect(float(x0), float(y0), float(x1 - x0), float(y1 - y0))

    def shutdown(self) -> None:
        self.projection_jobs.shutdown()
        self.sprite_item.shutdown()
        self.value_jobs.shutdown()
        if self.density_job is not None:
            self.density_job.cancel_and_wait()

    def settle(self, timeout_ms: int = 30_000) -> None:
        """Wait for the overlays being computed and show them (lessons, screenshots and tests want the
        finished picture)."""
        self.projection_jobs.wait(timeout_ms * 4)
        self.sprite_item.settle(timeout_ms)
        QCoreApplication.sendPostedEvents()
        QCoreApplication.processEvents()
        if self._dirty:
            self.redraw()
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
                and model.can("posterior") and self.projection is not None
                and not isinstance(self.projection, NonlinearProjection)):
            self.ellipse_item.setData([], [])
            return
        x = self.session.dataset.floats("train", torch.from_numpy(sel[:MAX_ELLIPSES]))
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
        images = model.decode(self.projection.from_2d(plane)).clamp(0, 1).numpy()  # [n*n, C, H, W]
        c, h, w = images.shape[1:]
        tiled = images.reshape(n, n, c, h, w).transpose(0, 3, 1, 4, 2).reshape(n * h, n * w, c)
        tiled = tiled[..., 0] if c == 1 else tiled  # grey [H, W] or colour [H, W, C]
        self.manifold_image.setImage(np.ascontiguousarray(np.flipud(tiled)), levels=(0, 1))
        self.manifold_image.setRect(float(x0), float(y0), float(x1 - x0), float(y1 - y0))

    def _draw_focus(self, z: torch.Tensor | None, _decoded) -> None:
        if z is None:
            self.crosshair.setData([], [])
        elif self.projection is not None and z.numel() == projection_dim(self.projection):
            p = self.projection.to_2d(z.reshape(1, -1)).numpy()
            self.crosshair.setData(pos=p if np.isfinite(p).all() else np.zeros((0, 2)))

    # -- the keyboard ----------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.plot and event.type() == QEvent.KeyPress:
            if event.key() in ARROWS:
                self.nudge_focus(*ARROWS[event.key()], big=bool(event.modifiers() & Qt.ShiftModifier))
                return True
            if event.key() == Qt.Key_Escape and self.projection_jobs.running():
                self.projection_jobs.cancel()  # a UMAP or t-SNE being computed: stop, back to PCA
                self.state.projection = "pca"
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
        if from_centre or focus is None or focus.numel() != projection_dim(self.projection):
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
        if self.projection is not None and model is not None and projection_dim(self.projection) == model.latent_dim:
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
            self.hover_info.setText(self.describe_example(index))
        elif isinstance(self.projection, NonlinearProjection) and self.view.sceneBoundingRect().contains(scene_pos):
            pos = self.view.mapSceneToView(scene_pos)
            if not bool(self.projection.reliable(torch.tensor([[pos.x(), pos.y()]]))[0]):
                self.hover_info.setText("outside the data: a click here decodes an extrapolated guess")

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
