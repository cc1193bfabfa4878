"""The parametric-fits dock: the n and prior-strength sliders move the MLE and MAP and their marks."""

import pytest

from latentlab.gui.panels.parametric import ParametricPanel, n_of_slider, slider_of_n
from latentlab.state.parametric import ParametricState


def test_sliders_move_the_estimates_and_the_marks(qtbot):
    state = ParametricState()
    panel = ParametricPanel(state)
    qtbot.addWidget(panel)
    first = state.result
    mu_plot = panel.plots[0]
    assert mu_plot.map.value() == pytest.approx(first.map[0]) and "MAP" in panel.estimates.text()

    panel.n_slider.setValue(slider_of_n(500))
    assert state.n == n_of_slider(slider_of_n(500)) and panel.n.value() == state.n
    grown = state.result
    assert abs(grown.map[0] - grown.mle[0]) < abs(first.map[0] - first.mle[0])  # MAP -> MLE as n grows
    assert mu_plot.mle.value() == pytest.approx(grown.mle[0]) and mu_plot.map.value() == pytest.approx(grown.map[0])

    edges, density = panel.data_plot.bars.getData()
    assert (density * (edges[1] - edges[0])).sum() == pytest.approx(1.0)  # a histogram of the n points

    panel.strength_slider.setValue(0)
    assert state.strength == 0 and state.result.map == pytest.approx(state.result.mle)
    assert "flat" in panel.caption.text()

    panel.model.setCurrentIndex(panel.model.findData("poisson"))
    assert state.model == "poisson" and panel.plots[0].isVisibleTo(panel) and not panel.plots[1].isVisibleTo(panel)
    assert "λ = " in panel.estimates.text()


def test_the_dock_and_lesson_3_which_floats_it_with_the_fits_its_text_states(window):
    """The numbers in lesson 3's text come from scripts/parametric_figures.py; the steps show them."""
    panel, state = window.lessons, window.state.parametric
    window.state.set("window.panel", "parametric")
    assert window.docks["parametric"].isVisible() and window.parametric.state is state
    window.state.set("parametric.n", 40)
    assert window.parametric.n.value() == 40 and state.result.n == 40
    window.state.window.layout = "lesson"  # as after the lesson's earlier steps
    panel.go(2, 4, after_previous=True)  # its own lines only: the step needs no checkpoint
    assert panel.problems == [] and window.docks["parametric"].isFloating()
    assert (state.model, state.source, state.n, state.strength) == ("gaussian", "generated", 10, 5.0)
    assert [f"{v:.3g}" for v in state.result.mle + state.result.map] == ["3.17", "1.48", "2.11", "2.01"]
    assert "μ = 3.17" in panel.text.toPlainText()
    panel.go(2, 5, after_previous=True)
    assert panel.problems == [] and window.docks["parametric"].isFloating()
    assert (state.model, state.source) == ("poisson", "mnist")
    assert [f"{v:.3g}" for v in state.result.mle + state.result.map] == ["104", "85.8"]
