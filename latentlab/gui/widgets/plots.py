"""Plots whose right-click menu is built when first opened.

pyqtgraph builds each ViewBox's context menu (ViewBoxMenu: two sub-menus of axis controls, ~3 ms of
widgets) as the ViewBox is made, for a menu most plots never open; the window's first frame waited for
six of them (bench/startup.py, coldstart_vs_imports). LazyMenuViewBox builds it on the first right-click
(pyqtgraph asks getMenu, or getContextMenus for a parent's menu); setMenuEnabled works as in pyqtgraph.
"""

from __future__ import annotations

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ViewBox.ViewBoxMenu import ViewBoxMenu


class LazyMenuViewBox(pg.ViewBox):
    def __init__(self, *args, enableMenu: bool = True, **kwargs):  # noqa: N803 (pyqtgraph's name)
        super().__init__(*args, enableMenu=False, **kwargs)
        self.state["enableMenu"] = enableMenu  # the menu itself is made by _menu_now

    def _menu_now(self) -> None:
        if self.menu is None and self.menuEnabled():
            self.menu = ViewBoxMenu(self)
            self.updateViewLists()

    def getMenu(self, ev):  # noqa: N802 (pyqtgraph's name)
        self._menu_now()
        return super().getMenu(ev)

    def getContextMenus(self, event):  # noqa: N802 (pyqtgraph's name)
        self._menu_now()
        return super().getContextMenus(event)


def plot_widget(**kwargs) -> pg.PlotWidget:
    """pg.PlotWidget(**kwargs) with a LazyMenuViewBox."""
    return pg.PlotWidget(viewBox=LazyMenuViewBox(), **kwargs)
