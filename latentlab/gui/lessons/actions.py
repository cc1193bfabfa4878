"""What a lesson step's setup lines do to the application, one function per key.

Each action takes the main window and the line's value, and raises ValueError with a message a
teacher can act on. Steps apply their lines in file order, so a `dataset` line comes before
a `model` line that should use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import torch

from latentlab.core.checkpoints import CheckpointError, load_checkpoint
from latentlab.core.pretrained import shipped_path
from latentlab.gui.lessons.text import Step
from latentlab.gui.panels.interpolation import Anchor
from latentlab.gui.session import ModelSettings


def _names(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _numbers(value: str, count: int | None = None) -> list[float]:
    try:
        numbers = [float(v) for v in _names(value)]
    except ValueError:
        raise ValueError(f"expected numbers separated by commas, got {value!r}") from None
    if count is not None and len(numbers) != count:
        raise ValueError(f"expected {count} numbers, got {value!r}")
    return numbers


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
    settings = ModelSettings(family=family)
    for pair in pairs:
        key, _, raw = (part.strip() for part in pair.partition("="))
        if key == "family" or key not in ModelSettings.__dataclass_fields__:
            raise ValueError(f"no model setting called {key!r}")
        default = getattr(settings, key)  # numbers are read as the type of the default
        settings = replace(settings, **{key: type(default)(float(raw)) if isinstance(default, (int, float)) else raw})
    if not window.session.configure_model(settings):
        raise ValueError(f"cannot build the model {value!r}")


def train(window, value: str) -> None:
    """`200 steps` or `5 epochs`: start training in the background."""
    match = re.fullmatch(r"(\d+)\s*(steps?|epochs?)", value.strip())
    if not match:
        raise ValueError(f"train takes 'N steps' or 'N epochs', got {value!r}")
    n, unit = int(match.group(1)), match.group(2)
    session = window.session
    if unit.startswith("epoch"):
        session.train_config = replace(session.train_config, epochs=n)
        window.model_data.epochs.setValue(n)
        started = session.start()
    else:
        started = session.start(max_steps=n)
    if not started:
        raise ValueError("training could not start")


def panel(window, value: str) -> None:
    """Bring these docks to the front; the first named ends on top of its tab group."""
    names = _names(value)
    unknown = [n for n in names if n not in window.docks]
    if unknown:
        raise ValueError(f"no panel {unknown[0]!r}; known: {', '.join(window.docks)}")
    for name in reversed(names):
        window.show_panel(name)


def float_panel(window, value: str) -> None:
    """Float this dock large over the window's right side: for panels too wide to read docked."""
    panel(window, value)
    for name in _names(value):
        window.float_panel(name)


def overlays(window, value: str) -> None:
    """Exactly these latent overlays on (the others off); `none` clears them."""
    names = [] if value.strip() == "none" else _names(value)
    unknown = [n for n in names if n not in window.scatter.overlay]
    if unknown:
        raise ValueError(f"no overlay {unknown[0]!r}; known: {', '.join(window.scatter.overlay)}")
    for name, box in window.scatter.overlay.items():
        box.setChecked(name in names)
    window.scatter.redraw()


def kde_width(window, value: str) -> None:
    window.scatter.kde_scale.setValue(_numbers(value, 1)[0])
    window.scatter.redraw()


def select(window, value: str) -> None:
    """`30 of class 7`: the first 30 training examples of class 7; `none` clears the selection."""
    session = window.session
    if value.strip() == "none":
        session.set_selection([])
        return
    match = re.fullmatch(r"(\d+)\s+of\s+class\s+(\d+)", value.strip())
    if not match:
        raise ValueError(f"select takes 'N of class K' or 'none', got {value!r}")
    n, label = int(match.group(1)), int(match.group(2))
    rows = torch.nonzero(session.dataset.train_y == label).flatten()[:n]
    session.set_selection(rows.numpy())
    window.scatter.redraw()


def focus(window, value: str) -> None:
    """Decode this latent point, as a click in the scatter would."""
    point = _numbers(value)
    session = window.session
    if session.snapshot is None or len(point) != session.snapshot.latent_dim:
        raise ValueError(f"the model's codes have {getattr(session.snapshot, 'latent_dim', 0)} numbers, got {value!r}")
    session.set_focus(torch.tensor(point))


