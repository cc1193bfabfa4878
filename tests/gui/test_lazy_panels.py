"""Docks' panels are built when first shown or asked for (a quick first paint), and bind to the state
as it is then: nothing they show is stale, and settings that act reach them."""

import torch
from PySide6.QtWidgets import QApplication

from latentlab.gui.widgets.scroll_panel import ScrollPanel

HIDDEN = ("lessons", "samples", "interpolation", "walkback", "mmd", "neighbours", "parametric")


def test_hidden_docks_hold_a_placeholder_until_they_are_shown(window, qtbot):
    assert not any(window.built(key) for key in HIDDEN)  # the Explore layout shows none of them
    window.state.window.choose_layout("compare")  # MMD in front; a preset shows each dock for a moment
    qtbot.waitUntil(lambda: window.built("mmd"))
    assert not window.built("walkback") and not window.built("samples")
    window.docks["samples"].raise_()
    qtbot.waitUntil(lambda: window.built("samples"))
    assert isinstance(window.docks["samples"].widget(), ScrollPanel)
    assert window.docks["samples"].widget().panel is window.samples


def test_a_panel_built_later_shows_what_was_set_before(window):
    window.state.set("mmd.kernel", "imq")
    window.state.set("parametric.n", 50)
    window.state.set("walkback.particles", 40)
    assert not window.built("mmd") and not window.built("parametric") and not window.built("walkback")
    assert window.mmd.kernel.currentData() == "imq"
    assert window.parametric.n.value() == 50
    assert window.walkback.particles.value() == 40


def test_a_setting_that_acts_builds_its_panel_at_once(window):
    window.state.interpolation.picking = True  # every click in the scatter adds a point to the path
    assert window.built("interpolation")
    window.session.set_focus(torch.zeros(2))
    assert len(window.state.interpolation.anchors) == 1


def test_presentation_mode_fits_a_1366x768_screen_with_every_panel_built(window):
    window.all_panels()
    window.state.window.presentation = True
    try:
        QApplication.processEvents()
        hint = window.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 700, hint  # room for a title bar and a task bar
    finally:
        window.state.window.presentation = False


def test_the_loss_axis_title_is_whole_at_1366x768(window, qtbot):
    """As drawn: its box (margins and all) within the axis, centred again after the text changed ("loss (na" was
    cut at 1366x768, the label placed for the longer title it had before)."""
    window.resize(1920, 1080)
    window.state.window.choose_layout("explore")
    qtbot.wait(20)
    window.resize(1366, 768)
    for on in (False, True):
        window.state.window.presentation = on
        window.state.window.choose_layout("explore")
        qtbot.wait(20)
        axis = window.curves.plot.getAxis("left")
        drawn = axis.label.mapRectToItem(axis, axis.label.boundingRect())
        assert axis.labelText.startswith("loss")
        assert -1 <= drawn.top() and drawn.bottom() <= axis.height() + 1, (on, axis.labelText, drawn, axis.height())
        if not on:
            assert window.curves.plot.getPlotItem().vb.height() >= 80  # a data area left (it was 15-60 px)
    window.state.window.presentation = False


def test_an_empty_loss_plot_has_plain_axes_on_the_log_scale_too(window):
    """No points yet: 0 to 1 (1 to 10 on the log scale), not pyqtgraph's 10^-27 to 10^123 "(x1e+27)"."""
    curves = window.curves
    for log in (False, True):
        curves.log_scale.setChecked(log)
        assert curves.plot.getPlotItem().vb.viewRange()[1] == [0, 1], log
        assert "x1e" not in curves.plot.getAxis("left").labelString()
