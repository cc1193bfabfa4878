"""The settings schema: every value a user can set, declared once, next to the field it sets.

A declaration is dataclass field metadata (`setting(...)`): label, help, range or choices, unit,
and whether the value may change while a run is going. The model families' config dataclasses,
TrainConfig and each panel's state model declare their fields this way; `latentlab.state.schema`
gathers them under dotted names ("model.beta", "train.lr", "scatter.overlays"). The forms, the
`train` flags, `--set`, lesson setup lines, saved views and QSettings all read that one schema.
No Qt here: the CLI and the core use it too.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

META_KEY = "latentlab.setting"
KINDS = ("int", "float", "str", "bool", "ints", "floats", "names")
NOT_LIVE = "it changes what the model is: stop training, then press New model"


class SettingError(ValueError):
    """A value that a setting cannot take; the message names the setting and what it accepts."""


@dataclass(frozen=True)
class Setting:
    """One user-settable value. `name` is dotted (section.field); `kind` is one of KINDS."""

    name: str
    kind: str
    default: Any
    label: str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()  # how forms show each choice (default: the choice itself)
    unit: str = ""
    live: bool = False  # may change while a run is going (delivered to the running trainer)
    fixed_why: str = NOT_LIVE  # the tooltip of a setting that cannot change during a run
    optional: bool = False  # None is a value: "not set" (for example the dataset's default layer sizes)
    remember: bool = True  # kept between sessions (QSettings); off for what points into one dataset or model
    families: tuple[str, ...] = ()  # model settings: the families that have it

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def field(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def noun(self) -> str:
        """The label inside a sentence: "Dataset" -> "dataset", "β (KL weight)" stays."""
        return self.label[:1].lower() + self.label[1:]

    @property
    def flag(self) -> str:
        return "--" + self.field.replace("_", "-")

    # -- values ----------------------------------------------------------------------
    def parse(self, text: str) -> Any:
        """A value from text (a flag, --set, a lesson line, QSettings); SettingError if it is not one."""
        text = str(text).strip()
        if self.optional and text.lower() in ("", "none", "default"):
            return None
        try:
            if self.kind == "bool":
                lowered = text.lower()
                if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ValueError
                value: Any = lowered in ("1", "true", "yes", "on")
            elif self.kind == "int":
                value = int(float(text)) if float(text).is_integer() else _raise()
            elif self.kind == "float":
                value = float(text)
            elif self.kind == "ints":
                value = tuple(int(v) for v in _items(text))
            elif self.kind == "floats":
                value = tuple(float(v) for v in _items(text))
            elif self.kind == "names":
                value = frozenset() if text.lower() == "none" else frozenset(_items(text))
            else:
                value = text
        except (ValueError, OverflowError):
            raise SettingError(f"{self.name}: {text!r} is not {self.describe_type()}") from None
        return self.check(value)

    def check(self, value: Any) -> Any:
        """`value` coerced to this setting's type, if it is one it may take; else SettingError."""
        if value is None:
            if self.optional:
                return None
            raise SettingError(f"{self.name} needs a value ({self.describe_type()})")
        if isinstance(value, str) and self.kind != "str":
            return self.parse(value)
        try:
            value = self._coerce(value)
        except (TypeError, ValueError):
            raise SettingError(f"{self.name}: {value!r} is not {self.describe_type()}") from None
        numbers = [value] if self.kind in ("int", "float") else list(value) if self.kind in ("ints", "floats") else []
        for v in numbers:
            if isinstance(v, float) and not math.isfinite(v):
                raise SettingError(f"{self.name} must be a finite number, got {v}")
            if (self.minimum is not None and v < self.minimum) or (self.maximum is not None and v > self.maximum):
                raise SettingError(f"{self.name} ({self.noun}) must be {self.describe_range()}, got {_fmt(v)}")
        if self.kind in ("ints", "floats") and not value and not self.optional:
            raise SettingError(f"{self.name} needs at least one number")
        if self.choices:
            chosen = value if self.kind == "names" else {value}
            unknown = sorted(set(chosen) - set(self.choices))
            if unknown:
                known = ", ".join(c for c in self.choices if c)
                raise SettingError(f"{self.name}: unknown {self.noun} {unknown[0]!r}; known: {known}")
        return value

    def _coerce(self, value: Any) -> Any:
        if self.kind == "bool":
            return bool(value)
        if self.kind == "int":
            if isinstance(value, bool) or float(value) != int(float(value)):
                raise ValueError
            return int(value)
        if self.kind == "float":
            return float(value)
        if self.kind == "ints":
            return tuple(int(v) for v in value)
        if self.kind == "floats":
            return tuple(float(v) for v in value)
        if self.kind == "names":
            return frozenset(str(v) for v in value)
        return str(value)

    def format(self, value: Any) -> str:
        """Text that `parse` reads back as `value`."""
        if value is None:
            return "default"
        if self.kind in ("ints", "floats"):
            return ",".join(_fmt(v) for v in value)
        if self.kind == "names":
            return ",".join(sorted(value)) or "none"
        if self.kind == "bool":
            return "on" if value else "off"
        return _fmt(value) if isinstance(value, float) else str(value)

    # -- words for help, errors and `latentlab settings` ---------------------------------------
    def describe_type(self) -> str:
        return {"int": "a whole number", "float": "a number", "str": "text", "bool": "on or off",
                "ints": "whole numbers separated by commas", "floats": "numbers separated by commas",
                "names": "names separated by commas (or none)"}[self.kind] + (
                    " or 'default'" if self.optional else "")

    def describe_range(self) -> str:
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            return f"in [{_fmt(lo)}, {_fmt(hi)}]"
        if lo is not None:
            return f"at least {_fmt(lo)}"
        if hi is not None:
            return f"at most {_fmt(hi)}"
        return "any value"

    def describe_values(self) -> str:
        if self.choices:
            return ("any of " if self.kind == "names" else "one of ") + "|".join(self.choices)
        if self.kind in ("int", "float", "ints", "floats"):
            return self.describe_range()
        return self.describe_type()

    def tooltip(self, running: bool = False) -> str:
        """What the form shows on hover: the help, and why it is locked while a run is going."""
        unit = f" ({self.unit})" if self.unit else ""
        text = f"{self.help}{unit}"
        if running and not self.live:
            text += f"\nLocked while training: {self.fixed_why}."
        elif self.live:
            text += "\nCan change while training: the next step uses it."
        return text


