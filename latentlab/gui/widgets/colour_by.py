"""Colour the scatter by any per-example value, and filter by one (state/colour.py).

- ColourControls: the "colour by" and "filter" row, bound to ScatterState.colour_by and FilterState.
- ColourKey: a categorical legend or a continuous colour bar, both outside the data area (in the plot
  item's layout, right of the axes), so they never cover points.
- point_colours: the ARGB colour of each point (RasterScatterItem's input), dimmed where filtered out.
- ValueJobs: model values (reconstruction error, KL, ELBO) computed off the GUI thread, one Job each.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QDoubleValidator
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

from latentlab.core.example_values import Values
from latentlab.gui.jobs import Job
from latentlab.gui.widgets.point_cloud import argb
from latentlab.gui.widgets.reflow import flow_row
from latentlab.state.colour import ExampleValues, FilterState
from latentlab.state.schema import lookup

CONTINUOUS = pg.colormap.get("viridis")
UNKNOWN = 0xFFC8C8C8  # a value not known (a row not coded while training, a value still being computed)
DIMMED_ALPHA = 0x22  # filtered-out points stay as faint ghosts for context
CLASS_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def plain_units(axis: pg.AxisItem) -> pg.AxisItem:
    """Tick labels in the data's own units: no "(x0.001)" scaling (pyqtgraph scales unit-less axes whose
    values lie within 0..1, and its enableAutoSIPrefix(False) alone keeps the last scale)."""
    axis.setSIPrefixEnableRanges(())
    axis.enableAutoSIPrefix(False)
    return axis


def colour_bar(colour_map, label: str = "") -> pg.ColorBarItem:
    """A colour bar to place in a plot's layout, in plain units, as wide as its ticks and label need."""
    bar = pg.ColorBarItem(values=(0, 1), colorMap=colour_map, interactive=False, width=12)
    plain_units(bar.axis)
    bar.axis.setWidth(None)  # pyqtgraph fixes 45 px: a label would be drawn over the tick values
    if label:
        bar.axis.setLabel(label)
    bar.setParentItem(None)
    return bar


def palette(n: int) -> np.ndarray:
    """n category colours (tab10, then tab20's lighter ones, then repeating)."""
    extra = ["#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
             "#dbdb8d", "#9edae5"]
    colours = CLASS_COLOURS + extra
    return np.array([argb(colours[i % len(colours)]) for i in range(max(1, n))], dtype=np.uint32)


def levels(values: Values) -> tuple[float, float]:
    """The colour range of a continuous value: its 1st to 99th percentile (outliers would wash it out)."""
    v = values.numbers[np.isfinite(values.numbers)]
    if not len(v):
        return 0.0, 1.0
    lo, hi = (float(q) for q in np.percentile(v, [1, 99]))
    return (lo, hi) if hi > lo else (lo - 0.5, lo + 0.5)


def point_colours(values: Values | None, rows: np.ndarray, span: tuple[float, float] | None,
                  mask: np.ndarray | None = None) -> np.ndarray:
    """ARGB colours of the examples `rows`: categories from the palette, numbers through the colour map
    over `span`; examples the filter's `mask` rules out are dimmed."""
    if values is None:
        out = np.full(len(rows), UNKNOWN, dtype=np.uint32)
    elif values.categorical:
        codes = values.numbers[rows]
        out = palette(len(values.categories))[codes % len(values.categories)]
        out = np.where(codes < 0, UNKNOWN, out).astype(np.uint32)
    else:
        v = values.numbers[rows]
        lo, hi = span or levels(values)
        t = np.clip((v - lo) / (hi - lo), 0, 1)
        lut = CONTINUOUS.getLookupTable(nPts=256, alpha=False).astype(np.uint32)  # [256, 3]
        i = np.nan_to_num(t * 255, nan=0).astype(np.int64)
        out = (0xFF000000 | (lut[i, 0] << 16) | (lut[i, 1] << 8) | lut[i, 2]).astype(np.uint32)
        out[~np.isfinite(v)] = UNKNOWN
    if mask is not None:
        out = np.where(mask[rows], out, (out & 0x00FFFFFF) | (DIMMED_ALPHA << 24)).astype(np.uint32)
    return out


