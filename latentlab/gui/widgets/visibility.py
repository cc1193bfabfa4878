"""Whether a panel can be seen: a dock tabbed behind another stays isVisible() but has nothing on screen."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from latentlab.gui.widgets.scroll_panel import ScrollPanel


def on_screen(widget: QWidget) -> bool:
    if isinstance(widget, ScrollPanel):  # a dock's scrolling holder, covered by what it holds: that is what shows
        widget = widget.panel
    return widget.isVisible() and not widget.visibleRegion().isEmpty()
