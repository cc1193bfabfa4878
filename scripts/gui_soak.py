"""GUI soak: N cycles of start the application, train, random actions for 1-5 s, quit.

    python scripts/gui_soak.py [CYCLES]        (default 30; writes bench/results/gui_soak.txt)

Each cycle is a fresh process with a real (offscreen) window. It counts non-zero exits, "Fatal Python
error", tracebacks, hangs over 20 s and training processes left behind, and times each quit (from the
window's close to the process's exit).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
HANG_S = 20
CYCLE = r"""
import sys, time
import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from latentlab.gui.app import create_application, quit_now, use_gui_thread_for_small_work
from latentlab.gui.main_window import MainWindow
from tests.reliability.test_monkey import actions
app = create_application()
use_gui_thread_for_small_work()
window = MainWindow()
window.ask_save_on_close = lambda: QMessageBox.Discard
window.session.set_dataset("ring8")
window.model_data.epochs.setValue(100000)
window.show()
rng = np.random.default_rng(int(sys.argv[1]))
todo = actions(window, rng)
until = time.monotonic() + float(sys.argv[2])
pids = set()
def act():
    run = getattr(window.session, "_run", None)
    process = getattr(run, "process", None)
    if process is not None:
        pids.add(process.pid)
    if time.monotonic() < until:
        todo[int(rng.integers(0, len(todo)))]()
        return
    timer.stop()
    print("pids", *sorted(pids), flush=True)
    print("closing", time.time(), flush=True)
    window.close()
timer = QTimer(interval=20, timeout=act)
window.session.start()
timer.start()
sys.exit(quit_now(window, app.exec()))  # as the application quits (gui/app.py run_app)
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def main() -> int:
    cycles = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    rng = np.random.default_rng(0)
    counts = {"non-zero exit": 0, "Fatal Python error": 0, "traceback": 0, "hang": 0, "leftover process": 0}
    quits = []
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LATENTLAB_SETTINGS": f"{scratch}/s.ini",
               "PYTHONPATH": str(ROOT)}
        for cycle in range(cycles):
            seconds = float(rng.uniform(1, 5))
            try:
                done = subprocess.run([sys.executable, "-c", CYCLE, str(cycle), f"{seconds:.2f}"], env=env,
                                      capture_output=True, text=True, timeout=HANG_S + seconds + 30, cwd=ROOT)
            except subprocess.TimeoutExpired:
                counts["hang"] += 1
                print(f"cycle {cycle}: hung", flush=True)
                continue
            ended = time.time()
            lines = done.stdout.split("\n")
            pids = [int(p) for line in lines if line.startswith("pids") for p in line.split()[1:]]
            closing = [float(line.split()[1]) for line in lines if line.startswith("closing")]
            if closing:
                quits.append(ended - closing[0])
                counts["hang"] += ended - closing[0] > HANG_S
            counts["non-zero exit"] += done.returncode != 0
            counts["Fatal Python error"] += "Fatal Python error" in done.stderr
            counts["traceback"] += "Traceback" in done.stderr
            time.sleep(2)  # a training process has 2 s to notice its window is gone
            counts["leftover process"] += sum(alive(p) for p in pids)
            print(f"cycle {cycle}: exit {done.returncode}, {seconds:.1f} s of actions, "
                  f"quit {quits[-1] if closing else float('nan'):.2f} s, {len(pids)} training processes",
                  flush=True)
            if done.returncode != 0 or "Traceback" in done.stderr:
                print(done.stderr[-1500:], flush=True)
    q = np.asarray(quits)
    report = [f"latentlab GUI soak, {cycles} cycles (start, train, random actions for 1-5 s, quit)"]
    report += [f"{name}: {n}" for name, n in counts.items()]
    if len(q):
        report.append(f"quit time (close to exit): median {np.median(q):.2f} s, max {q.max():.2f} s")
    text = "\n".join(report)
    print(text)
    out = ROOT / "bench" / "results" / "gui_soak.txt"
    out.write_text(text + "\n")
    return 0 if not any(counts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
