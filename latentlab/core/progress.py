"""Progress and cancel hooks for long computations, so any caller (a window's worker, the CLI) can show
how far they are and stop them. A function that takes them calls `report(fraction)` now and then and
raises Cancelled as soon as `cancelled()` says so."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Report = Callable[[float], None]
IsCancelled = Callable[[], bool]


class Cancelled(Exception):
    """The caller asked the computation to stop; it returns nothing."""


def check(cancelled: IsCancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled


def tell(report: Report | None, fraction: float) -> None:
    if report is not None:
        report(min(1.0, max(0.0, fraction)))


@contextmanager
def terminal_bar(description: str, total: int = 1000, unit: str = "") -> Iterator[Report]:
    """A progress bar on stderr (tqdm; drawn only when stderr is a terminal) as a `report(fraction)` hook,
    for the command line: what a window's busy indicator is to a Job."""
    from tqdm import tqdm

    with tqdm(total=total, desc=description, unit=unit, disable=None, file=sys.stderr, leave=False,
              bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}") as bar:
        def report(fraction: float) -> None:
            n = round(min(1.0, max(0.0, fraction)) * total)
            if n > bar.n:
                bar.update(n - bar.n)
        yield report


class TermMeans:
    """Loss terms summed over the steps since they were last taken, given back as means: what a run
    reports a few times a second (the window's worker, the training process, a run directory's lines)."""

    def __init__(self) -> None:
        self._sums: dict[str, float] = {}
        self._count = 0

    def add(self, terms: dict[str, float]) -> None:
        for k, v in terms.items():
            self._sums[k] = self._sums.get(k, 0.0) + v
        self._count += 1

    def __bool__(self) -> bool:
        return self._count > 0

    def take(self) -> dict[str, float]:
        """The means since the last take (empty if no step came), and a fresh start."""
        means = {k: v / self._count for k, v in self._sums.items()} if self._count else {}
        self._sums, self._count = {}, 0
        return means
