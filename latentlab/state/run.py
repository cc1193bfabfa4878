"""Training runs as the session sees them: start, pause, step, stop, live settings, and their reports.

How a run is carried out is a Runner's business (the window's runs in gui/worker.py; InlineRunner below
runs in the caller, for headless use and tests). A runner calls back, in the session's thread, with
Progress, EpochEvent, a weights snapshot, and the TrainResult at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

import torch
from psygnal import Signal

from latentlab.core.training import EpochEvent, StepEvent, Trainer, TrainResult, warm_optimizer
from latentlab.state.base import SessionBase


@dataclass(frozen=True)
class Progress:
    step: int
    epoch: int
    progress: float  # fraction of this run done, 0..1
    terms: dict[str, float]  # mean over the steps since the last report
    samples_per_s: float
    eta_s: float


@dataclass
class RunCallbacks:
    progress: Callable[[Progress], None]
    epoch: Callable[[EpochEvent], None]
    snapshot: Callable[[dict, Any], None]  # CPU weights, codes of the live subset (or None)
    finished: Callable[[TrainResult], None]


class RunHandle(Protocol):
    def start(self) -> None: ...
    def stop_and_wait(self, timeout_ms: int) -> bool: ...
    def snapshot_received(self) -> None: ...


Runner = Callable[[Trainer, int | None, int | None, Any, RunCallbacks], RunHandle]


def weights_copy(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


class InlineRun:
    """A run carried out in the calling thread, reporting every step (headless use and tests)."""

    def __init__(self, trainer: Trainer, epochs: int | None, max_steps: int | None, code_inputs,
                 callbacks: RunCallbacks):
        self.trainer, self.epochs, self.max_steps, self.callbacks = trainer, epochs, max_steps, callbacks

    def start(self) -> None:
        t, cb = self.trainer, self.callbacks
        started = time.perf_counter()

        def on_step(e: StepEvent) -> None:
            cb.progress(Progress(e.step, e.epoch, e.progress, e.terms, e.samples_per_s, 0.0))

        t.on_step, t.on_epoch = on_step, cb.epoch
        try:
            result = t.run(self.epochs, self.max_steps)
        finally:
            t.on_step = t.on_epoch = None
        cb.snapshot(weights_copy(t.model), None)
        cb.finished(replace(result, message=f"{result.message} in {time.perf_counter() - started:.1f} s"
                            if result.reason == "finished" else result.message))

    def stop_and_wait(self, timeout_ms: int) -> bool:
        self.trainer.stop()
        return True

    def snapshot_received(self) -> None:
        pass


class RunMixin(SessionBase):
    """Part of Session: the training run and its idle / running / paused state."""

    state_changed = Signal(str)  # "idle", "running" or "paused"
    progress = Signal(object)  # Progress
    epoch_done = Signal(object)  # EpochEvent
    live_changed = Signal(str, object, int)  # a live setting's name, its new value, the step it applies from

    runner: Runner

    def _init_run(self) -> None:
        self._run: RunHandle | None = None
        self._state = "idle"
        self.last_progress: Progress | None = None

    @property
    def state(self) -> str:
        return self._state

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    def start(self, max_steps: int | None = None) -> bool:
        """Train `train_config.epochs` more epochs (or `max_steps` steps) in the background."""
        if self.state != "idle":
            return False
        if self.trainer is None:
            self.error("there is no model to train")
            return False
        if self.following is not None:
            self.error(f"this window follows the run in {self.following}, which trains elsewhere; "
                       "File > Stop following to train here")
            return False
        try:
            trainer = self._trainer_for_run()
        except ValueError as e:
            self.error(str(e))
            return False
        # The first optimizer imports torch._dynamo (~1.6 s). Left to a training thread, that import can
        # stall on the import lock while this thread imports too; done here, the thread finds it imported.
        warm_optimizer()
        handle: RunHandle | None = None

        def current(fn):
            return lambda *args: fn(*args) if handle is not None and handle is self._run else None

        callbacks = RunCallbacks(current(self._on_progress), current(self._on_epoch), current(self._on_snapshot),
                                 current(self._on_finished))
        handle = self.runner(trainer, trainer.config.epochs, max_steps, self.live_code_inputs(), callbacks)
        self._run = handle
        self._set_state("running")
        handle.start()
        return True

    def _trainer_for_run(self) -> Trainer:
        """The trainer, rebuilt if settings changed since it was made (keeping optimizer state and counts)."""
        old = self.require_trainer()
        wanted = replace(self.train_config, epochs=max(1, old.epoch + self.train_config.epochs))
        if old.config == wanted:
            return old
        trainer = Trainer(old.model, self.require_dataset(), wanted)
        trainer.load_state(old.state())
        for group in trainer.optimizer.param_groups:
            group["lr"] = wanted.lr
        self.trainer = trainer
        return trainer

    def step(self) -> bool:
        """Exactly one optimisation step: a run of one step, or one step of the paused run."""
        if self.state == "paused":
            self.require_trainer().step_once()
            return True
        return self.start(max_steps=1)

    def pause(self) -> None:
        if self.state == "running":
            self.require_trainer().pause()
            self._set_state("paused")

    def resume(self) -> None:
        if self.state == "paused":
            self.require_trainer().resume()
            self._set_state("running")

    def toggle_pause(self) -> None:
        self.resume() if self.state == "paused" else self.pause()

    def stop(self) -> None:
        if self._run is not None and self.state != "idle":
            self.require_trainer().stop()

    def apply_live(self, name: str, value: Any) -> None:
        """A live setting ("lr" or a model config field) for the running trainer, from its next step."""
        if self.trainer is not None and self.state != "idle":
            self.trainer.set_live(name, value)
            self.live_changed.emit(name, value, self.trainer.step + 1)

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Block until the run has ended (used on shutdown), keeping its final weights."""
        if self._run is None:
            return True
        ok = self._run.stop_and_wait(timeout_ms)
        if ok and self._run is not None:
            # The run's last queued reports will be dropped as stale: take its final weights here.
            self.require_snapshot().load_state_dict(weights_copy(self.require_trainer().model))
            self.forget_codes()
            self._finish_run()
            self.snapshot_changed.emit()
        return ok

    def _on_progress(self, progress: Progress) -> None:
        self.last_progress = progress
        self.history.add_train(progress.step, progress.terms)
        self.progress.emit(progress)
        self.history_changed.emit()

    def _on_epoch(self, event: EpochEvent) -> None:
        self.history.add_test(event.step, event.test)
        self.epoch_done.emit(event)
        self.history_changed.emit()

    def _on_snapshot(self, weights: dict, codes) -> None:
        if self.snapshot is not None:
            self.snapshot.load_state_dict(weights)
        self.take_live_codes(codes)
        if self._run is not None:
            self._run.snapshot_received()
        self.snapshot_changed.emit()

    def _on_finished(self, result: TrainResult) -> None:
        if result.reason in ("nan", "error"):
            self.error(result.message)
        elif result.reason == "finished":
            self.message.emit("info", result.message)
        self._finish_run()

    def _finish_run(self) -> None:
        self._run = None
        self._set_state("idle")
