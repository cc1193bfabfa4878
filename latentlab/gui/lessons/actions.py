"""What a lesson step's setup lines do: set settings of the schema, or carry out one of a few commands.

A line is `NAME: VALUE`. NAME is a setting's dotted name (`scatter.overlays: prior`, `mmd.kernel: imq`,
`latentlab settings` lists them), an older short key that stands for one (ALIASES), or a command
(COMMANDS: load data, open a checkpoint, build a model, train, select, decode a point). Settings go
through the window's state models, never through another panel's widgets. Lines apply in file order,
so a `dataset` line comes before a `model` line that should use it. A line that does not fit raises
ValueError with a message a teacher can act on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import torch

from latentlab.core.settings import SettingError
from latentlab.gui.lessons.text import Step
from latentlab.state.model_settings import ModelSettings
from latentlab.state.schema import lookup, schema

# Short keys of earlier lesson files, each the setting it stands for (a value may need translating).
ALIASES: dict[str, str] = {
    "overlays": "scatter.overlays", "kde_width": "scatter.kde_width", "interpolate": "interpolation.examples",
    "walkback_pair": "walkback.pair", "chains": "walkback.t", "chain_start": "walkback.start",
    "mmd_add": "mmd.models", "mmd_space": "mmd.space", "mmd_kernel": "mmd.kernel", "mmd_metric": "mmd.metric",
    "mmd_bandwidth": "mmd.bandwidth", "mmd_n": "mmd.n", "mmd_test": "mmd.test", "panel": "window.panel",
    "float_panel": "window.floating",
}


def _names(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def dataset(window, value: str) -> None:
    d = window.session.dataset
    if (d is None or d.name != value) and not window.session.set_dataset(value):
        raise ValueError(f"cannot load dataset {value!r}")


def checkpoint(window, value: str) -> None:
    if not window.open_pretrained(value):
        raise ValueError(f"cannot open pretrained checkpoint {value!r}")


def model(window, value: str) -> None:
    """`vae, beta=0, latent_dim=2`: a new, untrained model of that family and settings."""
    family, *pairs = _names(value)
    values = {}
    for pair in pairs:
        key, _, raw = (part.strip() for part in pair.partition("="))
        name = key if key.startswith("model.") else f"model.{key}"
        try:
            values[name.split(".", 1)[1]] = lookup(name).parse(raw)
        except SettingError as e:
            raise ValueError(str(e)) from None
    try:
        settings = ModelSettings(family, **values)
    except SettingError as e:
        raise ValueError(str(e)) from None
    if not window.session.configure_model(settings):
        raise ValueError(f"cannot build the model {value!r}")


LESSON_LAYOUTS = ("lesson", "compare")  # layouts a lesson chooses (View > Layout has more)
MAX_STEPS = 10**7  # a lesson's "train: N steps|epochs" at most


def _count(text: str, most: int) -> int:
    """A whole number from a lesson line, in [0, most] (a 20-digit number is a typo, not a plan)."""
    n = int(text)
    if n > most:
        raise ValueError(f"{text} is more than {most:,}")
    return n


def train(window, value: str) -> None:
    """`200 steps` or `5 epochs`: start training in the background."""
    match = re.fullmatch(r"(\d+)\s*(steps?|epochs?)", value.strip())
    if not match:
        raise ValueError(f"train takes 'N steps' or 'N epochs', got {value!r}")
    n, unit = _count(match.group(1), MAX_STEPS), match.group(2)
    session = window.session
    if unit.startswith("epoch"):
        window.state.set("train.epochs", n)
        started = session.start()
    else:
        started = session.start(max_steps=n)
    if not started:
        raise ValueError("training could not start")


def select(window, value: str) -> None:
    """`30 of class 7`: the first 30 training examples of class 7; `none` clears the selection."""
    session = window.session
    if value.strip() == "none":
        session.set_selection([])
        return
    match = re.fullmatch(r"(\d+)\s+of\s+class\s+(\d+)", value.strip())
    if not match:
        raise ValueError(f"select takes 'N of class K' or 'none', got {value!r}")
    n, label = _count(match.group(1), 10**7), _count(match.group(2), 10**6)
    rows = torch.nonzero(session.dataset.train_y == label).flatten()[:n]
    session.set_selection(rows.numpy())


def focus(window, value: str) -> None:
    """Decode this latent point, as a click in the scatter would."""
    try:
        point = [float(v) for v in _names(value)]
    except ValueError:
        raise ValueError(f"expected numbers separated by commas, got {value!r}") from None
    if not all(math.isfinite(v) and abs(v) <= 1e6 for v in point):
        raise ValueError(f"a latent point's numbers are finite and at most 1e6 in size, got {value!r}")
    session = window.session
    if session.snapshot is None or len(point) != session.snapshot.latent_dim:
        raise ValueError(f"the model's codes have {getattr(session.snapshot, 'latent_dim', 0)} numbers, got {value!r}")
    session.set_focus(torch.tensor(point))


def mmd_sets(window, value: str) -> None:
    """`A, B` sources: train, test, class:K, selection or model:NAME."""
    names = _names(value)
    if len(names) != 2:
        raise ValueError(f"mmd_sets names two sources, got {value!r}")
    window.state.set("mmd.a", names[0])
    window.state.set("mmd.b", names[1])


COMMANDS: dict[str, Callable[[object, str], None]] = {
    f.__name__: f for f in (dataset, checkpoint, model, train, select, focus, mmd_sets)
}


def setting_value(key: str, value: str) -> tuple[str, str]:
    """An alias line as the setting it stands for, with its value in that setting's words."""
    name = ALIASES.get(key, key)
    if key == "mmd_test":
        if value.strip() != "run":
            raise ValueError(f"mmd_test takes 'run', got {value!r}")
        value = "on"
    elif key == "panel":
        value = _names(value)[0] if _names(value) else ""
    return name, value


