"""Small input widgets built in one line: bounded spin boxes and a combo box of (text, value) entries."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox


def int_box(lo: int, hi: int, value: int, tip: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setValue(value)
    box.setToolTip(tip)
    return box


def float_box(lo: float, hi: float, value: float, decimals: int = 3, step: float = 0.1,
              tip: str = "") -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setValue(value)
    box.setToolTip(tip)
    return box


def combo_box(entries: dict[str, object], tip: str = "") -> QComboBox:
    """Entries map the text shown to the value `currentData()` returns."""
    box = QComboBox()
    for text, data in entries.items():
        box.addItem(text, data)
    box.setToolTip(tip)
    return box
