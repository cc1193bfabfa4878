"""The control protocol of a training process (`latentlab train --control`): the window that started it
sends commands on its stdin and reads events on its stdout, one JSON object a line each.

Commands: {"cmd": "pause"}, "resume", "stop", "step" (exactly one batch while paused),
{"cmd": "set", "name": "beta", "value": 0.5} (a live setting, from the next step),
{"cmd": "save", "path": P} (between two steps), "snapshot_taken" (the window read the last snapshot).
Events: "started", "step" (mean terms since the last one), "epoch", "snapshot" (a weights file and
the live codes, written atomically in the run directory), "live" (a setting applied, with the step
it applies from), "saved", "end" (reason, message, and the final checkpoint with optimizer state).

The stdin of the process is its lifeline: when it closes (the window quit, crashed or was killed: the
kernel closes a dead process's pipes), training stops and the process exits. (Linux's parent-death
signal is not used: it fires when the *thread* that started the process ends, which is too soon.)
Weights never travel through the pipes: snapshots are safetensors files.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
import torch
from safetensors.torch import save_file

from latentlab.core.progress import TermMeans
from latentlab.core.training import EpochEvent, StepEvent, Trainer

STEP_INTERVAL_S = 0.1  # loss reports, at most this often
SNAPSHOT_INTERVAL_S = 0.25  # weight snapshots, at most this often and only once the last one was read
SNAPSHOT_BUDGET = 0.03  # and spaced so that writing them (and encoding the live codes) takes at most 3% of the run
NICENESS = 10  # the training process's priority, below the window's (0)
LIVE_DIR = "live"  # snapshots and the live codes, inside the run directory


def yield_to_the_window(niceness: int = NICENESS) -> None:
    """Run below the window's priority, every thread of this process: os.nice() alone changes only the
    calling thread on Linux, and torch's OpenMP workers, started before, stayed at the window's level
    (measured: they took the core the GUI thread woke up for; bench/app.py)."""
    tasks = Path("/proc/self/task")
    ids = [int(t) for t in os.listdir(tasks)] if tasks.is_dir() else [0]
    for tid in ids:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), niceness))
        except (OSError, AttributeError):  # not permitted, or not a POSIX system: run as we are
            pass


class Controller:
    """Serves one trainer: commands from `commands`, events to `events`, snapshots under `run_dir/live`."""

    def __init__(self, trainer: Trainer, run_dir: Path, commands: IO[str] = sys.stdin,
                 events: IO[str] = sys.stdout, code_inputs: tuple[torch.Tensor, torch.Tensor] | None = None,
                 saver: Callable[[Path], None] | None = None):
        self.trainer, self.commands, self.events = trainer, commands, events
        self.live = Path(run_dir) / LIVE_DIR
        self.live.mkdir(parents=True, exist_ok=True)
        self.code_inputs = code_inputs
        self.saver = saver
        self._lock = threading.Lock()
        self._means = TermMeans()
        self._last_step = 0.0
        self._next_snapshot = 0.0
        self._snapshot_taken = threading.Event()
        self._snapshot_taken.set()
        self._snapshots = 0
        self._last_event: StepEvent | None = None
        self.lost_parent = False

    # -- events ---------------------------------------------------------------------------
    def emit(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields}, allow_nan=True)
        with self._lock:
            try:
                self.events.write(line + "\n")
                self.events.flush()
            except (BrokenPipeError, ValueError, OSError):
                self._parent_gone()

    def on_step(self, event: StepEvent) -> None:
        self._last_event = event
        self._means.add(event.terms)
        now = time.perf_counter()
        if now - self._last_step >= STEP_INTERVAL_S or self.trainer.paused:  # a step while paused: at once
            self.flush_step(event)
        if now >= self._next_snapshot and self._snapshot_taken.is_set():
            self.snapshot()

    def flush_step(self, event: StepEvent) -> None:
        if self._means:
            self.emit("step", step=event.step, epoch=event.epoch, progress=event.progress,
                      terms=self._means.take(), samples_per_s=event.samples_per_s)
            self._last_step = time.perf_counter()

    def _report_position(self) -> None:
        if self._last_event is not None:
            self.flush_step(self._last_event)
        if self._snapshot_taken.is_set():
            self.snapshot()

    def on_epoch(self, event: EpochEvent) -> None:
        self.emit("epoch", epoch=event.epoch, step=event.step, test=event.test)

    @torch.no_grad()
    def snapshot(self, force: bool = False) -> None:
        """The weights (and the live subset's codes) as files renamed into place, then an event naming them."""
        weights = {k: v.detach().to("cpu").contiguous() for k, v in self.trainer.model.state_dict().items()}
        if not force and not all(bool(torch.isfinite(w).all()) for w in weights.values()):
            return  # a step just blew up: the trainer restores the weights next
        self._snapshot_taken.clear()
        began = time.perf_counter()
        self._snapshots += 1
        slot = self._snapshots % 2  # two files in turn: the window may still be reading the other
        path = self.live / f"snapshot-{slot}.safetensors"
        tmp = path.with_suffix(".tmp")
        save_file(weights, str(tmp))
        os.replace(tmp, path)
        codes_path = None
        if self.code_inputs is not None:
            model, device = self.trainer.model, self.trainer.device
            model.eval()
            codes = [model.encode(x.to(device)).cpu().numpy() for x in self.code_inputs]
            model.train()
            codes_path = self.live / f"codes-{slot}.npz"
            with open(codes_path.with_suffix(".tmp"), "wb") as f:
                np.savez(f, train=codes[0], test=codes[1])
            os.replace(codes_path.with_suffix(".tmp"), codes_path)
        took = time.perf_counter() - began
        self._next_snapshot = began + max(SNAPSHOT_INTERVAL_S, took / SNAPSHOT_BUDGET)
        self.emit("snapshot", step=self.trainer.step, epoch=self.trainer.epoch, path=str(path),
                  codes=str(codes_path) if codes_path else None)

    # -- commands ---------------------------------------------------------------------------
    def listen(self) -> threading.Thread:
        """Read commands in a daemon thread until stdin closes."""
        thread = threading.Thread(target=self._read, name="latentlab-control", daemon=True)
        thread.start()
        return thread

    def _read(self) -> None:
        for line in self.commands:
            try:
                command = json.loads(line)
                self.obey(command)
            except (ValueError, TypeError, KeyError) as e:
                self.emit("error", message=f"bad command {line.strip()!r}: {e}")
        self._parent_gone()

    def _parent_gone(self) -> None:
        self.lost_parent = True
        self.trainer.stop()

    def obey(self, command: dict) -> None:
        t, cmd = self.trainer, command["cmd"]
        if cmd == "pause":
            t.pause()
            t.call_soon(self._report_position)  # where it stopped, exactly: the window's counts catch up
        elif cmd == "resume":
            t.resume()
        elif cmd == "stop":
            t.stop()
        elif cmd == "step":
            t.step_once()
        elif cmd == "snapshot_taken":
            self._snapshot_taken.set()
        elif cmd == "set":
            name, value = str(command["name"]), command["value"]
            t.set_live(name, value)
            t.call_soon(lambda: self.emit("live", name=name, value=value, step=t.step + 1))
        elif cmd == "save":
            path = Path(command["path"])
            t.call_soon(lambda: self._save(path))
        else:
            raise ValueError(f"unknown command {cmd!r}")

    def _save(self, path: Path) -> None:
        if self.saver is None:
            self.emit("saved", path=str(path), step=self.trainer.step, problem="this run cannot save")
            return
        try:
            self.saver(path)
        except (OSError, ValueError) as e:  # CheckpointError is a ValueError
            self.emit("saved", path=str(path), step=self.trainer.step, problem=str(e))
            return
        self.emit("saved", path=str(path), step=self.trainer.step, problem=None)


def serve(trainer: Trainer, run_dir: Path, save: Callable[[Path], None], max_steps: int | None = None,
          code_inputs: tuple[torch.Tensor, torch.Tensor] | None = None,
          also_on_step: Callable[[StepEvent], None] | None = None,
          also_on_epoch: Callable[[EpochEvent], None] | None = None) -> bool:
    """Train under the control protocol until the run ends, then write the final checkpoint (weights and
    optimizer state, `live/end.safetensors`) and say so in the "end" event. False when the window went away
    (nothing is written then: nobody would read it)."""
    control = Controller(trainer, run_dir, code_inputs=code_inputs, saver=save)
    last: list[StepEvent] = []

    def on_step(event: StepEvent) -> None:
        last[:] = [event]
        if also_on_step:
            also_on_step(event)
        control.on_step(event)

    def on_epoch(event: EpochEvent) -> None:
        if also_on_epoch:
            also_on_epoch(event)
        control.on_epoch(event)

    trainer.on_step, trainer.on_epoch = on_step, on_epoch
    control.listen()
    control.emit("started", step=trainer.step, epoch=trainer.epoch, pid=os.getpid(), device=str(trainer.device))
    try:
        result = trainer.run(max_steps=max_steps)
    except Exception as e:  # whatever happens, the window hears how the run ended
        control.emit("end", reason="error", message=f"training failed: {type(e).__name__}: {e}", step=trainer.step,
                     epoch=trainer.epoch, path=None)
        raise
    if last:
        control.flush_step(last[0])
    if control.lost_parent:
        return False  # nobody is listening: leave quietly
    control.snapshot(force=True)
    end = control.live / "end.safetensors"
    problem = None
    try:
        save(end)
    except (OSError, ValueError) as e:
        problem = str(e)
    control.emit("end", reason=result.reason, message=result.message if not problem else f"{result.message}; "
                 f"the final weights could not be written: {problem}", step=trainer.step, epoch=trainer.epoch,
                 test=result.test, path=None if problem else str(end))
    return True