def interpolate(window, value: str) -> None:
    """Interpolate between these training examples (indices), replacing any path."""
    window.interpolation.clear()
    for index in _numbers(value):
        window.interpolation.add_anchor(Anchor(index=int(index)))


def walkback_pair(window, value: str) -> None:
    """`without, with`: two pretrained DAEs become the walkback dock's pair."""
    names = _names(value)
    if len(names) != 2:
        raise ValueError(f"walkback_pair names two pretrained DAEs, got {value!r}")
    try:
        models = [load_checkpoint(shipped_path(n)).model for n in names]
    except CheckpointError as e:
        raise ValueError(str(e)) from None
    window.walkback.use_pair(*models, note=f"pretrained pair: {names[0]} and {names[1]}")


def chains(window, value: str) -> None:
    """Start the chains afresh and run them this many steps."""
    window.walkback.reset(force=True)
    window.walkback.advance(int(_numbers(value, 1)[0]))


def chain_start(window, value: str) -> None:
    _choose(window.walkback.start, value.strip(), "chain start")


def mmd_add(window, value: str) -> None:
    """Add pretrained models to the MMD dock's sample sources."""
    for name in _names(value):
        if not window.mmd.add_model(str(shipped_path(name)), name=name):
            raise ValueError(f"cannot add {name}: {window.mmd.message.text()}")


def _choose(box, value: str, what: str) -> None:
    index = box.findData(value)
    if index < 0:
        index = box.findText(value)
    if index < 0:
        known = ", ".join(str(box.itemData(i) or box.itemText(i)) for i in range(box.count()))
        raise ValueError(f"no {what} {value!r}; known: {known}")
    box.setCurrentIndex(index)


def mmd_sets(window, value: str) -> None:
    """`A, B` sources: train, test, class:K, selection or model:NAME."""
    names = _names(value)
    if len(names) != 2:
        raise ValueError(f"mmd_sets names two sources, got {value!r}")
    for box, name in zip(window.mmd.sources, names):
        _choose(box, name, "sample source")
    window.mmd.recompute(force=True)


def mmd_space(window, value: str) -> None:
    _choose(window.mmd.space, value.strip(), "space")


def mmd_kernel(window, value: str) -> None:
    _choose(window.mmd.kernel, value.strip(), "kernel")


def mmd_metric(window, value: str) -> None:
    _choose(window.mmd.distance_metric, value.strip(), "distance")


def mmd_bandwidth(window, value: str) -> None:
    """A multiple of the median distance, e.g. 0.1."""
    window.mmd.set_bandwidth_factor(_numbers(value, 1)[0])


def mmd_n(window, value: str) -> None:
    window.mmd.n.setValue(int(_numbers(value, 1)[0]))


def mmd_test(window, value: str) -> None:
    """`run`: the permutation test, done before the step shows."""
    if value.strip() != "run":
        raise ValueError(f"mmd_test takes 'run', got {value!r}")
    window.mmd.recompute(force=True)
    window.mmd.run_permutation_test_now()


ACTIONS: dict[str, Callable[[object, str], None]] = {
    f.__name__: f for f in (dataset, checkpoint, model, train, panel, float_panel, overlays, kde_width, select, focus,
                            interpolate, walkback_pair, chain_start, chains, mmd_add, mmd_sets, mmd_space,
                            mmd_kernel, mmd_metric, mmd_bandwidth, mmd_n, mmd_test)
}


def unknown_keys(step: Step) -> list[str]:
    return [f"line {s.line}: no setup key {s.key!r}" for s in step.setup if s.key not in ACTIONS]


def apply_step(window, step: Step) -> list[str]:
    """Do the step's setup lines in order; the problems, each naming its line (empty if none)."""
    problems = unknown_keys(step)
    if window.session.state != "idle" and any(s.key in ("checkpoint", "dataset", "model") for s in step.setup):
        window.session.wait()  # a step that replaces the model ends the training an earlier step started
    if step.value("panel") is not None or step.value("float_panel") is not None:
        # A step that arranges panels puts back those an earlier step floated; others keep the layout.
        window.dock_floated_panels(keep=set(_names(step.value("float_panel") or "")))
    for setting in step.setup:
        action = ACTIONS.get(setting.key)
        if action is None:
            continue
        try:
            action(window, setting.value)
        except ValueError as e:
            problems.append(f"line {setting.line} ({setting.key}): {e}")
    return problems
