"""Figures out of the window: any plot as PNG or SVG (pyqtgraph's exporters), named by where it is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
import torch
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QWidget

from latentlab.core.images import check_scale, default_scale

SCREEN_DPI = 96  # a plot exported at this resolution is its size on the screen


class ExportOptions:
    """The export settings of the window (WindowState.export_scale, export_dpi), set by the window when
    they change, read by every panel's image export."""

    scale = 0  # 0: automatic (core.images.default_scale)
    dpi = 192


def image_scale(images: torch.Tensor) -> int:
    """The scale an exported image of `images` takes: the chosen one, or 4 for images up to 32x32."""
    return check_scale(ExportOptions.scale or default_scale(images))


VECTOR_POINTS_MAX = 20_000  # an SVG draws up to this many scatter points as marks, more as one image


class SvgPoints(pg.GraphicsObject):
    """Stands in for a RasterScatterItem while its plot is written as SVG: each point a vector mark
    (up to VECTOR_POINTS_MAX), else the item's picture as one image placed in plain pixel coordinates
    (no flipping transform), clipped to its view, which browsers, Inkscape and librsvg all render alike."""

    def __init__(self, source):
        super().__init__()
        self.source = source
        self.setParentItem(source.parentItem())
        self.setPos(source.pos())
        self.setTransform(source.transform())
        self.setZValue(source.zValue())

    def boundingRect(self):  # noqa: N802 (Qt's name)
        return self.source.boundingRect()

    def paint(self, painter, *args) -> None:
        import numpy as np
        from PySide6.QtCore import QPointF, QRectF, Qt
        from PySide6.QtGui import QColor, QImage, QPainter, QPen, QTransform

        src = self.source
        if not len(src.positions):
            return
        t = painter.combinedTransform()
        view = src.getViewBox()
        clip = t.mapRect(self.mapRectFromItem(view, view.rect())) if view is not None else t.mapRect(
            self.boundingRect())
        painter.save()
        painter.resetTransform()
        if len(src.positions) > VECTOR_POINTS_MAX:
            w, h = int(np.ceil(clip.width())), int(np.ceil(clip.height()))
            image = QImage(max(w, 1), max(h, 1), QImage.Format_ARGB32_Premultiplied)
            image.fill(0)
            p = QPainter(image)
            p.setTransform(t * QTransform.fromTranslate(-clip.left(), -clip.top()))
            src.paint(p)
            p.end()
            painter.drawImage(QPointF(clip.left(), clip.top()), image)
        else:
            pos, colours = src.positions, src.colours
            x = pos[:, 0] * t.m11() + pos[:, 1] * t.m21() + t.m31()
            y = pos[:, 0] * t.m12() + pos[:, 1] * t.m22() + t.m32()
            inside = (x >= clip.left()) & (x <= clip.right()) & (y >= clip.top()) & (y <= clip.bottom())
            size = float(src.size)
            for c in np.unique(colours[inside]):
                here = inside & (colours == c)
                colour = QColor.fromRgba(int(c))
                rects = [QRectF(a - size / 2, b - size / 2, size, size) for a, b in zip(x[here], y[here])]
                if src.kind == "ring":  # hollow squares, as the window draws test points
                    painter.setPen(QPen(colour, 1))
                    painter.setBrush(Qt.NoBrush)
                else:
                    painter.setPen(Qt.NoPen)
                    painter.setBrush(colour)
                painter.drawRects(rects)
        painter.restore()


class svg_points:  # noqa: N801 (used as a context manager)
    """While writing a view as SVG: its point clouds drawn by SvgPoints stand-ins instead."""

    def __init__(self, view: pg.GraphicsView):
        from latentlab.gui.widgets.point_cloud import RasterScatterItem

        scene = view.scene()
        self.items = [i for i in scene.items() if isinstance(i, RasterScatterItem) and i.isVisible()] if scene else []
        self.stand_ins: list[SvgPoints] = []

    def __enter__(self):
        for item in self.items:
            self.stand_ins.append(SvgPoints(item))
            item.setVisible(False)
        return self

    def __exit__(self, *_):
        for item, stand_in in zip(self.items, self.stand_ins):
            stand_in.setParentItem(None)
            if stand_in.scene() is not None:
                stand_in.scene().removeItem(stand_in)
            item.setVisible(True)


def bake_stroke_transforms(path: Path) -> None:
    """Qt writes a stroked line in data units under a scaling transform with vector-effect
    non-scaling-stroke, which librsvg and ImageMagick ignore: a 1 px dashed prior circle came out as a
    53 px wide dashed ring (the "black wedges"). Move such groups' transforms into the path
    coordinates, so the stroke width and dashes are pixels in every renderer."""
    import re
    import xml.etree.ElementTree as ET

    ET.register_namespace("", "http://www.w3.org/2000/svg")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    tree = ET.parse(path)
    ns = "{http://www.w3.org/2000/svg}"
    number = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
    changed = False
    for group in tree.iter(f"{ns}g"):
        m = re.fullmatch(r"\s*matrix\(([^)]*)\)\s*", group.get("transform", ""))
        children = list(group)
        if (m is None or group.get("stroke", "none") == "none" or not children
                or any(c.tag != f"{ns}path" or c.get("vector-effect") != "non-scaling-stroke" for c in children)):
            continue
        matrix = [float(v) for v in re.split(r"[ ,]+", m.group(1).strip())]
        data = "".join(ch.get("d", "") for ch in children)
        if len(matrix) != 6 or not any(matrix[:4]) or re.search(r"[^MLCZ\d\s.,eE+-]", data):
            continue  # only the absolute M, L, C and Z Qt writes
        for child in children:
            child.set("d", _moved_path(child.get("d", ""), matrix, number))
        del group.attrib["transform"]
        changed = True
    if changed:
        tree.write(path, encoding="utf-8", xml_declaration=True)


