"""Starting the application: QApplication, torch threads, the first state, and --screenshot."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

TORCH_THREADS_ENV = "LATENTLAB_TORCH_THREADS"
PANEL_SIZE = (1300, 820)  # --panel-only pictures


def training_threads() -> int:
    """Torch threads for training: all cores on small machines (measured: see bench/), else one left to the GUI."""
    wanted = os.environ.get(TORCH_THREADS_ENV)
    if wanted:
        return max(1, int(wanted))
    cores = os.cpu_count() or 1
    return cores if cores <= 2 else cores - 1


def use_gui_thread_for_small_work() -> None:
    """One torch thread in the GUI thread: its decodes are small, and an OpenMP team forked here
    makes every parallel region of the training thread ~5x slower to start (measured: bench/app.py)."""
    import torch

    torch.set_num_threads(1)


def create_application():
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv[:1])
        app.setApplicationName("latentlab")
        app.setOrganizationName("latentlab")
    return app


def initial_state(window, args: argparse.Namespace) -> None:
    """Checkpoint, else the dataset/model asked for, else the last ones used, else the built-in default."""
    from latentlab.core.data import DEFAULT_DATASET
    from latentlab.gui.session import ModelSettings

    session, settings = window.session, window.settings
    if getattr(args, "checkpoint", None):
        if session.open_checkpoint(args.checkpoint):
            return
    family = getattr(args, "model", None) or settings.value("last/family", "vae")
    session.model_settings = ModelSettings(family=str(family))
    for name in ("latent_dim", "beta"):
        if getattr(args, name, None) is not None:
            session.model_settings = replace(session.model_settings, **{name: getattr(args, name)})
    name = getattr(args, "data", None) or settings.value("last/dataset", DEFAULT_DATASET)
    folder = getattr(args, "data_dir", None) or settings.value("last/folder", None)
    if not session.set_dataset(str(name), folder):
        session.model_settings = ModelSettings()
        session.set_dataset(DEFAULT_DATASET)


def open_lesson(window, args: argparse.Namespace) -> None:
    """--lesson N [--step K]: the Lessons dock in front, that step set up."""
    lesson = getattr(args, "lesson", None)
    if lesson is None:
        return
    window.docks["lessons"].show()
    window.docks["lessons"].raise_()
    if not window.lessons.go(lesson - 1, getattr(args, "step", 1) - 1):
        print(f"latentlab: there is no lesson {lesson}, step {getattr(args, 'step', 1)} "
              f"({len(window.lessons.lessons)} lessons)", file=sys.stderr)


def prepare_view(window, args: argparse.Namespace) -> None:
    """Overlays, a decoded point, a panel in front, an interpolation: as a user would set them up."""
    import torch

    from latentlab.gui.panels.interpolation import Anchor

    overlays, focus = getattr(args, "overlays", None) or [], getattr(args, "focus", None)
    panel = getattr(args, "panel", None)
    if panel:
        if panel in window.docks:
            window.show_panel(panel)
        else:
            print(f"latentlab: unknown panel {panel!r}; known: {', '.join(window.docks)}", file=sys.stderr)
    if getattr(args, "compare", None):
        window.interpolation.choose_checkpoint = lambda: args.compare
        window.interpolation.choose_comparison()
    if getattr(args, "mmd_test", False):
        window.mmd.recompute(force=True)
        window.mmd.run_permutation_test_now()
    if getattr(args, "walkback_pair", False):
        window.walkback.train_pair_now()
    if getattr(args, "chain_steps", 0):
        window.walkback.reset(force=True)
        window.walkback.advance(args.chain_steps)
    for index in getattr(args, "interpolate", None) or []:
        window.interpolation.add_anchor(Anchor(index=index))
    unknown = set(overlays) - set(window.scatter.overlay)
    if unknown:
        print(f"latentlab: unknown overlay(s) {', '.join(sorted(unknown))}; "
              f"known: {', '.join(window.scatter.overlay)}", file=sys.stderr)
    for name in overlays:
        if name in window.scatter.overlay:
            window.scatter.overlay[name].setChecked(True)
    window.scatter.redraw()
    if focus and window.scatter.projection is not None:
        window.scatter.decode_at_plane(torch.tensor([focus[:2]], dtype=torch.float32))


def take_screenshot(window, path: str | Path, train_steps: int = 0, args: argparse.Namespace | None = None) -> int:
    """Let the window paint (training `train_steps` steps first), save a PNG of it, return 0."""
    from PySide6.QtCore import QEventLoop, QTimer

    app = create_application()
    args = args or argparse.Namespace()
    # The offscreen screen is small; pictures should look like a desktop window.
    window.resize(*getattr(args, "window_size", (1400, 860)))
    if train_steps > 0:
        loop = QEventLoop()
        window.session.state_changed.connect(lambda s: loop.quit() if s == "idle" else None)
        if window.session.start(max_steps=train_steps):
            loop.exec()
    for panel in (window.samples, window.curves):
        panel.redraw()
    prepare_view(window, args)
    target = window
    if getattr(args, "panel_only", False) and getattr(args, "panel", None) in window.docks:
        target = window.docks[args.panel]
        target.setFloating(True)
        # A floating dock first opens at its size hint; on X the resize arrives as an event of its own.
        app.processEvents()
        target.setGeometry(0, 0, *PANEL_SIZE)
    deadline = QTimer(singleShot=True)
    loop = QEventLoop()
    deadline.timeout.connect(loop.quit)
    deadline.start(600)  # a few paints and the throttled redraws
    loop.exec()
    app.processEvents()
    ok = grab(window, target).save(str(path))
    if not ok:
        print(f"latentlab: cannot write screenshot {path}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


def grab(window, target):
    """A picture of `target`. On a real X screen with docks floated over the window, the screen
    itself is grabbed, so the floating docks show as a user sees them."""
    from PySide6.QtGui import QGuiApplication

    if target is window and window.floated_panels and QGuiApplication.platformName() == "xcb":
        frame = window.frameGeometry()
        return window.screen().grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    return target.grab()


def run_app(args: argparse.Namespace) -> int:
    if getattr(args, "screenshot", None):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = create_application()
    from PySide6.QtWidgets import QMessageBox

    from latentlab.gui.main_window import MainWindow

    use_gui_thread_for_small_work()
    window = MainWindow()
    window.session.train_config = replace(window.session.train_config, threads=training_threads())
    if getattr(args, "theme", None):
        window.set_theme(args.theme)
    initial_state(window, args)
    if getattr(args, "follow", None) and not window.follow_run(args.follow):
        print(f"latentlab: {window.banner.text}", file=sys.stderr)
    if getattr(args, "screenshot", None):
        window.resize(*args.window_size)
    window.show()
    app.processEvents()  # the docks get their sizes before a lesson arranges them
    open_lesson(window, args)
    if getattr(args, "screenshot", None):
        window.ask_save_on_close = lambda: QMessageBox.Discard  # nobody is there to answer
        window.remember_layout = False
        code = take_screenshot(window, args.screenshot, getattr(args, "train_steps", 0), args)
        window.close()
        return code
    close_on_signals(window)
    return app.exec()


def close_on_signals(window) -> None:
    """Ctrl+C in the terminal (SIGINT) and SIGTERM close the window the normal way: training stops,
    unsaved work is offered for saving, the process exits with status 0."""
    from PySide6.QtCore import QTimer

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: window.close())
    # Python runs signal handlers only between bytecodes; a timer gives it the chance while Qt waits.
    window._signal_timer = QTimer(window, interval=200, timeout=lambda: None)
    window._signal_timer.start()
