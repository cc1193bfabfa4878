"""Soak test (not in CI): live training in the offscreen window with the scatter following it.

    python scripts/soak.py MINUTES

Prints, once a minute, the resident memory and training progress, and at the end the growth of
RSS after a warm-up minute, with any warnings that were raised.
"""

from __future__ import annotations

import os
import sys
import time
import warnings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mib() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QMessageBox

    from latentlab.gui.app import create_application, training_threads, use_gui_thread_for_small_work
    from latentlab.gui.main_window import MainWindow

    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 30
    caught = []
    warnings.showwarning = lambda *w, **k: caught.append(str(w[0]))
    create_application()
    use_gui_thread_for_small_work()
    window = MainWindow()
    window.ask_save_on_close = lambda: QMessageBox.Discard
    session = window.session
    from dataclasses import replace

    session.train_config = replace(session.train_config, epochs=1_000_000, threads=training_threads())
    session.set_dataset("mnist5k")
    window.scatter.overlay["density"].setChecked(True)
    window.show()
    session.start()
    start = time.time()
    baseline = None
    while time.time() - start < minutes * 60:
        loop = QEventLoop()
        QTimer.singleShot(60_000, loop.quit)
        loop.exec()
        elapsed = (time.time() - start) / 60
        rss = rss_mib()
        baseline = baseline or rss  # after the first (warm-up) minute
        print(f"{elapsed:5.1f} min  RSS {rss:7.1f} MiB  step {session.trainer.step}  "
              f"growth {100 * (rss / baseline - 1):+.2f}%", flush=True)
    session.stop()
    session.wait()
    print(f"RSS growth after warm-up: {100 * (rss_mib() / baseline - 1):+.2f}%; warnings: {len(caught)}"
          + (f" (first: {caught[0]})" if caught else ""), flush=True)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
