"""Presentation mode in the real window, offscreen: fonts, lines, colours and image sizes change, and toggle back."""

import pyqtgraph as pg
import torch
from PySide6.QtWidgets import QApplication

from latentlab.gui import theme
from latentlab.gui.layout import elided_tabs
from latentlab.gui.panels import scatter


def test_presentation_mode_enlarges_fonts_lines_and_images_and_toggles_back(window, qtbot):
    assert window.session.set_dataset("digits")
    qtbot.waitUntil(lambda: window.session.snapshot is not None, timeout=10_000)
    window.session.set_focus(torch.zeros(window.session.snapshot.latent_dim))
    font_pt = QApplication.font().pointSize()
    colours = list(scatter.CLASS_COLOURS)
    curve = next(c for c in window.curves.plot.getPlotItem().listDataItems() if c.opts["pen"] is not None)
    width, colour = pg.mkPen(curve.opts["pen"]).widthF(), pg.mkPen(curve.opts["pen"]).color().name()

    window.show_start_card()
    window.presentation_action.trigger()  # F11
    assert window.state.window.presentation and window.presenting
    assert not window.start_card.isVisible()  # the map has the room (at 1366x768 the card left it clipped)
    window.show_start_card()  # Help > Start here, or a start with presentation mode remembered
    assert not window.start_card.isVisible()
    assert QApplication.font().pointSize() == theme.PRESENTATION_FONT_PT > font_pt
    assert scatter.CLASS_COLOURS[:len(theme.CVD_SAFE)] == theme.CVD_SAFE
    curve = next(c for c in window.curves.plot.getPlotItem().listDataItems() if c.opts["pen"] is not None)
    assert pg.mkPen(curve.opts["pen"]).widthF() >= theme.PRESENTATION_LINE_WIDTH
    assert pg.mkPen(curve.opts["pen"]).color().name().lower() == theme.CVD_SAFE[0].lower()  # the loss curves too
    assert window.decoder.decoded.minimumHeight() >= 256
    assert window.decoder.selection_gallery.thumbnail >= 256
    assert window.decoder.decoded.array is not None  # still live: the decoded image is still shown
    window.resize(1920, 1080)
    qtbot.wait(10)
    assert elided_tabs(window) == []  # large titles stay whole (the tab bars scroll instead)

    window.state.window.presentation = False  # the setting (a saved view, --set) toggles it too
    assert not window.presentation_action.isChecked()
    assert window.start_card.isVisible()
    assert QApplication.font().pointSize() == font_pt
    assert scatter.CLASS_COLOURS == colours
    assert window.decoder.decoded.minimumHeight() < 256
    curve = next(c for c in window.curves.plot.getPlotItem().listDataItems() if c.opts["pen"] is not None)
    assert pg.mkPen(curve.opts["pen"]).widthF() == width
    assert pg.mkPen(curve.opts["pen"]).color().name() == colour  # not the colours of the mode left
    assert window.decoder.selection_gallery.thumbnail == window.decoder.selection_gallery.slider.value()


def test_back_and_forward_are_in_the_view_menu_and_f1(window):
    s = window.session
    assert not window.back_action.isEnabled()
    s.clock = iter(range(1, 100)).__next__
    s.set_focus(torch.zeros(2))
    s.set_focus(torch.ones(2))
    assert window.back_action.isEnabled() and not window.forward_action.isEnabled()
    window.back_action.trigger()
    assert s.focus.tolist() == [0.0, 0.0] and window.forward_action.isEnabled()
    assert window.back_action.shortcut().toString() == "Alt+Left"
    from latentlab.gui.main_window import SHORTCUTS
    assert any("Alt+Left" in keys for keys, _ in SHORTCUTS)


def test_f1_lists_every_shortcut_of_the_menus(window):
    """Each key of a menu action (or the Space shortcut) is in Help > Keyboard shortcuts; "Ctrl+1 … Ctrl+9"
    stands for the keys between."""
    from PySide6.QtGui import QAction, QShortcut

    from latentlab.gui.main_window import SHORTCUTS

    listed = set()
    for keys, _ in SHORTCUTS:
        for part in keys.split(" / "):
            first, _, last = part.partition(" … ")
            if last:  # a range of keys that differ in their last digit
                listed |= {first[:-1] + str(n) for n in range(int(first[-1]), int(last[-1]) + 1)}
            else:
                listed.add(first)
    bound = {k.toString() for a in window.findChildren(QAction) for k in a.shortcuts()}
    bound |= {s.key().toString() for s in window.findChildren(QShortcut)}
    assert bound - {""} <= listed, bound - listed

