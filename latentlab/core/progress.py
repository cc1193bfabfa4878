"""Progress and cancel hooks for long computations, so any caller (a window's worker, the CLI) can show
how far they are and stop them. A function that takes them calls `report(fraction)` now and then and
raises Cancelled as soon as `cancelled()` says so."""

from __future__ import annotations

from collections.abc import Callable

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
