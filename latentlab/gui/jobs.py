"""Background jobs for panels: a function run in a QThread with progress, cancel and a result signal.

The function gets `report(fraction)` and `cancelled()`; it should call `cancelled()` often and
return early when it says so. Training stays with gui/worker.py; this is for one-off heavy work
(training a comparison pair, permutation tests, a leaderboard).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QAbstractButton, QProgressBar

from latentlab.core.progress import Cancelled

JobFunction = Callable[[Callable[[float], None], Callable[[], bool]], Any]


def bind_controls(job, bar: QProgressBar, start_button: QAbstractButton, cancel_button: QAbstractButton) -> None:
    """Show a job (a Job or a ProcessJob) in a panel's controls: progress in `bar` (range 0..1000), the start
    button off and Cancel on while it runs, all restored when it ends."""
    job.progress.connect(lambda f: bar.setValue(int(f * 1000)))
    start_button.setEnabled(False)
    cancel_button.setEnabled(True)
    cancel_button.clicked.connect(job.cancel)

    def restore() -> None:
        bar.setValue(0)
        start_button.setEnabled(True)
        cancel_button.setEnabled(False)
        cancel_button.clicked.disconnect(job.cancel)

    job.ended.connect(restore)


class _Runner(QObject):
    progress = Signal(object, float)  # job, fraction done
    finished = Signal(object, object, str)  # job, result (None on failure or cancel), error message

    def __init__(self, job: Job, fn: JobFunction):
        super().__init__()
        self.job, self.fn = job, fn

    @Slot()
    def run(self) -> None:
        result, error = None, ""
        try:
            result = self.fn(lambda f: self.progress.emit(self.job, float(f)), self.job.cancelled)
        except Cancelled:
            result = None
        except Exception as e:  # a failure is a message in the panel, never a dead thread
            error = f"{type(e).__name__}: {e}"
            traceback.print_exc()
        if self.job.cancelled():
            result = None
        self.finished.emit(self.job, result, error)


class Job(QObject):
    """One run of `fn` off the GUI thread. Signals reach the GUI thread; a cancelled job's result is dropped."""

    progress = Signal(float)
    done = Signal(object)  # the function's result
    failed = Signal(str)
    ended = Signal()  # after done, failed or a cancel

    def __init__(self, fn: JobFunction, name: str = "latentlab-job", parent: QObject | None = None):
        super().__init__(parent)
        self._cancel = threading.Event()
        self.thread = QThread()
        self.thread.setObjectName(name)
        self.runner = _Runner(self, fn)
        self.runner.moveToThread(self.thread)
        self.thread.started.connect(self.runner.run)
        self.runner.finished.connect(self.thread.quit, Qt.DirectConnection)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)

    def start(self) -> Job:
        self.thread.start()
        return self

    def bind(self, bar: QProgressBar, start_button: QAbstractButton, cancel_button: QAbstractButton) -> Job:
        bind_controls(self, bar, start_button, cancel_button)
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def running(self) -> bool:
        return self.thread.isRunning()

    def cancel_and_wait(self, timeout_ms: int = 10_000) -> bool:
        self.cancel()
        return self.thread.wait(timeout_ms)

    def _on_progress(self, job: Job, fraction: float) -> None:
        if not self.cancelled():
            self.progress.emit(fraction)

    def _on_finished(self, job: Job, result: Any, error: str) -> None:
        self.thread.wait(2000)
        if error:
            self.failed.emit(error)
        elif result is not None:
            self.done.emit(result)
        self.ended.emit()
