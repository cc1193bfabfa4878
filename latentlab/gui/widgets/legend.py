"""Legends outside the data area: in the plot item's layout, under the plot's x axis, in a few columns, so no
curve or point is ever hidden behind one. A narrow plot gets fewer columns (down to one), so its legend never
makes the plot wider than its panel."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QSizePolicy

ENTRY_SPACING = 12  # px between a legend's columns, beyond each entry's sample and label


def legend_below(plot: pg.PlotWidget | pg.PlotItem, columns: int = 3, **options) -> pg.LegendItem:
    """The plot's legend (plot.legend, so the theme still colours it), laid out under the plot."""
    item = plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot
    legend = pg.LegendItem(colCount=columns, labelTextSize="8pt", offset=None, **options)  # None: not anchored
    legend.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # its width never widens the plot
    legend.setMinimumWidth(0)
    item.legend = legend  # plot(name=...) adds its entries here
    item.layout.addItem(legend, 4, 1)  # rows 0-3: title, top axis, view, bottom axis

    def fit() -> None:
        if not legend.items:
            return
        widest = max(s.boundingRect().width() + lbl.item.boundingRect().width() for s, lbl in legend.items)
        room = item.vb.width()
        views = item.scene().views() if item.scene() is not None else []
        if views:  # a long title can make the plot wider than its widget: what shows is what counts
            room = min(room, views[0].width() - item.vb.sceneBoundingRect().left())
        fits = max(1, min(columns, int(room // (widest + ENTRY_SPACING))))
        if fits != legend.columnCount:
            legend.setColumnCount(fits)

    item.vb.sigResized.connect(lambda *_: fit())
    legend.geometryChanged.connect(fit)  # entries added or renamed
    return legend