class ColourKey:
    """What the colours mean, right of the plot: a legend for categories or a colour bar for numbers."""

    def __init__(self, plot: pg.PlotItem, column: int = 3):
        self.plot, self.column = plot, column
        self.legend = pg.LegendItem(labelTextSize="8pt", verSpacing=-6)
        self.legend.setParentItem(None)
        self.legend.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)  # rows stay together, at the top
        self._bar: pg.ColorBarItem | None = None
        self._shown: pg.GraphicsWidget | None = None
        self._listed: tuple | None = None  # (names, with_test, colours) the legend holds
        self.plot.layout.setColumnStretchFactor(column, 0)

    @property
    def bar(self) -> pg.ColorBarItem:
        """The colour bar, built when first needed (a plot of its own: ~10 ms that a start need not wait for)."""
        if self._bar is None:
            self._bar = colour_bar(CONTINUOUS)
        return self._bar

    def _show(self, item: pg.GraphicsWidget | None) -> None:
        if item is self._shown:
            return
        if self._shown is not None:
            self.plot.layout.removeItem(self._shown)
            self._shown.setParentItem(None)
            self._shown.hide()
        if item is not None:
            self.plot.layout.addItem(item, 2, self.column)
            self.plot.layout.setAlignment(item, Qt.AlignTop | Qt.AlignLeft)
            item.show()
        self._shown = item

    def show_categories(self, names: tuple[str, ...], with_test: bool = True) -> None:
        """The legend, rebuilt only when its entries change: rebuilding it (~20 ms of pyqtgraph items) at every
        scatter redraw was the longest stall of the GUI thread while training (bench/app.py gui_stall_max_ms)."""
        colours = palette(len(names))
        listed = (tuple(names), with_test, tuple(int(c) for c in colours))  # presentation mode swaps the colours
        if self._listed == listed:
            self._show(self.legend)
            return
        self._listed = listed
        self.legend.clear()
        for name, c in zip(names, colours):
            self.legend.addItem(pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(QColor.fromRgba(int(c)))), name)
        if with_test:
            self.legend.addItem(pg.ScatterPlotItem(size=7, pen=pg.mkPen("#555"), brush=None, symbol="s"),
                                "test (hollow)")
        self._show(self.legend)

    def show_range(self, label: str, span: tuple[float, float]) -> None:
        self.bar.setLevels(span)
        self.bar.axis.setLabel(label)
        self._show(self.bar)

    def hide(self) -> None:
        self._show(None)

    def place(self, item: pg.GraphicsWidget, column: int, on: bool) -> None:
        """Another key (the density's colour bar) in its own column, or out of the layout."""
        layout = self.plot.layout
        inside = any(layout.itemAt(i) is item for i in range(layout.count()))
        if on and not inside:
            layout.addItem(item, 2, column)
            item.show()
        elif not on and inside:
            layout.removeItem(item)
            item.setParentItem(None)
            item.hide()


