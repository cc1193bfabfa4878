"""Figures out of the window: any plot as PNG or SVG (pyqtgraph's exporters), named by where it is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget


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


def save_reporting(session, path, write: Callable[[], str]) -> bool:
    """Run `write`, which writes `path` and returns what to tell the user; a file-system or value
    error becomes "cannot write PATH: why" instead of an exception. Returns whether it wrote."""
    try:
        done = write()
    except (OSError, ValueError) as e:
        session.message.emit("error", f"cannot write {path}: {e}")
        return False
    session.message.emit("info", done)
    return True


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


class WindowExports:
    """The main window's File > Export actions (a mixin: it uses the window's scatter, curves, docks,
    session, banner and ask_* hooks, which tests replace)."""

    def plots(self) -> dict[str, pg.GraphicsView]:
        """Every plot in the window, by the panel it is in."""
        areas = {"Latent space": self.scatter, **{d.windowTitle().replace("&&", "&"): d for d in self.docks.values()}}
        return named_plots(areas)

    def export_figure(self, path: str | Path, which: str = "curves") -> bool:
        """A plot as PNG or SVG, by suffix: "curves", "scatter", or any name from plots()."""
        views = {"curves": self.curves.plot, "scatter": self.scatter.plot}
        view = views.get(which) or self.plots().get(which)
        if view is None:
            self.banner.show_message("error", f"there is no plot called {which!r}")
            return False
        try:
            export_plot(view, path)
        except (OSError, ValueError) as e:
            self.banner.show_message("error", f"cannot write {path}: {e}")
            return False
        self.banner.show_message("info", f"exported the figure to {path}")
        return True

    def _ask_export_path(self, name: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, "Export figure", str(Path.cwd() / name),
                                              "PNG image (*.png);;SVG drawing (*.svg)")
        return path or None

    def _ask_plot(self, names: list[str]) -> str | None:
        name, ok = QInputDialog.getItem(self, "Export a plot", "Plot:", names, 0, False)
        return name if ok else None

    def export_figure_dialog(self, which: str | None = None) -> bool:
        """Ask for the plot (unless `which`) and a file, then export it."""
        which = which or self.ask_plot(list(self.plots()))
        if not which:
            return False
        stem = {"curves": "loss", "scatter": "latent"}.get(which) or "".join(
            c if c.isalnum() else "-" for c in which.lower()).strip("-")
        path = self.ask_export_path(f"{stem}.png")
        return bool(path) and self.export_figure(path, which)

    def export_codes(self, folder: str | None = None) -> bool:
        """The dataset's latent codes as codes.csv plus TensorBoard Embedding Projector files."""
        from latentlab.core.codes_export import code_table, export_codes

        codes, d = self.session.codes(), self.session.dataset
        if codes is None:
            why = self.session.snapshot.why_not("encode") if self.session.snapshot is not None else "no model"
            self.banner.show_message("warning", f"There are no latent codes to export: {why}.")
            return False
        folder = folder or self.ask_codes_folder()
        if not folder:
            return False
        try:
            files = export_codes(code_table(codes.train, codes.test, d), folder, d)
        except (OSError, ValueError) as e:
            self.banner.show_message("error", f"cannot write to {folder}: {e}")
            return False
        self.banner.show_message("info", f"wrote {', '.join(f.name for f in files)} to {folder} "
                                         "(load vectors.tsv and metadata.tsv at projector.tensorflow.org)")
        return True

    def _ask_codes_folder(self) -> str | None:
        return QFileDialog.getExistingDirectory(self, "Export latent codes into this folder", str(Path.cwd())) or None
