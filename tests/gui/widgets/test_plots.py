"""Plots build their right-click menu when it is first opened, and it works as pyqtgraph's own."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from latentlab.gui.widgets.plots import LazyMenuViewBox, plot_widget


def test_a_right_click_opens_the_menu_built_then(qtbot):
    plot = plot_widget()
    qtbot.addWidget(plot)
    plot.resize(300, 300)
    plot.show()
    qtbot.waitExposed(plot)
    view = plot.getPlotItem().vb
    assert isinstance(view, LazyMenuViewBox) and view.menu is None and view.menuEnabled()
    centre = plot.mapFromScene(view.sceneBoundingRect().center())
    QTest.mouseClick(plot.viewport(), Qt.RightButton, Qt.NoModifier, QPoint(int(centre.x()), int(centre.y())))
    qtbot.waitUntil(lambda: view.menu is not None and view.menu.isVisible(), timeout=2000)
    texts = [a.text() for a in view.menu.actions()]
    assert "View All" in texts and "Plot Options" in texts  # the plot's own menu is added, as pyqtgraph does
    view.menu.hide()


def test_a_plot_with_its_menu_off_builds_none():
    view = LazyMenuViewBox(enableMenu=False)
    assert view.getMenu(None) is None and view.getContextMenus(None) == []
    view.setMenuEnabled(True)
    assert view.getMenu(None) is not None
