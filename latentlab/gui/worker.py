"""TrainingWorker: runs the core Trainer in a QThread and turns its callbacks into throttled signals.

The trainer calls back after every step; the GUI needs far less. Loss terms are
averaged and sent a few times a second; a copy of the weights (the snapshot the
GUI decodes with) is sent only when the GUI has taken the previous one.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import torch
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from latentlab.core.progress import TermMeans
from latentlab.core.training import EpochEvent, StepEvent, Trainer, TrainResult, warm_optimizer
from latentlab.state.run import InThisProcess, Progress, RunCallbacks, RunRequest, weights_copy

PROGRESS_INTERVAL_S = 0.1
SNAPSHOT_INTERVAL_S = 0.25
CODES_INTERVAL_S = 1.0  # the latent scatter's points, encoded here so the GUI thread never has to


class TrainingWorker(QObject):
    # Each signal carries its worker first, so the receiver can tell a stale run's signals apart
    # (QObject.sender() is avoided: in PySide6 6.12 it corrupts None's refcount over many calls).
    progress = Signal(object, object)  # worker, Progress
    epoch_done = Signal(object, object)  # worker, EpochEvent
    snapshot = Signal(object, object, object)  # worker, dict of CPU tensors, codes (or None)
    finished = Signal(object, object)  # worker, TrainResult

    def __init__(self, trainer: Trainer, epochs: int | None = None, max_steps: int | None = None,
                 code_inputs: tuple[torch.Tensor, torch.Tensor] | None = None):
        """`code_inputs`: (train, test) examples whose codes go out with a snapshot about once a second."""
        super().__init__()
        self.trainer = trainer
        self.code_inputs = code_inputs
        self._last_codes = 0.0
        self.epochs = epochs
        self.max_steps = max_steps
        self._means = TermMeans()
        self._last_progress = 0.0
        self._last_snapshot = 0.0
        self._snapshot_taken = threading.Event()
        self._snapshot_taken.set()
        self._started = time.perf_counter()
        self._start_step = 0
        self._planned_steps = 1
        self._last_event: StepEvent | None = None

    def snapshot_received(self) -> None:
        """Called by the GUI when it has loaded the last snapshot: the next one may be sent."""
        self._snapshot_taken.set()

    def _on_step(self, event: StepEvent) -> None:
        self._last_event = event
        self._means.add(event.terms)
        now = time.perf_counter()
        if now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._flush(event, now)
        if now - self._last_snapshot >= SNAPSHOT_INTERVAL_S and self._snapshot_taken.is_set():
            self._publish_snapshot(now)

    def _flush(self, event: StepEvent, now: float) -> None:
        if not self._means:
            return
        done = min(1.0, (event.step - self._start_step) / self._planned_steps)
        eta = (now - self._started) * (1 - done) / done if done > 0 else float("nan")
        self.progress.emit(self, Progress(event.step, event.epoch, done, self._means.take(), event.samples_per_s, eta))
        self._last_progress = now

    def _publish_snapshot(self, now: float, with_codes: bool = False) -> None:
        weights = weights_copy(self.trainer.model)
        if not all(bool(torch.isfinite(w).all()) for w in weights.values()):
            return  # a step just blew up: the trainer restores the weights next, the GUI keeps its copy
        self._snapshot_taken.clear()
        self._last_snapshot = now
        codes = None
        if self.code_inputs is not None and (with_codes or now - self._last_codes >= CODES_INTERVAL_S):
            self._last_codes = now
            codes = self._encode_codes()
        self.snapshot.emit(self, weights, codes)

    @torch.no_grad()
    def _encode_codes(self) -> tuple[np.ndarray, np.ndarray]:
        model, device = self.trainer.model, self.trainer.device
        return tuple(model.encode(x.to(device)).cpu().numpy() for x in self.code_inputs)

    def _on_epoch(self, event: EpochEvent) -> None:
        self.epoch_done.emit(self, event)

    @Slot()
    def run(self) -> None:
        trainer = self.trainer
        trainer.on_step, trainer.on_epoch = self._on_step, self._on_epoch
        self._started = time.perf_counter()
        self._start_step = trainer.step
        target = trainer.config.epochs if self.epochs is None else self.epochs
        self._planned_steps = max(1, self.max_steps or (target - trainer.epoch) * trainer.steps_per_epoch)
        try:
            result = trainer.run(self.epochs, self.max_steps)
        except Exception as e:  # never let an exception escape a thread: report it like any fault
            result = TrainResult("error", f"training failed: {type(e).__name__}: {e}", trainer.step, trainer.epoch)
        finally:
            trainer.on_step = trainer.on_epoch = None
        if self._last_event is not None:
            self._flush(self._last_event, time.perf_counter())
        self._snapshot_taken.set()
        self._publish_snapshot(time.perf_counter(), with_codes=True)  # the final (or restored) weights, always
        self.finished.emit(self, result)


class TrainingThread:
    """One run of a TrainingWorker on its own QThread; cleaned up when it finishes."""

    def __init__(self, worker: TrainingWorker):
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName("latentlab-training")
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)
        # Direct: quit from the worker thread itself, so a GUI thread waiting on it is never deadlocked.
        worker.finished.connect(self.thread.quit, Qt.DirectConnection)

    def start(self) -> None:
        self.thread.start()

    def is_running(self) -> bool:
        return self.thread.isRunning()

    def stop_and_wait(self, timeout_ms: int = 10_000) -> bool:
        self.worker.trainer.stop()
        return self.thread.wait(timeout_ms)


class _Receiver(QObject):
    """Lives in the GUI thread, so the worker's signals arrive here queued, and hands them to the session."""

    def __init__(self, callbacks: RunCallbacks, on_finished):
        super().__init__()
        self.callbacks, self.on_finished = callbacks, on_finished

    @Slot(object, object)
    def progress(self, _worker, p) -> None:
        self.callbacks.progress(p)

    @Slot(object, object)
    def epoch(self, _worker, e) -> None:
        self.callbacks.epoch(e)

    @Slot(object, object, object)
    def snapshot(self, _worker, weights, codes) -> None:
        self.callbacks.snapshot(weights, codes)

    @Slot(object, object)
    def finished(self, _worker, result) -> None:
        self.on_finished(result)


