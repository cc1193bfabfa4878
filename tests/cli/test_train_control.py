"""The training process's control protocol (core/control.py), driven headless as the window drives it:
start, pause, one step while paused, a live setting, a save, stop; and a killed process."""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from latentlab.core.checkpoints import load_checkpoint
from latentlab.core.control import NICENESS


class Child:
    """`latentlab train --control` with its events read by a thread into a queue."""

    def __init__(self, tmp_path, *extra):
        self.run = tmp_path / "run"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "latentlab", "train", "--data", "ring8", "--hidden", "16", "--epochs", "1000",
             "--run-dir", str(self.run), "--control", "--quiet", *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.events: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.events.put(json.loads(line))
        self.events.put({"event": "eof"})

    def send(self, cmd, **fields):
        try:
            self.process.stdin.write(json.dumps({"cmd": cmd, **fields}) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # it has ended: the events say how

    def wait_for(self, kind, timeout=60, where=lambda e: True):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=0.5)
            except queue.Empty:
                continue
            if event["event"] == "snapshot":
                self.send("snapshot_taken")
            if event["event"] == kind and where(event):
                return event
            if event["event"] == "eof" and kind != "eof":
                raise AssertionError(f"the process ended before {kind}: {self.process.stderr.read()}")
        raise AssertionError(f"no {kind} event within {timeout} s")

    def latest_step(self, settle=0.5):
        """The newest step reported once the reports have stopped coming."""
        step, deadline = None, time.monotonic() + settle
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=0.1)
            except queue.Empty:
                continue
            if event["event"] in ("step", "snapshot"):
                step = event["step"]
                deadline = time.monotonic() + settle
        return step


@pytest.mark.slow
def test_pause_step_live_setting_save_and_stop(tmp_path):
    child = Child(tmp_path)
    try:
        child.wait_for("started")
        child.wait_for("step", where=lambda e: e["step"] >= 20)
        child.send("pause")
        paused_at = child.latest_step()
        assert child.latest_step(0.5) is None  # nothing moves while paused
        child.send("step")
        assert child.wait_for("step")["step"] == paused_at + 1
        assert child.latest_step(0.5) is None  # and it stays paused
        child.send("set", name="beta", value=0.0)
        live = child.wait_for("live")
        assert (live["name"], live["value"], live["step"]) == ("beta", 0.0, paused_at + 2)
        child.send("set", name="beta", value=-1)  # a value that does not fit: a message, training goes on
        assert "beta" in child.wait_for("error")["message"]
        child.send("save", path=str(tmp_path / "mid.safetensors"))
        child.send("resume")
        saved = child.wait_for("saved")
        assert saved["problem"] is None and load_checkpoint(tmp_path / "mid.safetensors").model.config.beta == 0.0
        child.wait_for("step", where=lambda e: e["step"] > paused_at + 1)  # training goes on after the save
        child.send("stop")
        end = child.wait_for("end", timeout=5)
        assert end["reason"] == "stopped" and end["step"] > paused_at + 1
        final = load_checkpoint(end["path"])
        assert final.step == end["step"] and final.optimizer_state and final.model.config.beta == 0.0
        assert child.process.wait(10) == 0
    finally:
        child.process.kill()


@pytest.mark.slow
def test_a_closed_pipe_ends_the_process_and_a_killed_one_says_nothing_more(tmp_path):
    child = Child(tmp_path)
    child.wait_for("step")
    if sys.platform == "linux":  # every thread yields to the window, torch's workers included
        tasks = list((Path("/proc") / str(child.process.pid) / "task").iterdir())
        assert tasks and all(os.getpriority(os.PRIO_PROCESS, int(t.name)) >= NICENESS for t in tasks)
    child.process.stdin.close()  # the window went away
    assert child.process.wait(10) == 0
    (tmp_path / "b").mkdir()
    other = Child(tmp_path / "b")
    other.wait_for("step")
    other.process.send_signal(signal.SIGKILL)
    assert other.process.wait(10) == -signal.SIGKILL
    other.wait_for("eof")
