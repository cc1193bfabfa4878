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
