"""Figures out of the window: any plot as PNG or SVG (pyqtgraph's exporters), named by where it is."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget


def render_svg(widget: QWidget, path: Path) -> None:
    """Qt's own SVG generator drawing the widget (for when pyqtgraph's SVG exporter cannot)."""
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(widget.width(), widget.height()))
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle("latentlab figure")
    painter = QPainter(generator)
    widget.render(painter)
    painter.end()
    if not path.exists():
        raise OSError("the SVG file was not written")


def name_plot(view: pg.GraphicsView, name: str) -> pg.GraphicsView:
    """The name File > Export any plot lists a view by (plots with a title are listed by it)."""
    view.setProperty("plotName", name)
    return view


def plot_title(view: pg.GraphicsView) -> str:
    if view.property("plotName"):
        return view.property("plotName")
    if isinstance(view, pg.PlotWidget):
        item = view.getPlotItem()
        title = item.titleLabel.text if item.titleLabel.isVisible() else ""
        return title or item.getAxis("left").labelText or item.getAxis("bottom").labelText
    return ""


def named_plots(areas: dict[str, QWidget]) -> dict[str, pg.GraphicsView]:
    """Every plot (and image grid) inside `areas` ({title: widget}), as "Area" or "Area: plot title"."""
    found: dict[str, pg.GraphicsView] = {}
    for area, widget in areas.items():
        # Views on a hidden page (the image grids while 2-D data are shown, say) are left out.
        views = [v for v in widget.findChildren(pg.GraphicsView) if v.isVisibleTo(widget) or v is widget]
        for k, view in enumerate(views, 1):
            name = area if len(views) == 1 else f"{area}: {plot_title(view) or f'view {k}'}"
            while name in found:
                name += " (2)"
            found[name] = view
    return found


def export_plot(view: pg.GraphicsView, path: str | Path) -> None:
    """A plot as PNG (at least 800 px wide) or SVG, by the file's suffix; raises OSError or ValueError."""
    from pyqtgraph.exporters import ImageExporter, SVGExporter

    path = Path(path)
    item = view.getPlotItem() if isinstance(view, pg.PlotWidget) else view.scene()
    if path.suffix.lower() == ".svg":
        try:
            SVGExporter(item).export(str(path))
        except ValueError:
            # pyqtgraph's SVG exporter cannot parse the path syntax of recent Qt releases
            # (pyqtgraph issue #3485); Qt's own SVG generator draws the same plot.
            render_svg(view, path)
        return
    if path.suffix.lower() != ".png":
        raise ValueError("choose a .png or .svg file name")
    exporter = ImageExporter(item)
    exporter.parameters()["width"] = max(800, int(view.width()))
    exporter.export(str(path))
    if not path.exists():
        raise OSError("the PNG file was not written")
