"""Light and dark themes: the system's choice by default (and when it changes), or one forced from
View > Theme or --theme. Qt's Fusion style takes the palette; the plots, which pyqtgraph draws with
their own colours, are restyled here (data colours stay: they read on both backgrounds)."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

CHOICES = ("system", "light", "dark")


@dataclass(frozen=True)
class PlotColours:
    background: str
    foreground: str


PLOTS = {"light": PlotColours("#ffffff", "#404040"), "dark": PlotColours("#1b1d21", "#c8ccd2")}


def system_scheme() -> str:
    """"dark" when the desktop asks for dark (Qt 6.5+ reads it from the platform), else "light"."""
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def resolve(choice: str) -> str:
    if choice not in CHOICES:
        raise ValueError(f"unknown theme {choice!r}; choose one of {', '.join(CHOICES)}")
    return system_scheme() if choice == "system" else choice


def dark_palette() -> QPalette:
    p = QPalette()
    colours = {
        QPalette.Window: "#2b2d31", QPalette.WindowText: "#e3e5e8", QPalette.Base: "#1e1f22",
        QPalette.AlternateBase: "#2b2d31", QPalette.ToolTipBase: "#1e1f22", QPalette.ToolTipText: "#e3e5e8",
        QPalette.Text: "#e3e5e8", QPalette.Button: "#35373c", QPalette.ButtonText: "#e3e5e8",
        QPalette.BrightText: "#ff6b6b", QPalette.Link: "#6cb6ff", QPalette.Highlight: "#3d7bd9",
        QPalette.HighlightedText: "#ffffff", QPalette.PlaceholderText: "#8a8f98",
    }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, QColor("#7b8089"))
    return p


def apply_theme(app: QApplication, choice: str, root: QWidget | None = None) -> str:
    """Set the palette for `choice` and restyle the plots under `root`; returns "light" or "dark"."""
    scheme = resolve(choice)
    if app.style().name().lower() != "fusion":  # re-setting it re-polishes every widget (~30 ms)
        app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(dark_palette() if scheme == "dark" else app.style().standardPalette())
    colours = PLOTS[scheme]
    pg.setConfigOptions(background=colours.background, foreground=colours.foreground)
    if root is not None:
        restyle_plots(root, colours)
    return scheme


def restyle_plots(root: QWidget, colours: PlotColours) -> None:
    for view in root.findChildren(pg.GraphicsView):
        view.setBackground(colours.background)
        if not isinstance(view, pg.PlotWidget):
            continue
        item = view.getPlotItem()
        for name in ("left", "bottom", "right", "top"):
            axis = item.getAxis(name)
            axis.setPen(colours.foreground)
            axis.setTextPen(colours.foreground)
            if axis.labelText:  # the label keeps its text and units, in the new colour
                axis.setLabel(axis.labelText, units=axis.labelUnits, color=colours.foreground)
        if item.titleLabel.text:
            item.titleLabel.setText(item.titleLabel.text, color=colours.foreground)
        if item.legend is not None:
            item.legend.setLabelTextColor(colours.foreground)


# -- presentation mode (View > Presentation mode, F11; WindowState.presentation) ---------------------
# For a projector: large fonts, thick lines, images at least 256 px, and category colours that
# colour-blind viewers tell apart: Okabe & Ito's seven colours (their black left out: it vanishes on
# the dark theme), then a grey and two of Paul Tol's "muted" colours for the 9th and 10th class.
PRESENTATION_FONT_PT = 14
PRESENTATION_TICK_PT = 13
PRESENTATION_LINE_WIDTH = 3.5
PRESENTATION_IMAGE_PX = 256
PRESENTATION_PLOT_PX = 200  # a plot's least height: large tick labels and legends leave it a data area (else it scrolls)
CVD_SAFE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
            "#999999", "#882255", "#44AA99"]


def _category_lists() -> list[list[str]]:
    """The category colour lists the panels draw with (changed in place, so every user sees the change)."""
    from latentlab.gui.panels import loss_curves, scatter
    from latentlab.gui.widgets import colour_by
    return [scatter.CLASS_COLOURS, colour_by.CLASS_COLOURS, loss_curves.PALETTE]


_normal: dict[str, object] = {}  # what presentation mode replaced, to put back


def apply_presentation(app: QApplication, on: bool, root: QWidget | None = None,
                       images: tuple[QWidget, ...] = ()) -> None:
    """Presentation mode on or off: the application's font, the category colours, under `root` every
    plot's tick labels, legends and line widths and every gallery's thumbnails, and the least size
    of the image views `images` (the decoded point's, say)."""
    from PySide6.QtGui import QFont

    from latentlab.gui.widgets.gallery import ScrollingGallery

    if "font" not in _normal:
        _normal["font"] = QFont(app.font())
        _normal["colours"] = [list(c) for c in _category_lists()]
    font = QFont(_normal["font"])  # type: ignore[call-overload]
    if on:
        font.setPointSize(PRESENTATION_FONT_PT)
    app.setFont(font)
    for now, normal in zip(_category_lists(), _normal["colours"]):  # type: ignore[call-overload]
        now[:] = (CVD_SAFE + normal[len(CVD_SAFE):]) if on else normal
    if root is None:
        return
    for view in root.findChildren(pg.PlotWidget):
        restyle_plot_for_presentation(view.getPlotItem(), on)
        _least_height(view, PRESENTATION_PLOT_PX, on)
    for grid in images:
        _least_height(grid, PRESENTATION_IMAGE_PX, on)
    for gallery in root.findChildren(ScrollingGallery):
        gallery.set_minimum_size(PRESENTATION_IMAGE_PX if on else 0)


def _least_height(widget: QWidget, pixels: int, on: bool) -> None:
    """At least `pixels` tall in presentation mode, else its own least height again."""
    normal_min = widget.property("normalMinimumHeight")
    if normal_min is None:
        widget.setProperty("normalMinimumHeight", widget.minimumHeight())
        normal_min = widget.minimumHeight()
    widget.setMinimumHeight(max(int(normal_min), pixels) if on else int(normal_min))


def restyle_plot_for_presentation(item: pg.PlotItem, on: bool) -> None:
    """Large tick labels and axis labels, and thick lines, on one plot (or back as they were)."""
    from PySide6.QtGui import QFont

    tick = QFont()
    tick.setPointSize(PRESENTATION_TICK_PT if on else QApplication.font().pointSize())
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setStyle(tickFont=tick if on else None)
        axis.label.setFont(tick)
        axis.resizeEvent()  # pyqtgraph places an axis title only on a resize: centred again at its new size
        if on:
            axis.setPen(pg.mkPen(axis.pen().color(), width=2))
    for legend in [item.legend, *(i for i in item.scene().items() if isinstance(i, pg.LegendItem))]:
        if legend is None:  # the plot's own legend, or one placed beside it (widgets/legend.py)
            continue
        if legend.property("normalTextSize") is None:
            legend.setProperty("normalTextSize", legend.opts["labelTextSize"])
        legend.setLabelTextSize(f"{PRESENTATION_TICK_PT}pt" if on else legend.property("normalTextSize"))
        for _, label in legend.items:
            label.setText(label.text)  # setLabelTextSize alone keeps the text drawn at the old size
        if legend.property("normalColumns") is None:
            legend.setProperty("normalColumns", legend.columnCount)
        if legend.property("normalColumns") == 1:  # a long key beside a plot (the scatter's ten classes) in two
            # columns: in one, its large rows made the plot taller than a 1366x768 window leaves it (it was cut)
            legend.setColumnCount(2 if on and len(legend.items) > 8 else 1)
    for data in item.listDataItems():
        if not isinstance(data, pg.PlotDataItem) or data.opts.get("pen") is None:
            continue
        pen = pg.mkPen(data.opts["pen"])
        if pen.style() == Qt.NoPen:
            continue
        normal = data.property("normalPenWidth") if hasattr(data, "property") else None
        if normal is None:
            normal = pen.widthF()
            data.setProperty("normalPenWidth", normal)
        pen.setWidthF(max(float(normal), PRESENTATION_LINE_WIDTH) if on else float(normal))
        pen.setCosmetic(True)
        data.setPen(pen)
