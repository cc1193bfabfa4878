"""Per-example values for colouring and filtering, and the one filter every view follows (Embedding
Atlas's cross-filter, kept simple): the scatter dims the examples it rules out, the selection gallery and
the Neighbours panel leave them out.

ExampleValues caches the values under the session's data and snapshot: the label, metadata columns and
latent dimensions at once, the model's values (reconstruction error, KL, ELBO) when computed, which the
window does in a Job (`compute`, then `put`) and tests do inline (`ensure`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from psygnal import Signal, evented

from latentlab.core.example_values import (
    Values,
    choices,
    column_values,
    is_model_value,
    latent_values,
    model_values,
    passing,
)
from latentlab.core.progress import IsCancelled, Report
from latentlab.core.settings import SettingError, setting

if TYPE_CHECKING:
    from latentlab.state.session import Session


@evented
@dataclass
class FilterState:
    by: str = setting("", label="Filter by", remember=False,
                      help="Keep the examples whose value passes (label, a metadata column, a latent dimension, "
                           "reconstruction error, KL, ELBO, as for colouring); the others are dimmed in the scatter "
                           "and left out of the selection gallery and the neighbours. Empty: no filter")
    low: float | None = setting(None, label="From", kind="float", optional=True, remember=False,
                                help="A continuous value's lower end (empty: open)")
    high: float | None = setting(None, label="To", kind="float", optional=True, remember=False,
                                 help="A continuous value's upper end (empty: open)")
    keep: frozenset[str] = setting(frozenset(), label="Keep", kind="names", remember=False,
                                   help="A categorical value's categories to keep, separated by commas (empty: all)")

    def clear(self) -> None:
        self.by, self.low, self.high, self.keep = "", None, None, frozenset()


class ExampleValues:
    """Values of the training and test examples under the current data and snapshot, by name
    (core/example_values.py names them). Arrays cover every row; rows not coded are NaN (or -1)."""

    changed = Signal(str)  # a value became available (its name)

    def __init__(self, session: Session):
        self.session = session
        self.version = 0  # moves with the data or the weights: a result computed for an older one is dropped
        self._cache: dict[str, tuple[Values, Values]] = {}
        session.dataset_changed.connect(self.clear)
        session.model_changed.connect(self.clear)
        session.snapshot_changed.connect(self.clear)

    def clear(self) -> None:
        self.version += 1
        self._cache.clear()

    def choices(self) -> dict[str, str]:
        return choices(self.session.snapshot, self.session.dataset)

    def check(self, name: str) -> None:
        """SettingError unless this data and model have the value `name`."""
        known = self.choices()
        if name and name not in known:
            raise SettingError(f"cannot colour or filter by {name!r} with this data and model; one of "
                               + ", ".join(known))

    def get(self, name: str) -> tuple[Values, Values] | None:
        """Train and test values; None for a model value not computed yet (or one that cannot be)."""
        if name in self._cache:
            return self._cache[name]
        if name not in self.choices() or is_model_value(name):
            return None
        pair = self.compute(name)
        if pair is not None:
            self._cache[name] = pair
        return pair

    def pending(self, name: str) -> bool:
        """A model value that a job should compute."""
        return is_model_value(name) and name in self.choices() and name not in self._cache

    def compute(self, name: str, report: Report | None = None,
                cancelled: IsCancelled | None = None) -> tuple[Values, Values] | None:
        """Compute the value (any thread: reads the snapshot and data, writes nothing)."""
        s, d = self.session, self.session.dataset
        if d is None:
            return None
        if name == "label" or name.startswith("meta:"):
            return column_values(d, name, "train"), column_values(d, name, "test")
        codes = s.codes()
        if codes is None:
            return None
        n_train, n_test = len(d.train_x), len(d.test_x)
        if name.startswith("z"):
            pair = latent_values(name, codes.train), latent_values(name, codes.test)
            return (_spread(pair[0], codes.train_index, n_train), _spread(pair[1], codes.test_index, n_test))
        model = s.snapshot
        rows = np.concatenate([codes.train_index, len(d.train_x) + codes.test_index])
        x = torch.cat([d.train_x[torch.from_numpy(codes.train_index)], d.test_x[torch.from_numpy(codes.test_index)]])
        found = model_values(model, x, (name,), report=report, cancelled=cancelled)[name]
        label = choices(model, d)[name]
        everything = np.full(n_train + n_test, np.nan)
        everything[rows] = found
        return Values(name, label, everything[:n_train]), Values(name, label, everything[n_train:])

    def put(self, name: str, pair: tuple[Values, Values] | None, version: int) -> None:
        if pair is None or version != self.version:
            return
        self._cache[name] = pair
        self.changed.emit(name)

    def ensure(self, name: str) -> tuple[Values, Values] | None:
        """The value, computed here if it must be (headless callers, tests)."""
        if self.pending(name):
            self.put(name, self.compute(name), self.version)
        return self.get(name)


def _spread(values: Values, rows: np.ndarray, n: int) -> Values:
    everything = np.full(n, np.nan)
    everything[rows] = values.numbers
    return Values(values.name, values.label, everything)


class CrossFilter:
    """The filter's verdict on every training example, for the views that follow it."""

    changed = Signal()

    def __init__(self, state: FilterState, values: ExampleValues):
        self.state, self.values = state, values
        self.mask: np.ndarray | None = None  # over training rows; None: every example passes
        self.test_mask: np.ndarray | None = None
        events = state.events  # type: ignore[attr-defined]
        for event in (events.by, events.low, events.high, events.keep):
            event.connect(self.refresh)
        values.changed.connect(self._value_ready)
        values.session.dataset_changed.connect(self.refresh)
        values.session.model_changed.connect(self.refresh)

    def _value_ready(self, name: str) -> None:
        if name == self.state.by:
            self.refresh()

    @property
    def active(self) -> bool:
        return self.mask is not None

    def refresh(self, *_) -> None:
        pair = self.values.get(self.state.by) if self.state.by else None
        if pair is None:
            self.mask = self.test_mask = None
        else:
            s = self.state
            self.mask, self.test_mask = (passing(v, s.low, s.high, s.keep) for v in pair)
        self.changed.emit()

    def passes(self, index: int) -> bool:
        return self.mask is None or (0 <= index < len(self.mask) and bool(self.mask[index]))

    def keep(self, indices) -> np.ndarray:
        """The training indices that pass, in their order."""
        indices = np.asarray(indices, dtype=np.int64)
        return indices if self.mask is None else indices[self.mask[indices]]

    def describe(self) -> str:
        s = self.state
        if not self.active:
            return ""
        if s.keep:
            return f"{s.by.removeprefix('meta:')} in {{{', '.join(sorted(s.keep))}}}"
        lo = "" if s.low is None else f"{s.low:g} ≤ "
        hi = "" if s.high is None else f" ≤ {s.high:g}"
        return f"{lo}{s.by.removeprefix('meta:')}{hi}"