def _raise() -> Any:
    raise ValueError


def _items(text: str) -> list[str]:
    return [v.strip() for v in text.replace(";", ",").split(",") if v.strip()]


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def setting(default: Any = dataclasses.MISSING, *, label: str, help: str, kind: str | None = None,
            minimum: float | None = None, maximum: float | None = None, choices: tuple[str, ...] = (),
            choice_labels: tuple[str, ...] = (), unit: str = "", live: bool = False, fixed_why: str = NOT_LIVE,
            optional: bool = False, remember: bool = True, user_default: Any = dataclasses.MISSING) -> Any:
    """A dataclass field that declares a setting. `user_default` is the default a user sees where it
    differs from the field's (None for "the dataset's default")."""
    if kind is None:
        kind = _kind_of(default)
    assert kind in KINDS, kind
    meta = {META_KEY: dict(kind=kind, label=label, help=help, minimum=minimum, maximum=maximum,
                           choices=tuple(choices), choice_labels=tuple(choice_labels), unit=unit, live=live,
                           fixed_why=fixed_why, optional=optional, remember=remember,
                           user_default=default if user_default is dataclasses.MISSING else user_default)}
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple or frozenset default")
    return dataclasses.field(default=default, metadata=meta)


def _kind_of(default: Any) -> str:
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    if isinstance(default, frozenset):
        return "names"
    if isinstance(default, tuple):
        return "floats" if any(isinstance(v, float) for v in default) else "ints"
    return "str"


def declared(cls: type, section: str, **extra: Any) -> Iterator[Setting]:
    """The settings `cls` (a dataclass) declares with `setting(...)`, named section.field."""
    for f in dataclasses.fields(cls):
        meta = f.metadata.get(META_KEY)
        if meta is None:
            continue
        values = dict(meta)
        default = values.pop("user_default")
        yield Setting(name=f"{section}.{f.name}", default=default, **values, **extra)


def declared_fields(cls: type) -> list[str]:
    """The names of the fields of `cls` that are settings."""
    return [f.name for f in dataclasses.fields(cls) if META_KEY in f.metadata]
