"""Legends outside the data area: in the plot item's layout, under the plot's x axis, in a few columns, so no
curve or point is ever hidden behind one."""

from __future__ import annotations

import pyqtgraph as pg


def legend_below(plot: pg.PlotWidget | pg.PlotItem, columns: int = 3, **options) -> pg.LegendItem:
    """The plot's legend (plot.legend, so the theme still colours it), laid out under the plot."""
    item = plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot
    legend = pg.LegendItem(colCount=columns, labelTextSize="8pt", offset=None, **options)  # None: not anchored
    item.legend = legend  # plot(name=...) adds its entries here
    item.layout.addItem(legend, 4, 1)  # rows 0-3: title, top axis, view, bottom axis
    return legend
