"""The parametric-fits view: a Gaussian or a Poisson fitted to the first n points of a fixed pool, by
maximum likelihood and by MAP, with the likelihood, the prior and the posterior drawn over each
parameter (each scaled to peak 1) and the two estimates marked. Sliders set n and the prior's strength."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from latentlab.core.parametric import Fit, histogram_bins, model_density, scaled
from latentlab.gui.binding import bind, combo_for
from latentlab.gui.exports import name_plot
from latentlab.gui.widgets.reflow import wrap_forms
from latentlab.state.parametric import MAX_N, MAX_STRENGTH, ParametricState

N_STEPS = 300  # the n slider's steps, on a log scale from 2 to MAX_N
LIKELIHOOD, PRIOR, POSTERIOR = (31, 119, 180), (120, 120, 120), (214, 39, 40)
NAMES = {"μ": "mu", "σ": "sigma", "λ": "lambda"}
KEY = " ".join(f"<span style='color: rgb{c}'><b>{line}</b> {name}</span>" for c, line, name in
               ((LIKELIHOOD, "—", "likelihood"), (PRIOR, "- -", "prior"), (POSTERIOR, "—", "posterior")))


def slider_of_n(n: int) -> int:
    return round(N_STEPS * math.log(max(n, 2) / 2) / math.log(MAX_N / 2))


def n_of_slider(v: int) -> int:
    return max(2, min(MAX_N, round(2 * (MAX_N / 2) ** (v / N_STEPS))))


class CurvePlot(pg.PlotWidget):
    """Likelihood, prior and posterior over one parameter, with the MLE and the MAP marked."""

    def __init__(self):
        super().__init__(background="w")
        self.setMinimumSize(130, 130)
        self.getPlotItem().setMenuEnabled(False)
        self.setYRange(0, 1.05)
        self.setMouseEnabled(x=True, y=False)
        self.likelihood = self.plot(pen=pg.mkPen(LIKELIHOOD, width=2), name="likelihood")
        self.prior = self.plot(pen=pg.mkPen(PRIOR, width=2, style=Qt.DashLine), name="prior")
        self.posterior = self.plot(pen=pg.mkPen(POSTERIOR, width=2), name="posterior")
        self.mle = pg.InfiniteLine(angle=90, pen=pg.mkPen(LIKELIHOOD, width=1.5, style=Qt.DashLine),
                                   label="MLE",
                                   labelOpts={"position": 0.95, "color": LIKELIHOOD, "anchors": [(0, 0.5), (0, 0.5)]})
        self.map = pg.InfiniteLine(angle=90, pen=pg.mkPen(POSTERIOR, width=1.5, style=Qt.DotLine),
                                   label="MAP",
                                   labelOpts={"position": 0.8, "color": POSTERIOR, "anchors": [(1, 0.5), (1, 0.5)]})
        self.addItem(self.mle)
        self.addItem(self.map)

    def show_curves(self, curves) -> None:
        g = curves.grid
        self.likelihood.setData(g, scaled(curves.log_likelihood))
        self.prior.setData(g, scaled(curves.log_prior))
        self.posterior.setData(g, scaled(curves.log_posterior))
        self.mle.setValue(curves.mle)
        self.map.setValue(curves.map)
        self.setLabel("bottom", curves.parameter)
        self.setXRange(float(g[0]), float(g[-1]), padding=0)
        name_plot(self, f"parametric fit, over {NAMES.get(curves.parameter, curves.parameter)}")


class DataPlot(pg.PlotWidget):
    """The n points as a histogram (fixed bins over the pool), with the MLE's and the MAP's model over it."""

    def __init__(self):
        super().__init__(background="w")
        self.setMinimumSize(120, 130)
        self.getPlotItem().setMenuEnabled(False)
        self.setMouseEnabled(x=True, y=False)
        self.bars = pg.PlotDataItem(stepMode="center", fillLevel=0, brush=(150, 150, 150, 120), pen=(110, 110, 110))
        self.addItem(self.bars)
        self.mle = self.plot(pen=pg.mkPen(LIKELIHOOD, width=2, style=Qt.DashLine))
        self.map = self.plot(pen=pg.mkPen(POSTERIOR, width=2))
        self.setLabel("bottom", "x (the n points)")
        name_plot(self, "parametric fit, the data and the two fits")

    def show_fit(self, fit: Fit, data: np.ndarray, everything: np.ndarray) -> None:
        edges = histogram_bins(everything, whole=fit.model == "poisson")
        counts, _ = np.histogram(data, edges)
        self.bars.setData(edges, counts / (len(data) * np.diff(edges)))
        at = np.linspace(edges[0], edges[-1], 800)
        self.mle.setData(at, model_density(fit.model, fit.mle, at))
        self.map.setData(at, model_density(fit.model, fit.map, at))
        self.setXRange(float(edges[0]), float(edges[-1]), padding=0)


class ParametricPanel(QWidget):
    def __init__(self, state: ParametricState | None = None, parent=None):
        super().__init__(parent)
        self.state = st = state or ParametricState()
        self.model = bind(combo_for("parametric.model"), st, "model")
        self.source = bind(combo_for("parametric.source"), st, "source")
        for box in (self.model, self.source):
            box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(10)
        self.n_slider = bind(QSlider(Qt.Horizontal, minimum=0, maximum=N_STEPS), st, "n", "parametric",
                             to_widget=slider_of_n, from_widget=n_of_slider)
        self.n = bind(QSpinBox(minimum=2, maximum=MAX_N), st, "n", "parametric")
        self.strength_slider = bind(QSlider(Qt.Horizontal, minimum=0, maximum=int(MAX_STRENGTH)), st, "strength",
                                    "parametric", to_widget=lambda v: round(v), from_widget=float)
        self.strength = bind(QDoubleSpinBox(minimum=0.0, maximum=MAX_STRENGTH, decimals=1), st, "strength",
                             "parametric")
        form = QFormLayout()
        form.addRow("Model", self.model)
        form.addRow("Data", self.source)
        form.addRow("Sample size n", _row(self.n_slider, self.n))
        form.addRow("Prior strength", _row(self.strength_slider, self.strength))
        self.estimates = QLabel()
        self.estimates.setWordWrap(True)
        self.estimates.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.plots = [CurvePlot(), CurvePlot()]
        self.data_plot = DataPlot()
        plots = QHBoxLayout()
        plots.setContentsMargins(0, 0, 0, 0)
        for plot in (*self.plots, self.data_plot):
            plots.addWidget(plot, 1)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(form)
        layout.addWidget(self.estimates)
        layout.addLayout(plots, 1)
        layout.addWidget(self.caption)
        wrap_forms(self)
        for name in ("model", "source", "n", "strength", "prior_mean", "prior_sd"):
            getattr(st.events, name).connect(self.refresh)
        self.refresh()

    def refresh(self, *_) -> None:
        """Fit again and draw (the model, the data, n or the prior changed)."""
        fit = self.state.update()
        if fit is None:
            self.estimates.setText(self.state.message)
            self.caption.setText("")
            for plot in (*self.plots, self.data_plot):
                plot.hide()
            return
        self.data_plot.show()
        self.data_plot.show_fit(fit, self.state.data(), self.state.pool())
        for plot, curves in zip(self.plots, fit.curves):
            plot.show()
            plot.show_curves(curves)
        for plot in self.plots[len(fit.curves):]:
            plot.hide()
        names = [c.parameter for c in fit.curves]
        mle = ", ".join(f"{p} = {v:.3g}" for p, v in zip(names, fit.mle))
        map_ = ", ".join(f"{p} = {v:.3g}" for p, v in zip(names, fit.map))
        self.estimates.setText(f"<b>MLE</b> {mle} &nbsp; <b>MAP</b> {map_} &nbsp; (n = {fit.n})")
        prior = fit.prior
        if prior.strength == 0:
            said = "The prior is flat (strength 0): the MAP is the MLE."
        else:
            guess = (f"μ = {prior.mean:g}, σ = {prior.sd:g}" if fit.model == "gaussian"
                     else f"λ = {prior.mean:g}")
            said = (f"The prior is worth {prior.strength:g} imaginary points with {guess}; the MAP is the MLE of "
                    f"the n real points and those, so it moves to the MLE as n grows.")
        profile = " Each curve over μ is at its own best σ, and over σ at its own best μ." if len(names) > 1 else ""
        self.caption.setText(f"{KEY} (each scaled to peak 1); right: the n points and the model at the MLE "
                             f"(dashed) and at the MAP. {said}{profile}")


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        row.addWidget(w, 1 if isinstance(w, QSlider) else 0)
    return holder
