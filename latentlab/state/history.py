"""Loss terms as the curves show them: train (averaged between reports) and test (per epoch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


def _append(steps: list[int], values: dict[str, list[float]], step: int, terms: dict[str, float]) -> None:
    """One row of named values; a term seen for the first time is NaN in the rows before it."""
    steps.append(step)
    for k, v in terms.items():
        values.setdefault(k, [float("nan")] * (len(steps) - 1)).append(v)
    for column in values.values():  # a term that stopped being reported is NaN from here on
        if len(column) < len(steps):
            column.append(float("nan"))


@dataclass
class LossHistory:
    train_steps: list[int] = field(default_factory=list)
    train: dict[str, list[float]] = field(default_factory=dict)
    test_steps: list[int] = field(default_factory=list)
    test: dict[str, list[float]] = field(default_factory=dict)
    marks: list[tuple[int, str, float]] = field(default_factory=list)  # (step, setting, value): a live change

    def add_mark(self, step: int, name: str, value: float) -> None:
        """A live setting changed from `step` on: the curves mark it (what each loss term does, seen)."""
        self.marks.append((int(step), str(name), float(value)))

    def add_train(self, step: int, terms: dict[str, float]) -> None:
        _append(self.train_steps, self.train, step, terms)

    def add_test(self, step: int, terms: dict[str, float]) -> None:
        _append(self.test_steps, self.test, step, terms)

    def arrays(self, which: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        steps, values = (self.train_steps, self.train) if which == "train" else (self.test_steps, self.test)
        return np.asarray(steps, float), {k: np.asarray(v, float) for k, v in values.items()}

    def to_record(self) -> dict[str, Any]:
        """Plain lists for a checkpoint's JSON header."""
        return {"train_steps": self.train_steps, "train": self.train, "test_steps": self.test_steps,
                "test": self.test, "marks": [list(m) for m in self.marks]}

    @classmethod
    def from_record(cls, record: Any) -> LossHistory:
        """The history a checkpoint stored; an empty one if the record is missing or malformed."""
        try:
            history = cls([int(s) for s in record["train_steps"]],
                          {str(k): [float(v) for v in vs] for k, vs in record["train"].items()},
                          [int(s) for s in record["test_steps"]],
                          {str(k): [float(v) for v in vs] for k, vs in record["test"].items()},
                          [(int(s), str(n), float(v)) for s, n, v in record.get("marks", [])])
        except (KeyError, TypeError, ValueError, AttributeError):
            return cls()
        lengths_ok = all(len(v) == len(history.train_steps) for v in history.train.values()) and all(
            len(v) == len(history.test_steps) for v in history.test.values())
        return history if lengths_ok else cls()
