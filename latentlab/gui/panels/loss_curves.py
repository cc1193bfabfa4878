"""Live loss curves: every named term of the model, train and test, log scale and smoothing."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from latentlab.gui.binding import bind
from latentlab.gui.widgets.colour_by import plain_units
from latentlab.gui.widgets.legend import legend_below
from latentlab.gui.widgets.plots import plot_widget
from latentlab.state.session import Session
from latentlab.state.window import CurvesState

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
REDRAW_MS = 500  # curves follow training at 2 frames a second, whatever the step rate (a frame costs 4-10 ms)


SYMBOLS = {"beta": "β", "lr": "learning rate", "recon_weight": "recon weight", "mmd_weight": "MMD weight",
           "noise": "corruption", "walkback_p": "walkback p"}

def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over `window` points (shorter at the start), NaN-tolerant."""
    if window <= 1 or len(values) < 2:
        return values
    finite = np.isfinite(values)
    sums = np.cumsum(np.where(finite, values, 0.0))
    counts = np.cumsum(finite)
    sums[window:] = sums[window:] - sums[:-window]
    counts[window:] = counts[window:] - counts[:-window]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


AXIS_TITLES = ("loss (nats / example)", "loss (nats)", "loss")  # the longest that fits the plot's height is shown
MARKERS = ("o", "t", "s", "d", "+", "x")  # test points: one mark per term
TOP_MARGIN = 8  # px above the data area: the top tick's label is centred on its tick
TERM_STYLES = (Qt.SolidLine, Qt.DashDotLine, Qt.DotLine, Qt.DashDotDotLine)


def term_pen(name: str, index: int, colour) -> QPen:
    """Train curves: the total a wide pale band, each other term a thin line of its own style, so a
    term lying exactly on the total (recon when the KL is 0) is still seen."""
    if name == "total":
        band = QColor(colour)
        band.setAlpha(110)
        return pg.mkPen(band, width=5)
    return pg.mkPen(colour, width=1.5, style=TERM_STYLES[index % len(TERM_STYLES)])