class ColourControls(QWidget):
    """colour [value]   filter [value] [from] [to] | [keep]: a row that wraps in a narrow dock."""

    def __init__(self, state, filter_state: FilterState, values: ExampleValues, parent=None):
        super().__init__(parent)
        self.state, self.filter, self.values = state, filter_state, values
        self.colour = QComboBox()
        self.colour.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.colour.setToolTip(lookup("scatter.colour_by").tooltip())
        self.by = QComboBox()
        self.by.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.by.setToolTip(lookup("filter.by").tooltip())
        self.low, self.high, self.keep = QLineEdit(), QLineEdit(), QLineEdit()
        for box, name, hint in ((self.low, "low", "from"), (self.high, "high", "to"), (self.keep, "keep", "keep…")):
            box.setPlaceholderText(hint)
            box.setToolTip(lookup(f"filter.{name}").tooltip())
            box.setMaximumWidth(110 if name == "keep" else 70)
            box.editingFinished.connect(lambda n=name: self._edited(n))
        self.low.setValidator(QDoubleValidator())
        self.high.setValidator(QDoubleValidator())
        self._filling = False
        row = flow_row([QLabel("colour"), self.colour, QLabel("filter"), self.by, self.low, self.high, self.keep])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(row)
        self.colour.currentIndexChanged.connect(lambda _: self._filling or self._pick("colour"))
        self.by.currentIndexChanged.connect(lambda _: self._filling or self._pick("by"))
        state.events.colour_by.connect(lambda _: self._show())
        for event in (filter_state.events.by, filter_state.events.low, filter_state.events.high,
                      filter_state.events.keep):
            event.connect(lambda *_: self._show())
        self.refill()

    def refill(self) -> None:
        """The choices of the current data and model (after AppState's resets)."""
        known = self.values.choices()
        self._filling = True
        try:
            for combo, first in ((self.colour, None), (self.by, ("", "(none)"))):
                combo.clear()
                if first:
                    combo.addItem(first[1], first[0])
                for name, label in known.items():
                    combo.addItem(label, name)
        finally:
            self._filling = False
        self._show()

    def _pick(self, which: str) -> None:
        if which == "colour":
            name = self.colour.currentData()
            if name:
                self.state.colour_by = name
        else:
            by = self.by.currentData() or ""
            if by != self.filter.by:
                self.filter.low = self.filter.high = None
                self.filter.keep = frozenset()
                self.filter.by = by

    def _edited(self, name: str) -> None:
        box = getattr(self, name)
        try:
            setattr(self.filter, name, lookup(f"filter.{name}").parse(box.text()))
        except ValueError:
            self._show()

    def _show(self) -> None:
        self._filling = True
        try:
            for combo, value in ((self.colour, self.state.colour_by), (self.by, self.filter.by)):
                i = combo.findData(value)
                if i >= 0:
                    combo.setCurrentIndex(i)
        finally:
            self._filling = False
        f = self.filter
        pair = self.values.get(f.by) if f.by else None
        categorical = pair is not None and pair[0].categorical
        self.low.setVisible(bool(f.by) and not categorical)
        self.high.setVisible(bool(f.by) and not categorical)
        self.keep.setVisible(categorical)
        self.low.setText("" if f.low is None else f"{f.low:g}")
        self.high.setText("" if f.high is None else f"{f.high:g}")
        self.keep.setText(", ".join(sorted(f.keep)))
        if categorical:
            self.keep.setToolTip(lookup("filter.keep").tooltip() + ": " + ", ".join(pair[0].categories[:30]))


class ValueJobs(QObject):
    """Model values computed in Jobs (one per name) and handed to ExampleValues when done."""

    def __init__(self, values: ExampleValues, busy: Callable[[str | None], None], parent=None):
        super().__init__(parent)
        self.values, self.busy = values, busy
        self.jobs: dict[str, Job] = {}

    def want(self, name: str) -> None:
        if not name or not self.values.pending(name):
            return
        running = self.jobs.get(name)
        if running is not None and running.version == self.values.version:  # type: ignore[attr-defined]
            return
        if running is not None:
            running.cancel()
        version = self.values.version
        job = Job(lambda report, cancelled, n=name: self.values.compute(n, report, cancelled),
                  "latentlab-values", self)
        job.version = version  # type: ignore[attr-defined]
        job.done.connect(lambda pair, n=name, v=version: self.values.put(n, pair, v))
        job.ended.connect(lambda j=job, n=name: self._ended(j, n))
        self.jobs[name] = job
        self.busy(f"computing {self.values.choices().get(name, name)} for each example…")
        job.start()

    def _ended(self, job: Job, name: str) -> None:
        if self.jobs.get(name) is job:
            del self.jobs[name]
        if not self.jobs:
            self.busy(None)

    def shutdown(self) -> None:
        for job in list(self.jobs.values()):
            job.cancel_and_wait()
