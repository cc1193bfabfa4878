"""Training runs as the session sees them: start, pause, step, stop, live settings, and their reports.

How a run is carried out is a Runner's business: the window trains in a process of its own
(gui/process_run.py, `latentlab train --control`), or in a thread (gui/worker.py); InlineRun below
trains in the caller, for headless use and tests. A runner calls back, in the session's thread, with
Progress, EpochEvent, a weights snapshot, a save's outcome, and at the end the TrainResult with, from
a process, the final checkpoint to take the weights and optimizer state from.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from psygnal import Signal

from latentlab.core.data import as_float
from latentlab.core.recipes import dataset_record
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
    finished: Callable[[TrainResult, Any], None]  # the result, and a Checkpoint with the final state (or None)
    saved: Callable[[Path, int, str | None], None] = lambda path, step, problem: None
    live: Callable[[str, Any, int], None] = lambda name, value, step: None  # a live setting applied from a step


@dataclass
class RunRequest:
    """What a runner needs: the trainer (its model, data, settings and counts), how far to train, the rows
    whose codes come with each snapshot, and the data's record (to load the same data elsewhere)."""

    trainer: Trainer
    epochs: int
    max_steps: int | None
    live_rows: tuple[np.ndarray, np.ndarray] | None
    dataset_record: dict

    @property
    def code_inputs(self) -> tuple[torch.Tensor, torch.Tensor] | None:
        if self.live_rows is None:
            return None
        d = self.trainer.dataset
        return as_float(d.train_x[self.live_rows[0]]), as_float(d.test_x[self.live_rows[1]])


class RunHandle(Protocol):
    def start(self) -> None: ...
    def stop_and_wait(self, timeout_ms: int) -> bool: ...
    def snapshot_received(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def step_once(self) -> None: ...
    def stop(self) -> None: ...
    def set_live(self, name: str, value: Any) -> None: ...
    def save(self, path: Path) -> bool: ...  # True: the run saves and reports through callbacks.saved


Runner = Callable[[RunRequest, RunCallbacks], RunHandle]


class InThisProcess:
    """Controls of a run whose trainer lives in this process (a thread, or the caller)."""

    trainer: Trainer
    callbacks: RunCallbacks

    def pause(self) -> None:
        self.trainer.pause()

    def resume(self) -> None:
        self.trainer.resume()

    def step_once(self) -> None:
        self.trainer.step_once()

    def stop(self) -> None:
        self.trainer.stop()

    def set_live(self, name: str, value: Any) -> None:
        self.trainer.set_live(name, value)
        self.callbacks.live(name, value, self.trainer.step + 1)

    def save(self, path: Path) -> bool:
        return False  # the session saves between two steps itself (it shares the trainer)


def weights_copy(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


class InlineRun(InThisProcess):
    """A run carried out in the calling thread, reporting every step (headless use and tests)."""

    def __init__(self, request: RunRequest, callbacks: RunCallbacks):
        self.trainer, self.epochs, self.max_steps = request.trainer, request.epochs, request.max_steps
        self.callbacks = callbacks

    def start(self) -> None:
        t, cb = self.trainer, self.callbacks
        warm_optimizer()
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
                            if result.reason == "finished" else result.message), None)

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
        if not self.trainer.model.can("train"):  # a plug-in without a loss latentlab can use
            self.error(f"this model cannot train here: {self.trainer.model.why_not('train')}")
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
        handle: RunHandle | None = None

        def current(fn):
            return lambda *args: fn(*args) if handle is not None and handle is self._run else None

        callbacks = RunCallbacks(current(self._on_progress), current(self._on_epoch), current(self._on_snapshot),
                                 current(self._on_finished), current(self._saved), current(self._on_live))
        request = RunRequest(trainer, trainer.config.epochs, max_steps, self.live_rows(),
                             dataset_record(self.require_dataset(), self.dataset_folder))
        handle = self.runner(request, callbacks)
        self._run = handle
        self._set_state("running")
        try:
            handle.start()
        except (OSError, ValueError) as e:  # no process could be started, no start file written
            self._finish_run()
            self.error(f"training could not start: {e}")
            return False
        return True

    def _trainer_for_run(self) -> Trainer:
        """The trainer, rebuilt if settings changed since it was made (keeping optimizer state and counts)."""
        old = self.require_trainer()
        wanted = replace(self.train_config, epochs=max(1, old.epoch + self.train_config.epochs))
        if old.config == wanted:
            return old
        trainer = Trainer(old.model, self.require_dataset(), wanted)
        trainer.load_state(old.state())  # Adam's state; its rate becomes wanted.lr when the optimizer is built
        self.trainer = trainer
        return trainer

    def step(self) -> bool:
        """Exactly one optimisation step: a run of one step, or one step of the paused run."""
        if self.state == "paused" and self._run is not None:
            self._run.step_once()
            return True
        return self.start(max_steps=1)

    def pause(self) -> None:
        if self.state == "running" and self._run is not None:
            self._run.pause()
            self._set_state("paused")

    def resume(self) -> None:
        if self.state == "paused" and self._run is not None:
            self._run.resume()
            self._set_state("running")

    def toggle_pause(self) -> None:
        self.resume() if self.state == "paused" else self.pause()

    def stop(self) -> None:
        if self._run is not None and self.state != "idle":
            self._run.stop()

    def apply_live(self, name: str, value: Any) -> None:
        """A live setting ("lr" or a model config field): for the run from its next step, and for the model
        and the window's snapshot. ValueError if the value does not fit."""
        trainer = self.require_trainer()
        if self._run is not None and self.state != "idle":
            self._run.set_live(name, value)  # the run reports, through live_changed, the step it applies from
        elif name == "lr":
            trainer.config = replace(trainer.config, lr=float(value))
        else:
            trainer.model.reconfigure(**{name: value})
        if name != "lr" and self.snapshot is not None:
            self.snapshot.reconfigure(**{name: value})

    def end_for_quit(self) -> None:
        """The application quits and keeps nothing more of a run (saving, if asked, came first): end it
        without its final checkpoint where the runner can (a training process), else wait for it."""
        abandon = getattr(self._run, "abandon", None)
        if abandon is None:
            self.wait()
            return
        abandon()
        self._finish_run()

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
        trainer = self.require_trainer()  # a run in another process: the counts follow its reports
        trainer.step, trainer.epoch = max(trainer.step, progress.step), max(trainer.epoch, progress.epoch)
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

    def _on_live(self, name: str, value: Any, step: int) -> None:
        """The run applies a live setting from `step`: mark it in the history (and the curves)."""
        self.history.add_mark(step, name, float(value))
        self.live_changed.emit(name, value, step)
        self.history_changed.emit()

    def _on_finished(self, result: TrainResult, final: Any) -> None:
        trainer = self.require_trainer()
        if final is not None:  # the run trained elsewhere: take its weights, optimizer state and counts
            trainer.model.load_state_dict(final.model.state_dict())
            trainer.model.reconfigure(**{f: getattr(final.model.config, f) for f in final.model.config.to_dict()})
            trainer.load_state({"optimizer": final.optimizer_state, "step": final.step, "epoch": final.epoch})
        elif result.reason == "lost" and self.snapshot is not None:  # the process died: keep the last snapshot
            trainer.model.load_state_dict(self.snapshot.state_dict())
            trainer.model.reconfigure(**self.snapshot.config.to_dict())  # with the live settings it had
        if result.reason in ("nan", "error", "lost"):
            self.error(result.message)
        elif result.reason == "finished":
            self.message.emit("info", result.message)
        self._finish_run()

    def _finish_run(self) -> None:
        self._run = None
        self._set_state("idle")
