"""ProcessRun: the window's runner. Training runs in a process of its own, `latentlab train --control`,
the same command a server runs with --run-dir and the window follows (core/control.py has the protocol).

Why a process, not a thread: the trainer and the window then share no interpreter lock, the trainer
runs at a lower priority, and a crash of the trainer (a kernel fault, CUDA out of memory, a kill)
leaves the window and its last snapshot standing.
Why `latentlab train` as a subprocess rather than torch.multiprocessing: nothing is pickled between
the two (commands and reports are JSON lines, weights are safetensors files), the run directory it
writes is the one File > Follow run reads, and its command line can be run by hand to reproduce a run.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot
from safetensors.torch import load_file

from latentlab.core.checkpoints import CheckpointError, load_checkpoint, save_checkpoint
from latentlab.core.run_dir import make_scratch
from latentlab.core.training import EpochEvent, TrainResult
from latentlab.gui.process_job import STOP_WAIT_S, wait_or_kill
from latentlab.state.run import Progress, RunCallbacks, RunRequest

ABANDON_WAIT_S = 0.5  # on quit, then it is killed: nothing of it is kept

# Runs' scratch folders not yet removed. A run removes its own when its process has ended; whatever is left
# at exit (a window quit mid-run, whose reader thread dies with it) goes then, not into /tmp for good.
_SCRATCH: set[Path] = set()


@atexit.register
def _remove_all_scratch() -> None:
    for folder in list(_SCRATCH):
        shutil.rmtree(folder, ignore_errors=True)


class _Spare:
    """One training process kept ready (cli/warm.py): a run takes it and Start answers at once; another
    is made ready when that run has ended (not during it: its imports would take cores from training).
    Shared by the windows of a process; it ends with the process."""

    process: subprocess.Popen | None = None
    key: tuple = ()
    stderr: Any = None
    registered = False
    closed = False  # the application is quitting

    lock = threading.Lock()  # taken in the GUI thread, made ready again from a run's reader thread

    @classmethod
    def take(cls, argv: list[str], env: dict[str, str], stderr) -> tuple[subprocess.Popen, Any]:
        """A process running `latentlab train argv` (the spare if it suits, else a new one), and the file
        its stderr goes to (for the message if it dies)."""
        key = _env_key(env)
        with cls.lock:
            spare, spare_stderr, cls.process, cls.stderr = cls.process, cls.stderr, None, None
            fits = cls.key == key
        if spare is not None and spare.poll() is None and fits and spare.stdin is not None:
            try:
                spare.stdin.write(json.dumps(argv) + "\n")
                spare.stdin.flush()
                return spare, spare_stderr
            except (BrokenPipeError, OSError):
                pass
        if spare is not None:
            _end(spare)  # made for another environment: it must not linger
        return subprocess.Popen([sys.executable, "-m", "latentlab", *argv], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=stderr, text=True, bufsize=1, env=env), stderr

    @classmethod
    def prepare_now(cls) -> None:
        """Make the spare ready (the window calls this a moment after it opens)."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("QT_QPA_PLATFORM", None)
        cls.prepare(env)

    @classmethod
    def prepare(cls, env: dict[str, str]) -> None:
        with cls.lock:
            if cls.closed or (cls.process is not None and cls.process.poll() is None):
                return
            if not cls.registered:
                atexit.register(shutdown_spare)
                cls.registered = True
            cls.stderr = tempfile.TemporaryFile("w+")
            cls.key = _env_key(env)
            cls.process = subprocess.Popen([sys.executable, "-m", "latentlab.cli.warm"], stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=cls.stderr, text=True, bufsize=1,
                                           env=env)


def _env_key(env: dict[str, str]) -> tuple:
    """What a spare's environment must match to train like a fresh process: where Python finds its modules,
    which GPUs it sees, its torch threads."""
    return tuple(sorted((k, v) for k, v in env.items() if k in ("PYTHONPATH", "CUDA_VISIBLE_DEVICES",
                                                                 "LATENTLAB_TORCH_THREADS", "VIRTUAL_ENV")))


def _end(process: subprocess.Popen) -> None:
    """A spare nobody will use: it holds nothing, so it is killed (waiting for it to finish importing torch
    made quitting take seconds)."""
    try:
        process.kill()
        process.wait(5)
    except (OSError, subprocess.TimeoutExpired):
        pass


