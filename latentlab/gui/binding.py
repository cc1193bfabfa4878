"""Thin two-way bindings between a widget and one field of an evented state model (latentlab/state).

The model is the truth: a widget shows the field, and a user's edit sets the field. Whatever sets the
field (a lesson, --set, another panel) moves the widget too. Equal values are not re-emitted by
psygnal, so the two directions cannot ping-pong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from latentlab.state.schema import lookup


def _setter(widget: QWidget) -> tuple[Callable[[Any], None], Any, Callable[[], Any]]:
    """How to show a value in `widget`, the signal of a user's edit, and how to read the widget."""
    if isinstance(widget, QComboBox):
        def show(v: Any) -> None:
            i = widget.findData(v)
            if i >= 0 and i != widget.currentIndex():
                widget.setCurrentIndex(i)
        return show, widget.currentIndexChanged, widget.currentData
    if isinstance(widget, QAbstractButton):
        return widget.setChecked, widget.toggled, widget.isChecked
    if isinstance(widget, (QSpinBox, QDoubleSpinBox, QAbstractSlider)):
        return widget.setValue, widget.valueChanged, widget.value
    if isinstance(widget, QLineEdit):
        return widget.setText, widget.editingFinished, widget.text
    raise TypeError(f"no binding for {type(widget).__name__}")


def bind(widget: QWidget, model: Any, field: str, section: str | None = None,
         to_widget: Callable[[Any], Any] = lambda v: v, from_widget: Callable[[Any], Any] = lambda v: v) -> QWidget:
    """Keep `widget` and `model.field` in step; with `section`, the widget's tooltip is the schema's help."""
    show, edited, read = _setter(widget)
    showing = [False]  # while the model moves the widget, the widget's own signal is not an edit

    def show_value(v: Any) -> None:
        showing[0] = True
        try:
            show(to_widget(v))
        finally:
            showing[0] = False

    show_value(getattr(model, field))
    getattr(model.events, field).connect(show_value)
    edited.connect(lambda *_: showing[0] or setattr(model, field, from_widget(read())))
    if section is not None:
        widget.setToolTip(lookup(f"{section}.{field}").tooltip())
    return widget


def bind_names(boxes: Mapping[str, QAbstractButton], model: Any, field: str) -> None:
    """A set-of-names field (e.g. the scatter's overlays) shown as one check box per name."""
    showing = [False]

    def show(names: frozenset[str]) -> None:
        showing[0] = True
        try:
            for name, box in boxes.items():
                box.setChecked(name in names)
        finally:
            showing[0] = False

    def edited() -> None:
        if not showing[0]:
            setattr(model, field, frozenset(n for n, b in boxes.items() if b.isChecked()))

    show(getattr(model, field))
    getattr(model.events, field).connect(show)
    for box in boxes.values():
        box.toggled.connect(lambda *_: edited())


def combo_for(name: str) -> QComboBox:
    """A combo box of a setting's choices, each with its label (the schema's choice_labels)."""
    setting = lookup(name)
    box = QComboBox()
    labels = setting.choice_labels or setting.choices
    for value, label in zip(setting.choices, labels):
        box.addItem(label, value)
    box.setToolTip(setting.tooltip())
    return box
