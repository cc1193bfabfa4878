"""Whether a panel can be seen: a dock tabbed behind another stays isVisible() but has nothing on screen."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def on_screen(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()