def shutdown_spare() -> None:
    """The application quits: the spare goes too (it would also end when its stdin closes with this process)."""
    with _Spare.lock:
        spare, _Spare.process = _Spare.process, None
        _Spare.closed = True  # a run that ends from now on prepares no new one
    if spare is not None:
        _end(spare)


class _Relay(QObject):
    """Lives in the GUI thread: the reader thread's news arrive here queued, then go to the session."""

    progress = Signal(object)
    epoch = Signal(object)
    snapshot = Signal(object, object)
    saved = Signal(object, int, object)
    live = Signal(str, object, int)
    finished = Signal(object, object)

    def __init__(self, callbacks: RunCallbacks):
        super().__init__()
        self.progress.connect(callbacks.progress)
        self.epoch.connect(callbacks.epoch)
        self.snapshot.connect(callbacks.snapshot)
        self.saved.connect(callbacks.saved)
        self.live.connect(callbacks.live)
        self.finished.connect(self._finished)
        self.callbacks = callbacks

    @Slot(object, object)
    def _finished(self, result, final) -> None:
        self.callbacks.finished(result, final)


class ProcessRun:
    def __init__(self, request: RunRequest, callbacks: RunCallbacks):
        self.request, self.callbacks = request, callbacks
        self.relay = _Relay(callbacks)
        self.folder = make_scratch("run")  # named with this pid: a later run sweeps it if this process is killed
        _SCRATCH.add(self.folder)
        self.process: subprocess.Popen | None = None
        self.reader: threading.Thread | None = None
        self._lock = threading.Lock()
        self._last_step = request.trainer.step
        self._ended = False
        self.started = threading.Event()  # the process has set up and is training (its "started" event)

    # -- starting --------------------------------------------------------------------------
    def command(self) -> list[str]:
        """The `latentlab train` command line of this run (it can be run by hand to reproduce it)."""
        t, r = self.request.trainer, self.request
        config = t.config
        argv = [sys.executable, "-m", "latentlab", "train", "--resume", str(self.folder / "start.safetensors"),
                "--run-dir", str(self.folder / "run"), "--control", "--quiet", "--epochs", str(r.epochs),
                "--batch-size", str(config.batch_size), "--lr", repr(config.lr), "--seed", str(config.seed),
                "--device", config.device,
                # Its run directory is scratch (the window keeps the snapshots and saves on request): a rolling
                # checkpoint with optimizer state after each of MNIST-5k's 0.3 s epochs cost a tenth of the speed.
                "--checkpoint-every", "1000000", "--keep", "1",
                "--trust-data-folder"]  # the window's own data, which the user chose
        if config.threads:
            argv += ["--threads", str(config.threads)]
        if r.max_steps is not None:
            argv += ["--max-steps", str(r.max_steps)]
        if r.live_rows is not None:
            argv += ["--live-index", str(self.folder / "live_rows.npz")]
        return argv

    def start(self) -> None:
        t, r = self.request.trainer, self.request
        save_checkpoint(self.folder / "start.safetensors", t.model, r.dataset_record, t.step, t.epoch, {},
                        t.optimizer_state())
        if r.live_rows is not None:
            np.savez(self.folder / "live_rows.npz", train=r.live_rows[0], test=r.live_rows[1])
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("QT_QPA_PLATFORM", None)
        self.env = env
        self.process, self.stderr = _Spare.take(self.command()[3:], env, open(self.folder / "stderr.log", "w+"))
        self.reader = threading.Thread(target=self._read, name="latentlab-run-reader", daemon=True)
        self.reader.start()

    # -- reports (the reader thread) ---------------------------------------------------------------
    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a stray print: not ours
            try:
                end = self._take(event)
            except (KeyError, TypeError, ValueError, OSError) as e:  # a report we cannot read: say so, go on
                self.relay.saved.emit(Path("?"), self._last_step, f"unreadable report from training: {e}")
                continue
            if end is not None:
                self._finish(*end)  # at once: the process still has to exit, nobody need wait for that
                _Spare.prepare(self.env)  # the next run's process, now that this one no longer trains
        code = self.process.wait()
        if not self._ended:  # it ended without saying so: killed, or a crash
            self._finish(TrainResult("lost", self._lost_message(code), self._last_step, 0), None)
        self._remove_scratch()  # every report has been read: nothing in the folder is needed any more

    def _remove_scratch(self) -> None:
        stderr = getattr(self, "stderr", None)
        if stderr is not None:
            stderr.close()
        _SCRATCH.discard(self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _take(self, event: dict) -> tuple[TrainResult, Any] | None:
        kind = event.get("event")
        if kind == "started":
            self.started.set()
        elif kind == "step":
            self._last_step = int(event["step"])
            self.relay.progress.emit(Progress(int(event["step"]), int(event["epoch"]), float(event["progress"]),
                                              {str(k): float(v) for k, v in event["terms"].items()},
                                              float(event["samples_per_s"]), float("nan")))
        elif kind == "epoch":
            self.relay.epoch.emit(EpochEvent(int(event["epoch"]), int(event["step"]),
                                             {str(k): float(v) for k, v in event["test"].items()}))
        elif kind == "snapshot":
            weights = load_file(event["path"])  # read here, never in the GUI thread; no pickle
            codes = None
            if event.get("codes"):
                with np.load(event["codes"]) as c:
                    codes = (c["train"], c["test"])
            self.relay.snapshot.emit(weights, codes)
        elif kind == "saved":
            self.relay.saved.emit(Path(event["path"]), int(event["step"]), event.get("problem"))
        elif kind == "live":
            self.relay.live.emit(str(event["name"]), event["value"], int(event["step"]))
        elif kind == "end":
            final = None
            if event.get("path"):
                try:
                    final = load_checkpoint(event["path"])
                except CheckpointError:
                    final = None
            result = TrainResult(str(event["reason"]), str(event["message"]), int(event["step"]),
                                 int(event["epoch"]), dict(event.get("test") or {}))
            return result, final
        elif kind == "error":
            self.relay.saved.emit(Path("?"), self._last_step, str(event.get("message")))
        return None

    def _lost_message(self, code: int) -> str:
        how = (f"was killed by signal {-code} ({signal.Signals(-code).name})" if code < 0 and -code in
               signal.valid_signals() else f"exited with status {code}")
        try:
            self.stderr.seek(0)
            last = [line.strip() for line in self.stderr.read().splitlines() if line.strip()][-1:]
        except (OSError, ValueError):
            last = []
        why = f": {last[0]}" if last else ""
        return (f"the training process {how}{why}. The window keeps the weights of its last snapshot "
                f"(step {self._last_step}); Start goes on from there.")

    def _finish(self, result: TrainResult, final: Any) -> None:
        with self._lock:
            if self._ended:
                return
            self._ended = True
        self.relay.finished.emit(result, final)

    # -- commands ----------------------------------------------------------------------------------
    def _send(self, command: str, **fields: Any) -> None:
        process = self.process
        if process is None or process.stdin is None or process.poll() is not None:
            return
        try:
            process.stdin.write(json.dumps({"cmd": command, **fields}) + "\n")
            process.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass  # it has ended; the reader reports how

    def pause(self) -> None:
        self._send("pause")

    def resume(self) -> None:
        self._send("resume")

    def step_once(self) -> None:
        self._send("step")

    def stop(self) -> None:
        self._send("stop")

    def snapshot_received(self) -> None:
        self._send("snapshot_taken")

    def set_live(self, name: str, value: Any) -> None:
        """Checked here first (a ValueError now, not a message later), then sent."""
        self.request.trainer.check_live(name, value)
        self._send("set", name=name, value=value)

    def save(self, path: Path) -> bool:
        self._send("save", path=str(path))
        return True

    def stop_and_wait(self, timeout_ms: int = 10_000) -> bool:
        """Stop, wait for the process (at most STOP_WAIT_S, then kill it) and take its final state."""
        process = self.process
        if process is None:
            return True
        self.stop()
        wait_or_kill(process, min(STOP_WAIT_S, timeout_ms / 1000))
        if self.reader is not None:
            self.reader.join(timeout_ms / 1000)
        return not (self.reader is not None and self.reader.is_alive())

    def abandon(self, timeout_s: float = ABANDON_WAIT_S) -> None:
        """The window quits and keeps nothing of this run: close the lifeline (the process stops at once,
        writing no final checkpoint), and kill it if it has not gone within `timeout_s`."""
        process = self.process
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
        except (OSError, ValueError):
            process.kill()  # no lifeline to close: end it now
        wait_or_kill(process, timeout_s)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """For tests and the bench: what a crash looks like."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)

    def __del__(self) -> None:
        _SCRATCH.discard(self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)


def prepare_spare() -> None:
    """Have a training process ready, so the first Start answers at once too."""
    _Spare.prepare_now()
