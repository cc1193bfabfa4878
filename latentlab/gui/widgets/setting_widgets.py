"""A form widget for any setting of the schema: its kind, range, choices, label and help decide the widget."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from latentlab.core.settings import Setting

INT_LIMIT = 2**31 - 1


def widget_for(setting: Setting, choices: tuple[str, ...] | None = None) -> QWidget:
    """A widget that shows and edits `setting`; `choices` replaces the schema's (e.g. the devices found)."""
    widget: QWidget
    options = choices if choices is not None else setting.choices
    if options:
        widget = QComboBox()
        labels = setting.choice_labels if choices is None and setting.choice_labels else options
        for value, label in zip(options, labels):
            widget.addItem(label, value)
    elif setting.kind == "bool":
        widget = QCheckBox()
    elif setting.kind == "int":
        widget = QSpinBox()
        widget.setRange(int(setting.minimum if setting.minimum is not None else -INT_LIMIT),
                        int(min(setting.maximum if setting.maximum is not None else INT_LIMIT, INT_LIMIT)))
    elif setting.kind == "float":
        widget = QDoubleSpinBox()
        lo = setting.minimum if setting.minimum is not None else -1e9
        widget.setDecimals(max(3, min(7, -_exponent(lo) + 2)) if lo > 0 else 3)
        widget.setRange(lo, setting.maximum if setting.maximum is not None else 1e9)
        widget.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
    elif setting.kind == "ints":
        widget = QLineEdit()
        widget.setPlaceholderText("default" if setting.optional else "")
        widget.setValidator(QRegularExpressionValidator(QRegularExpression(r"^([1-9]\d{0,4})(,[1-9]\d{0,4}){0,7}$")))
    else:
        widget = QLineEdit()
    widget.setToolTip(setting.tooltip())
    show_value(widget, setting, setting.default)
    return widget


def _exponent(x: float) -> int:
    import math

    return math.floor(math.log10(x))


def show_value(widget: QWidget, setting: Setting, value: Any) -> None:
    if isinstance(widget, QComboBox):
        i = widget.findData(value)
        if i >= 0:
            widget.setCurrentIndex(i)
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        widget.setValue(value)
    elif isinstance(widget, QLineEdit):
        widget.setText("" if value is None else setting.format(value) if setting.kind != "str" else str(value))


def read_value(widget: QWidget, setting: Setting) -> Any:
    """The widget's value as the setting's type (checked); SettingError if it is not one."""
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.value()
    return setting.parse(widget.text())


def exact(widget: QWidget, read: Any, held: Any) -> Any:
    """What the form means: `held` (the value in force) where a spin box shows it rounded to its decimals, else
    what was read. β = 0.0004 set by name shows as 0.000; read back as 0.0 it would drop the KL term."""
    if (isinstance(widget, QDoubleSpinBox) and isinstance(held, float) and not isinstance(held, bool)
            and read == round(held, widget.decimals())):
        return held
    return read


def edited_signal(widget: QWidget):
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QCheckBox):
        return widget.toggled
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.valueChanged
    return widget.editingFinished
