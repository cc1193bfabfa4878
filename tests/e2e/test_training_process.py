"""Training runs in a process of its own: SIGKILL it in the middle of a run, in a real window, and the
window stays up, keeps its weights, saves, and quits with status 0, leaving no process behind."""

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from latentlab.core.checkpoints import load_checkpoint
from tests.e2e.test_real_window import open_a_copy_of_the_vae, scatter_area, wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Xvfb and /proc are Linux's")


def children(pid: int) -> dict[int, str]:
    """Processes whose parent is `pid`, with their command lines (from /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_killing_the_training_process_leaves_the_window_up_and_no_orphan(screen, tmp_path):
    checkpoint, shipped_step, app = open_a_copy_of_the_vae(screen, tmp_path)
    seen: set[int] = set()
    try:
        window = screen.find_window("latentlab")
        wait_for(lambda: scatter_area(screen.pixels()), 90, "the latent scatter to be painted")
        screen.key(window, "ctrl+Return")  # Training > Start
        trainers = wait_for(lambda: {p for p, cmd in children(app.pid).items() if "latentlab" in cmd} or None,
                            30, "a training process")
        seen |= trainers
        time.sleep(4)  # it trains, and the window takes its snapshots
        for pid in trainers:  # the trainer (and a spare, if one was made ready)
            os.kill(pid, signal.SIGKILL)
        time.sleep(2)
        assert app.poll() is None, "the window died with its training process"
        modified = checkpoint.stat().st_mtime_ns
        screen.key(window, "ctrl+s")  # the window still answers, and has weights to save
        wait_for(lambda: checkpoint.stat().st_mtime_ns != modified, 30, "the checkpoint to be saved")
        screen.key(window, "ctrl+Return")  # and trains again, in a new process
        wait_for(lambda: {p for p, cmd in children(app.pid).items() if "latentlab" in cmd} - trainers or None,
                 30, "a new training process")
        seen |= set(children(app.pid))
        time.sleep(1)
        screen.key(window, "ctrl+q")  # quitting during the run ends it, after the question about saving
        dialog = screen.find_window("Unsaved training", 30)
        screen.key(dialog, "Return")  # Save (the default)
        assert app.wait(60) == 0, app.stdout.read()
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    wait_for(lambda: not any(alive(pid) for pid in seen) or None, 10, "the training processes to end")
    saved = load_checkpoint(checkpoint)
    assert saved.step > shipped_step  # the weights it trained before the kill were kept and saved