def unknown_keys(step: Step) -> list[str]:
    known = set(COMMANDS) | set(ALIASES) | set(schema())
    return [f"line {s.line}: no setup key {s.key!r} (`latentlab settings` lists the settings)"
            for s in step.setup if s.key not in known]


def apply_line(window, key: str, value: str) -> None:
    """One setup line; ValueError with the reason if it does not apply."""
    if key in COMMANDS:
        COMMANDS[key](window, value)
        return
    name, value = setting_value(key, value)
    try:
        window.state.set_text(name, value)
    except SettingError as e:
        raise ValueError(str(e)) from None


def apply_step(window, step: Step) -> list[str]:
    """Do the step's setup lines in order; the problems, each naming its line (empty if none)."""
    problems = unknown_keys(step)
    if window.session.state != "idle" and any(s.key in ("checkpoint", "dataset", "model") for s in step.setup):
        window.session.wait()  # a step that replaces the model ends the training an earlier step started
    floats = step.value("float_panel") or step.value("window.floating")
    if step.value("panel") is not None or step.value("window.panel") is not None or floats is not None:
        # A step that arranges panels puts back those an earlier step floated; others keep the layout.
        window.state.window.floating = frozenset(_names(floats or ""))
    arranges = step.value("panel") is not None or step.value("window.panel") is not None
    if step.value("window.layout") is None and (arranges or window.state.window.layout not in LESSON_LAYOUTS):
        # Lessons show the lesson layout unless a step names another (window.layout: compare), which stays
        # until a step arranges panels; the docks move only when the layout changes, so nothing jumps.
        window.state.window.layout = "lesson"
    for setting in step.setup:
        if setting.key not in COMMANDS and setting.key not in ALIASES and setting.key not in schema():
            continue
        try:
            apply_line(window, setting.key, setting.value)
        except (ValueError, ArithmeticError) as e:  # OverflowError too: a value no widget can hold
            problems.append(f"line {setting.line} ({setting.key}): {e}")
    window.scatter.redraw()  # the step's picture now, not at the next redraw tick
    window.scatter.settle()
    return problems