class LossCurvesPanel(QWidget):
    def __init__(self, session: Session, state: CurvesState | None = None, parent=None):
        super().__init__(parent)
        self.session = session
        self.state = state or CurvesState()
        self.plot = plot_widget(background="w")
        self.plot.setLabel("bottom", "step")
        self.plot.setLabel("left", AXIS_TITLES[0])
        plain_units(self.plot.getAxis("left"))  # losses in nats as they are, never "(x1e+27)"
        self.plot.getAxis("left").setToolTip("Loss per example; likelihood terms in nats")
        self.plot.getPlotItem().vb.sigResized.connect(self._fit_axis_title)
        # Room above the data area for the top tick's label, which pyqtgraph centres on its tick ("1.0" was cut).
        self.plot.getPlotItem().layout.setContentsMargins(1, TOP_MARGIN, 1, 1)
        # No grid: pyqtgraph draws it through the axes' QPicture, which tripled the cost of every frame.
        self.plot.setDownsampling(auto=True, mode="peak")
        self.legend = legend_below(self.plot)  # outside the data area
        self.log_scale = QCheckBox("log scale")
        self.log_scale.toggled.connect(self._set_log)
        self.smoothing = QSpinBox()
        self.smoothing.setRange(1, 500)
        self.smoothing.setValue(1)
        self.smoothing.setToolTip("Moving average over this many reports (1: raw)")
        self.smoothing.valueChanged.connect(self.redraw)
        bind(self.log_scale, self.state, "log", "curves")
        bind(self.smoothing, self.state, "smoothing", "curves")
        controls = QHBoxLayout()
        controls.addWidget(self.log_scale)
        controls.addWidget(QLabel("smoothing"))
        controls.addWidget(self.smoothing)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(controls)
        layout.addWidget(self.plot, 1)
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        self.marks: list[pg.InfiniteLine] = []  # a dotted line where a live setting changed
        self._test_drawn: tuple | None = None  # (history, points, last step, log scale) of the test curves on show
        self._dirty = False
        self._empty = False  # no points drawn (the axes then show 0 to 1)
        self._timer = QTimer(self, interval=REDRAW_MS, timeout=self._redraw_if_dirty)
        self._timer.start()
        session.history_changed.connect(self._mark_dirty)
        session.model_changed.connect(self._rebuild)
        self._rebuild()

    def _mark_dirty(self) -> None:
        self._dirty = True

    def _redraw_if_dirty(self) -> None:
        if self._dirty and self.isVisible():
            self.redraw()

    def _fit_axis_title(self, *_) -> None:
        """The y axis's title whole: at 1366x768 (and in presentation mode's large font) the plot is shorter
        than "loss (nats / example)", so a shorter form is shown (the axis's tooltip says it all)."""
        axis = self.plot.getAxis("left")
        room = axis.height()
        for title in AXIS_TITLES:  # measured as drawn: the label's box holds margins around the text
            if axis.labelText != title:
                axis.setLabel(title)
            if axis.label.boundingRect().width() <= room:
                break
        axis.resizeEvent()  # pyqtgraph centres the title only when the axis is resized: again for the new text

    def _set_log(self, on: bool) -> None:
        self.plot.setLogMode(y=on)
        self.redraw()

    def _rebuild(self) -> None:
        """One curve per loss term of the current model, train solid and test dashed."""
        self.plot.clear()
        self.marks = []
        self.legend.clear()
        self.curves.clear()
        self._test_drawn = None
        for i, name in enumerate(self._term_names()):
            colour = PALETTE[i % len(PALETTE)]
            self.curves[("train", name)] = self.plot.plot(name=f"{name} (train)", pen=term_pen(name, i, colour))
            self.curves[("test", name)] = self.plot.plot(
                name=f"{name} (test)", pen=pg.mkPen(colour, width=2, style=Qt.DashLine),
                symbol=MARKERS[i % len(MARKERS)], symbolSize=6, symbolBrush=colour, symbolPen=None)
            if name == "total":  # under the terms: a term equal to the total (recon, with β = 0) stays visible
                for kind in ("train", "test"):
                    self.curves[(kind, name)].setZValue(-1)
        self.redraw()

    def _term_names(self) -> list[str]:
        """The model's loss terms, then any other trained term in the history (a followed run's, before its
        model loads); held-out extras such as the ELBO stay in the numbers, not the curves."""
        model = self.session.model
        names = list(model.loss_names) if model is not None else []
        return names + [k for k in self.session.history.train if k not in names]

    def redraw(self) -> None:
        if any(("train", name) not in self.curves for name in self._term_names()):
            self._rebuild()  # draws
            return
        self._dirty = False
        log = self.log_scale.isChecked()
        for which in ("train", "test"):
            steps, terms = self.session.history.arrays(which)
            drawn = (id(self.session.history), len(steps), float(steps[-1]) if len(steps) else -1.0, log)
            if which == "test" and drawn == self._test_drawn:
                continue  # test points come once an epoch; their symbols are the costly part of a frame
            if which == "test":
                self._test_drawn = drawn
            for name, values in terms.items():
                curve = self.curves.get((which, name))
                if curve is None:
                    continue
                if which == "train":
                    values = moving_average(values, self.smoothing.value())
                # Only finite points reach pyqtgraph: its symbol items fail on an all-NaN view,
                # and the log of a non-positive loss is undefined.
                keep = np.isfinite(values) & ((values > 0) if log else True)
                curve.setData(steps[keep], values[keep])
        for (which, name), curve in self.curves.items():
            if name not in self.session.history.arrays(which)[1]:
                curve.setData([], [])
        self._show_empty(all(curve.xData is None or len(curve.xData) == 0 for curve in self.curves.values()))
        self._draw_marks()
        # The range that fits the new points, now rather than in the paint: pyqtgraph fits it as it paints, and
        # the axes and symbols it moves then asked for a second paint of every frame (measured: two ~5 ms paints
        # a redraw while training, the GUI thread's largest task; bench/app.py gui_stall_*).
        self.plot.getPlotItem().vb.prepareForPaint()

    def _show_empty(self, empty: bool) -> None:
        """No points: the axes from 0 to 1 (1 to 10 on the log scale) rather than what pyqtgraph makes of no
        data on a log scale (ticks of 10^-27 to 10^123, "(x1e+27)"); with points, the range follows them again."""
        if empty:
            self.plot.getPlotItem().vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        elif self._empty:
            self.plot.enableAutoRange()
        self._empty = empty

    def _draw_marks(self) -> None:
        """A labelled vertical line at each step where a live setting changed (β = 0 from step 1,200, ...)."""
        marks = self.session.history.marks
        if len(marks) == len(self.marks):
            return
        for line in self.marks:
            self.plot.removeItem(line)
        self.marks = []
        for step, name, value in marks:
            label = f"{SYMBOLS.get(name, name)} = {value:g}"
            line = pg.InfiniteLine(pos=step, angle=90, pen=pg.mkPen("#888", width=1, style=Qt.DotLine), label=label,
                                   labelOpts={"position": 0.92, "color": "#555", "rotateAxis": (1, 0)})
            self.plot.addItem(line, ignoreBounds=True)
            self.marks.append(line)

    def plot_item(self) -> pg.PlotItem:
        return self.plot.getPlotItem()
