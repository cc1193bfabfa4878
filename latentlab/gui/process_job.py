"""A long training job other than the main run (the walkback pair), in its own process like the run.

It has the interface of gui/jobs.py's Job (progress, done, failed, ended, bind, cancel), so a panel
does not care where its work runs. The process is `latentlab <subcommand> ... --json`: JSON lines
{"event": "progress", "fraction": f} and one {"event": "end", ...} on stdout; "stop" or a closed stdin
on its stdin ends it. A crash is a message in the panel, never the window's end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QAbstractButton, QProgressBar

from latentlab.gui.jobs import bind_controls

STOP_WAIT_S = 2.0  # Stop and quitting end a process within this; then it is killed


def wait_or_kill(process: subprocess.Popen, timeout_s: float) -> None:
    """Wait for `process` to exit, killing it if it has not within `timeout_s`."""
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class ProcessJob(QObject):
    progress = Signal(float)
    done = Signal(object)  # what `load` made of the end event
    failed = Signal(str)
    ended = Signal()

    _progress = Signal(float)  # from the reader thread, queued to the GUI thread
    _end = Signal(object, str)  # result (None: cancelled or failed), error

    def __init__(self, argv: list[str], load: Callable[[dict], Any], name: str = "latentlab-job",
                 parent: QObject | None = None):
        """`argv`: the subcommand and its arguments; `load(end_event)`: the result, read in the reader thread."""
        super().__init__(parent)
        self.argv, self.load, self.name = argv, load, name
        self.process: subprocess.Popen | None = None
        self.reader: threading.Thread | None = None
        self._cancel = threading.Event()
        self._progress.connect(self._on_progress)
        self._end.connect(self._on_end)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "latentlab", *self.argv, "--json"]

    def start(self) -> ProcessJob:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("QT_QPA_PLATFORM", None)
        try:
            self.stderr = tempfile.TemporaryFile("w+")  # a file, not a pipe: a chatty process never blocks
            self.process = subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=self.stderr, text=True, bufsize=1, env=env)
        except OSError as e:
            self._end.emit(None, f"cannot start the process: {e}")
            return self
        self.reader = threading.Thread(target=self._read, name=self.name, daemon=True)
        self.reader.start()
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        end: dict | None = None
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "progress":
                self._progress.emit(float(event.get("fraction", 0.0)))
            elif event.get("event") == "end":
                end = event
        code = self.process.wait()
        self.stderr.seek(0)
        stderr = self.stderr.read()
        if self.cancelled():
            self._end.emit(None, "")
        elif end is not None and not end.get("message"):
            try:
                self._end.emit(self.load(end), "")
            except (OSError, ValueError) as e:
                self._end.emit(None, f"cannot read what it wrote: {e}")
        else:
            last = [ln for ln in stderr.splitlines() if ln.strip()][-1:]
            why = (end or {}).get("message") or (last[0] if last else f"the process exited with status {code}")
            self._end.emit(None, why)

    def bind(self, bar: QProgressBar, start_button: QAbstractButton, cancel_button: QAbstractButton) -> ProcessJob:
        bind_controls(self, bar, start_button, cancel_button)
        return self

    def cancel(self) -> None:
        self._cancel.set()
        process = self.process
        if process is not None and process.poll() is None and process.stdin is not None:
            try:
                process.stdin.write("stop\n")
                process.stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def cancel_and_wait(self, timeout_ms: int = 10_000) -> bool:
        """Cancel, and end the process within STOP_WAIT_S (killing it if it must)."""
        self.cancel()
        process = self.process
        if process is None:
            return True
        wait_or_kill(process, min(STOP_WAIT_S, timeout_ms / 1000))
        if self.reader is not None:
            self.reader.join(timeout_ms / 1000)
        return True

    def kill(self) -> None:
        """What a crash looks like (tests)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()

    def _on_progress(self, fraction: float) -> None:
        if not self.cancelled():
            self.progress.emit(fraction)

    def _on_end(self, result: Any, error: str) -> None:
        if error:
            self.failed.emit(error)
        elif result is not None:
            self.done.emit(result)
        self.ended.emit()
