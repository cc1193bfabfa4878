"""Start, train, quit — and quit in the middle of a save — many times: always status 0, quickly.

LATENTLAB_CYCLES sets the number of cycles of each kind (default 2; the long run used 50).
"""

import os
import subprocess
import sys
import time

import pytest

CYCLES = int(os.environ.get("LATENTLAB_CYCLES", "2"))
SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox
from latentlab.gui.app import close_on_signals, create_application, use_gui_thread_for_small_work
from latentlab.gui.main_window import MainWindow
app = create_application()
use_gui_thread_for_small_work()
window = MainWindow()
window.ask_save_on_close = lambda: QMessageBox.Discard
window.session.set_dataset("ring8")
window.model_data.epochs.setValue(100000)
window.show()
close_on_signals(window)
mode, delay, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def first_steps(progress):  # the training process has started and trained: now quit (saving first)
    window.session.progress.disconnect(first_steps)
    print(window.session._run.process.pid, flush=True)  # the training process, to check it ends too
    if mode == "save":
        QTimer.singleShot(delay, lambda: (window.session.save(path), window.close()))
    else:
        QTimer.singleShot(delay, window.close)
window.session.progress.connect(first_steps)
window.session.start()
sys.exit(app.exec())
"""


@pytest.mark.parametrize("mode", ["train", "save"])
def test_quit_while_training_or_saving_exits_cleanly(mode, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LATENTLAB_SETTINGS": str(tmp_path / "s.ini")}
    for cycle in range(CYCLES):
        path = tmp_path / f"save{cycle}.safetensors"
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(200 + 150 * cycle), str(path)],
                              env=env, capture_output=True, text=True, timeout=60)
        elapsed = time.perf_counter() - start
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Fatal Python error" not in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]
        assert "QThread: Destroyed while thread" not in done.stderr
        assert elapsed < 30
        trainer = int(done.stdout.split()[0])
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and _alive(trainer):
            time.sleep(0.05)
        assert not _alive(trainer), "the training process outlived the window"
        if mode == "save" and path.exists():
            from latentlab.core.checkpoints import load_checkpoint

            assert load_checkpoint(path).step > 0


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