def _moved_path(d_text: str, matrix: list[float], number) -> str:
    """An SVG path's absolute coordinates through matrix(a, b, c, d, e, f)."""
    a, b, c, d, e, f = matrix
    values = [float(v) for v in number.findall(d_text)]
    out = []
    for x, y in zip(values[0::2], values[1::2]):
        out += [f"{a * x + c * y + e:.6g}", f"{b * x + d * y + f:.6g}"]
    it = iter(out)
    return number.sub(lambda _: next(it), d_text)


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
    # At the screen's resolution: the axes replay pictures (QPicture) recorded at it, which a generator
    # at its default 72 dpi shrinks by 72/96, leaving the ticks out of step with the data.
    generator.setResolution(widget.logicalDpiX())
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


def export_plot(view: pg.GraphicsView, path: str | Path, dpi: int | None = None) -> None:
    """A plot as PNG (at `dpi`, default ExportOptions.dpi, and at least 800 px wide) or SVG, by the file's
    suffix; an image grid (decoder view, samples) as its pixels at the export scale. Raises OSError or ValueError."""
    from pyqtgraph.exporters import ImageExporter, SVGExporter

    from latentlab.gui.widgets.image_grid import ImageGridView

    path = Path(path)
    dpi = dpi or ExportOptions.dpi
    if isinstance(view, ImageGridView) and view.array is not None and path.suffix.lower() == ".png":
        from PIL import Image

        shown = getattr(view, "_shown", None)
        scale = image_scale(shown[0]) if shown is not None else check_scale(ExportOptions.scale or 1)
        image = Image.fromarray(view.array)
        image.resize((image.width * scale, image.height * scale), Image.NEAREST).save(str(path))
        return
    item = view.getPlotItem() if isinstance(view, pg.PlotWidget) else view.scene()
    if path.suffix.lower() == ".svg":
        with svg_points(view):
            try:
                SVGExporter(item).export(str(path))
            except ValueError:
                # pyqtgraph's SVG exporter cannot parse the path syntax of recent Qt releases
                # (pyqtgraph issue #3485); Qt's own SVG generator draws the same plot.
                render_svg(view, path)
        bake_stroke_transforms(path)
        return
    if path.suffix.lower() != ".png":
        raise ValueError("choose a .png or .svg file name")
    exporter = ImageExporter(item)
    exporter.parameters()["width"] = max(800, round(view.width() * dpi / SCREEN_DPI))
    exporter.export(str(path))
    if not path.exists():
        raise OSError("the PNG file was not written")
    _set_png_dpi(path, dpi)


def _set_png_dpi(path: Path, dpi: int) -> None:
    """Record the resolution in the PNG, so a slide or document places it at its size on the screen."""
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(per_metre)
    image.setDotsPerMeterY(per_metre)
    if not image.save(str(path)):
        raise OSError("the PNG file was not written")


def copy_image(view: QWidget) -> None:
    """Put a plot or image on the clipboard, as shown (at the screen's pixel ratio)."""
    QApplication.clipboard().setPixmap(view.grab())


class WindowExports:
    """The main window's File > Export actions (a mixin: it uses the window's scatter, curves, docks,
    session, banner and ask_* hooks, which tests replace)."""

    SCALES = (0, 1, 2, 4, 8, 16)  # File > Image export scale (0: automatic)
    DPIS = (96, 150, 192, 300, 600)  # File > Plot export resolution

    def _export_option_menus(self, file) -> None:
        """File > Image export scale and Plot export resolution, bound to WindowState.export_scale / export_dpi."""
        window = self.state.window
        scale_menu = file.addMenu("Image export &scale")
        dpi_menu = file.addMenu("Plot export &resolution")
        self.scale_actions = {}
        for n in self.SCALES:
            text = "Automatic (4x for images up to 32x32)" if n == 0 else f"{n}x"
            action = self._action(scale_menu, text, lambda _=False, n=n: setattr(window, "export_scale", n))
            action.setCheckable(True)
            self.scale_actions[n] = action
        self.dpi_actions = {}
        for n in self.DPIS:
            action = self._action(dpi_menu, f"{n} dpi" + (" (as on the screen)" if n == SCREEN_DPI else ""),
                                  lambda _=False, n=n: setattr(window, "export_dpi", n))
            action.setCheckable(True)
            self.dpi_actions[n] = action

        def show(*_) -> None:
            ExportOptions.scale, ExportOptions.dpi = window.export_scale, window.export_dpi
            for n, action in self.scale_actions.items():
                action.setChecked(n == window.export_scale)
            for n, action in self.dpi_actions.items():
                action.setChecked(n == window.export_dpi)

        window.events.export_scale.connect(show)
        window.events.export_dpi.connect(show)
        show()

    def plots(self) -> dict[str, pg.GraphicsView]:
        """Every plot in the window, by the panel it is in (a panel not shown yet is built to list its own)."""
        self.all_panels()
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

    def copy_plot(self, which: str | None = None) -> bool:
        """Edit > Copy image: any plot or image in the window (asked for unless `which`) on the clipboard."""
        views = {"curves": self.curves.plot, "scatter": self.scatter.plot}
        which = which or self.ask_plot(list(self.plots()))
        view = views.get(which) if which else None
        view = view or (self.plots().get(which) if which else None)
        if view is None:
            return False
        copy_image(view)
        self.banner.show_message("info", f"copied {which} to the clipboard")
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
