"""Child processes for bench/startup.py: start the application and report, then exit.

`python -m bench.probe coldstart T0`: prints the seconds from T0 (the parent's time.time() just
before it spawned this process) to the first paint that shows the scatter's points (the window paints once
before them: that frame, with an empty plot, is not what a user waits for), then exits.
`python -m bench.probe rss FOLDER`: opens MNIST-format data in FOLDER (or, with "none", the
small ring8 toy set), encodes it for the scatter, and prints the peak resident memory in bytes.
"""

from __future__ import annotations

import os
import resource
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def peak_rss() -> int:
    """Peak resident memory of this process in bytes: VmHWM, which starts afresh at exec (ru_maxrss
    would carry over the parent's peak from before the fork)."""
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> int:
    # In the application's own order: latentlab.gui (and so torch) before PySide6 (see gui/__init__.py).
    from latentlab.gui.app import create_application, initial_state, use_gui_thread_for_small_work  # noqa: I001
    from latentlab.gui.main_window import MainWindow
    from PySide6.QtCore import QEvent, QObject, QTimer

    what = sys.argv[1]
    app = create_application()
    use_gui_thread_for_small_work()
    window = MainWindow()
    args = type("Args", (), {"checkpoint": None, "model": "vae", "data": None, "data_dir": None})()
    if what == "rss":
        args.data, args.data_dir = ("ring8", None) if sys.argv[2] == "none" else ("mnist", sys.argv[2])
    initial_state(window, args)

    def points_drawn() -> bool:
        positions = getattr(window.scatter, "_positions", None)
        return positions is not None and len(positions) > 0

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Paint and not hasattr(self, "seconds") and points_drawn():
                self.seconds = time.time() - float(sys.argv[2])
                QTimer.singleShot(0, app.quit)  # after this paint has finished
            return False

    if what == "rss":
        window.show()
        window.scatter.redraw()  # encodes all 70,000 points
        app.processEvents()
        peak = peak_rss()
        print(peak, len(window.session.codes().train) + len(window.session.codes().test))
        return 0
    watcher = FirstPaint()
    app.installEventFilter(watcher)  # any widget's paint: the plot repaints on its own
    window.show()
    app.exec()
    print(watcher.seconds, flush=True)
    os._exit(0)  # the teardown of Qt and torch is not part of starting up


if __name__ == "__main__":
    sys.exit(main())