class ThreadRun(InThisProcess):
    """A runner (state.run.Runner): a run in a QThread of the window, its reports delivered in the GUI thread."""

    def __init__(self, request: RunRequest, callbacks: RunCallbacks):
        self.trainer = request.trainer
        self.worker = TrainingWorker(request.trainer, request.epochs, request.max_steps, request.code_inputs)
        self.thread = TrainingThread(self.worker)
        self.receiver = _Receiver(callbacks, self._finished)
        self.callbacks = callbacks
        self.worker.progress.connect(self.receiver.progress)
        self.worker.epoch_done.connect(self.receiver.epoch)
        self.worker.snapshot.connect(self.receiver.snapshot)
        self.worker.finished.connect(self.receiver.finished)

    def _finished(self, result: TrainResult) -> None:
        self.thread.thread.wait(5000)
        self.callbacks.finished(result, None)

    def start(self) -> None:
        # The first optimizer imports torch._dynamo (~1.6 s). Left to the training thread, that import can
        # stall on the import lock while this thread imports too; done here, the thread finds it imported.
        warm_optimizer()
        self.thread.start()

    def stop_and_wait(self, timeout_ms: int) -> bool:
        return self.thread.stop_and_wait(timeout_ms)

    def snapshot_received(self) -> None:
        self.worker.snapshot_received()

    def running(self) -> bool:
        return self.thread.is_running()


class MainThreadPost(QObject):
    """Session.post for the window: a function from any thread is run in the GUI thread (queued)."""

    _call = Signal(object)

    def __init__(self):
        super().__init__()
        self._call.connect(self._run, Qt.QueuedConnection)

    @Slot(object)
    def _run(self, fn) -> None:
        fn()

    def __call__(self, fn) -> None:
        self._call.emit(fn)
