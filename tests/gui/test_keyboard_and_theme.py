"""Keyboard access to every control, and light/dark themes that follow the desktop."""

import pyqtgraph as pg
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QRadioButton,
    QScrollBar,
    QTabBar,
    QWidget,
)

from latentlab.gui import theme

CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QAbstractSlider, QLineEdit)


def keyboard_reachable(w: QWidget) -> bool:
    """By Tab; or, for the radio buttons of an exclusive group, by the arrow keys from the checked one
    (Qt's way); or a key of its own (a mnemonic)."""
    if w.focusPolicy() & Qt.TabFocus:
        return True
    if isinstance(w, QRadioButton) and w.group() is not None:
        return any(b.isChecked() and b.focusPolicy() & Qt.TabFocus for b in w.group().buttons())
    return isinstance(w, QAbstractButton) and "&" in w.text()


def test_every_control_can_be_reached_from_the_keyboard(window):
    # Scroll bars scroll with their area's keys; a dock's own float and close buttons have View-menu
    # actions; tab bars take Ctrl+1..9 (below). Every dock's panel, built (they are when first shown).
    window.all_panels()
    controls = [w for w in window.findChildren(QWidget) if isinstance(w, CONTROLS)
                and not isinstance(w, QScrollBar) and not isinstance(w.parent(), QTabBar)
                and not w.objectName().startswith("qt_")]
    assert len(controls) > 80
    unreachable = [f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r} in {type(w.parent()).__name__}"
                   for w in controls if not keyboard_reachable(w)]
    assert unreachable == []
    assert window.scatter.plot.focusPolicy() & Qt.TabFocus
    assert all("&" in b.text() for b in window.scatter.tool_buttons.buttons())  # Alt+D, B, L, P


def test_ctrl_digits_bring_each_panel_forward_with_the_focus_in_it(window, qtbot):
    for i, key in enumerate(list(window.docks)[:9], 1):  # Ctrl+1..9; a tenth dock has no digit
        qtbot.keyClick(window, str(i), Qt.ControlModifier)
        dock = window.docks[key]
        assert dock.isVisible()
        focused = QApplication.focusWidget()
        assert focused is not None and dock.isAncestorOf(focused), key


def test_arrow_keys_move_the_decoded_point_in_the_scatter(window, qtbot):
    s, plot = window.session, window.scatter.plot
    qtbot.waitUntil(lambda: window.scatter.projection is not None)  # drawn once the window has painted
    qtbot.keyClick(window, "0", Qt.ControlModifier)
    assert QApplication.focusWidget() is plot
    qtbot.keyClick(plot, Qt.Key_Return)
    (x0, x1), (y0, y1) = window.scatter.view.viewRange()
    centre = s.focus.clone()
    assert torch.allclose(window.scatter.projection.to_2d(centre[None])[0],
                          torch.tensor([(x0 + x1) / 2, (y0 + y1) / 2]), atol=1e-4)
    decoded = []
    s.focus_changed.connect(lambda z, x: decoded.append(x))
    qtbot.keyClick(plot, Qt.Key_Right)
    qtbot.keyClick(plot, Qt.Key_Up, Qt.ShiftModifier)
    moved = window.scatter.projection.to_2d(s.focus[None])[0] - window.scatter.projection.to_2d(centre[None])[0]
    assert moved.tolist() == pytest.approx([0.02 * (x1 - x0), 0.1 * (y1 - y0)], rel=1e-3)
    assert len(decoded) == 2  # each key decoded its point, as a click does


def plot_background(view: pg.GraphicsView) -> str:
    return QColor(view.backgroundBrush().color()).name()


def test_dark_and_light_themes_restyle_the_window_and_every_plot(window, monkeypatch):
    window.theme_actions["dark"].trigger()
    assert QApplication.palette().window().color().lightness() < 80
    assert {plot_background(v) for v in window.findChildren(pg.GraphicsView)} == {theme.PLOTS["dark"].background}
    axis = window.curves.plot.getPlotItem().getAxis("left")
    assert QColor(axis.textPen().color()).name() == theme.PLOTS["dark"].foreground
    assert window.settings.value("view/theme") == "dark"

    window.theme_actions["light"].trigger()
    assert QApplication.palette().window().color().lightness() > 180
    assert {plot_background(v) for v in window.findChildren(pg.GraphicsView)} == {"#ffffff"}


def test_the_system_theme_follows_the_desktop_when_it_changes(window, monkeypatch):
    window.theme_actions["system"].trigger()
    monkeypatch.setattr(theme, "system_scheme", lambda: "dark")
    window._system_scheme_changed()  # what Qt's colorSchemeChanged signal calls
    assert plot_background(window.scatter.plot) == theme.PLOTS["dark"].background
    window.set_theme("light")
    window._system_scheme_changed()  # a forced theme stays
    assert plot_background(window.scatter.plot) == "#ffffff"
    with pytest.raises(ValueError, match="unknown theme"):
        theme.resolve("sepia")


def test_image_grids_follow_the_theme(window):
    window.model_data.choose_dataset("digits")
    window.docks["samples"].raise_()
    window.samples.redraw()
    grid = window.samples.samples
    assert grid.array[0, 0] == 255  # the gap around the tiles is white in the light theme
    window.set_theme("dark")
    assert grid.array[0, 0] < 60  # and dark in the dark one, without waiting for a redraw
    window.set_theme("light")
    assert grid.array[0, 0] == 255
