"""Starting the application: QApplication, torch threads, the first state, and --screenshot."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

TORCH_THREADS_ENV = "LATENTLAB_TORCH_THREADS"
DEFAULT_SIZE = (1400, 860)  # the window (and screenshots) unless --window-size or a remembered size says otherwise
PANEL_SIZE = (1300, 820)  # --panel-only pictures
SPARE_AFTER_MS = 3000  # a training process is made ready this long after the window opens


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
    from latentlab.core.settings import SettingError
    from latentlab.state.model_settings import ModelSettings

    session, settings = window.session, window.settings
    if getattr(args, "trust_data_folder", False):
        session.trust_folder = lambda folder: True
    elif getattr(args, "screenshot", None):  # nobody to ask
        session.trust_folder = lambda folder: False
    opening = getattr(args, "plugin_opening", None)  # --model-file: opened by cli/gui.py, before the window
    if opening is not None and session.install_plugin(opening):
        return
    if getattr(args, "checkpoint", None):
        if session.open_checkpoint(args.checkpoint):
            return
    if first_run(window, args) and window.open_pretrained(FIRST_MODEL):
        window.first_run = True
        window.state.set("scatter.focus", (0.0, 0.0))  # the decoder view shows a digit from the start
        return
    family = str(getattr(args, "model", None) or settings.value("last/family", "vae"))
    try:  # the remembered settings (restored by the window), this family, and the --set values
        session.model_settings = session.model_settings.replace(family=family, **model_values(args))
    except SettingError as e:
        print(f"latentlab: {e}", file=sys.stderr)
        session.model_settings = ModelSettings()
    name = getattr(args, "data", None) or settings.value("last/dataset", DEFAULT_DATASET)
    folder = getattr(args, "data_dir", None) or settings.value("last/folder", None)
    options = {"label_column": getattr(args, "label_column", None), "size": getattr(args, "image_size", None)}
    no_model = bool(getattr(args, "no_model", False))
    if session.set_dataset(str(name), folder, loaded=getattr(args, "loaded_data", None), rebuild=not no_model,
                           **{k: v for k, v in options.items() if v}):
        if getattr(args, "no_model", False):
            session.explore_without_model()
    else:
        if getattr(args, "data", None) and getattr(args, "screenshot", None):
            print(f"latentlab: {window.banner.text}", file=sys.stderr)  # nobody sees the window's banner
        session.model_settings = ModelSettings()
        session.set_dataset(DEFAULT_DATASET)


FIRST_MODEL = "vae-mnist5k-2d"  # a first run opens on this trained shipped model


def asked_for(args: argparse.Namespace) -> bool:
    """The command line names a model, data, a run or a lesson to open."""
    asked = any(getattr(args, name, None) for name in ("data", "model", "checkpoint", "follow", "plugin_opening",
                                                       "loaded_data", "data_dir", "view_data"))
    return asked or any(name.startswith(("model.", "data.", "window.lesson")) for name, _ in view_settings(args))


def first_run(window, args: argparse.Namespace) -> bool:
    """Nothing remembered (no last dataset) and nothing asked for on the command line: a new user."""
    return not asked_for(args) and window.settings.value("last/dataset") is None


def open_saved_view(window, args: argparse.Namespace) -> None:
    """--view FILE (read and checked by cli/gui.py): restored; with --screenshot, what could not be is one
    line on stderr (the window's banner says it otherwise)."""
    view = getattr(args, "view_data", None)
    if view is None:
        return
    problems = window.restore_view(view, args.view)
    if problems and getattr(args, "screenshot", None):
        print(f"latentlab: {args.view}: not restored: {'; '.join(problems)}", file=sys.stderr)


def open_lesson(window, args: argparse.Namespace) -> None:
    """--lesson N [--step K]: the Lessons dock in front, that step set up."""
    lesson = dict(view_settings(args)).get("window.lesson")  # --lesson N is an alias of it
    if not lesson:
        return
    window.docks["lessons"].show()
    window.docks["lessons"].raise_()
    step = dict(view_settings(args)).get("window.step") or 1
    if not window.lessons.go(lesson - 1, step - 1):
        print(f"latentlab: there is no lesson {lesson}, step {step} "
              f"({len(window.lessons.lessons)} lessons)", file=sys.stderr)


def model_values(args: argparse.Namespace) -> dict:
    """The model.* values of --set (and of the --latent-dim and --beta aliases), for the first model."""
    values = {}
    for name, value in view_settings(args):
        if name.startswith("model.") and name != "model.family":
            values[name.split(".", 1)[1]] = value
    return values


def view_settings(args: argparse.Namespace) -> list[tuple[str, object]]:
    """--set NAME=VALUE, in order, already checked by the command line's parser."""
    return list(getattr(args, "settings", None) or [])


def prepare_view(window, args: argparse.Namespace) -> None:
    """The --set values of the panels and the window, applied in order as a user would set them."""
    from latentlab.core.settings import SettingError

    for name, value in view_settings(args):
        if name.startswith(("model.", "data.", "train.")):
            continue  # the model, its data and its training are set up first (run_app, initial_state)
        if name in ("walkback.t", "mmd.test"):
            window.show_panel(name.split(".")[0])  # chains and tests are computed on screen
        try:
            window.state.set(name, value)
        except SettingError as e:
            print(f"latentlab: {e}", file=sys.stderr)
    window.scatter.redraw()


def settle_for_picture(window) -> None:
    """A screenshot waits for what is made in the background (a window a user watches draws it as it comes)."""
    window.scatter.settle()
    if window.state.neighbours.example is not None:  # an index built in the background: its neighbours shown
        window.neighbours.settle()


def take_screenshot(window, path: str | Path, train_steps: int = 0, args: argparse.Namespace | None = None) -> int:
    """Let the window paint (training `train_steps` steps first), save a PNG of it, return 0."""
    from PySide6.QtCore import QEventLoop, QTimer

    app = create_application()
    args = args or argparse.Namespace()
    # The offscreen screen is small; pictures should look like a desktop window.
    window.resize(*(getattr(args, "window_size", None) or DEFAULT_SIZE))
    if train_steps > 0:
        loop = QEventLoop()
        window.session.state_changed.connect(lambda s: loop.quit() if s == "idle" else None)
        if window.session.start(max_steps=train_steps):
            loop.exec()
    for panel in (window.samples, window.curves):
        panel.redraw()
    prepare_view(window, args)
    settle_for_picture(window)
    target = window
    panel = dict(view_settings(args)).get("window.panel")
    if getattr(args, "panel_only", False) and panel in window.docks:
        target = window.docks[str(panel)]
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


def fit_to_screen(window) -> None:
    """A window no larger than its screen's free area (the default size, or one remembered from a larger
    monitor, would otherwise hang off a 1366x768 laptop screen), and on it."""
    from PySide6.QtGui import QGuiApplication

    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    free = screen.availableGeometry()
    width, height = min(window.width(), free.width()), min(window.height(), free.height())
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    if not free.contains(window.geometry()):
        window.move(free.topLeft())


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
    report_model_errors(window)
    window.session.train_config = replace(window.session.train_config, threads=training_threads())
    for name, value in view_settings(args):
        if name.startswith("train."):
            window.state.set(name, value)
    initial_state(window, args)
    if getattr(args, "follow", None) and not window.follow_run(args.follow):
        print(f"latentlab: {window.banner.text}", file=sys.stderr)
    if getattr(args, "screenshot", None):
        window.resize(*(args.window_size or DEFAULT_SIZE))
    else:
        if getattr(args, "window_size", None):
            window.resize(*args.window_size)
        fit_to_screen(window)
    window.show()
    app.processEvents()  # the docks get their sizes before a lesson arranges them
    if getattr(window, "first_run", False) or window.settings.value("window/state") is None:
        # the layout for the window's real size: a first run shows the Lessons dock in front
        window.state.window.choose_layout("lesson" if getattr(window, "first_run", False) else "explore")
        app.processEvents()
    if window.state.window.start_card and not asked_for(args):  # until it is dismissed (Help > Start here)
        window.show_start_card()
    open_lesson(window, args)
    open_saved_view(window, args)
    if not getattr(args, "screenshot", None):
        prepare_view(window, args)
    if getattr(args, "screenshot", None):
        window.ask_save_on_close = lambda: QMessageBox.Discard  # nobody is there to answer
        window.remember_layout = False
        code = take_screenshot(window, args.screenshot, getattr(args, "train_steps", 0), args)
        window.close()
        return code
    close_on_signals(window)
    from PySide6.QtCore import QTimer

    from latentlab.gui.process_run import prepare_spare, shutdown_spare

    QTimer.singleShot(SPARE_AFTER_MS, prepare_spare)  # a training process ready, once the window is up
    app.aboutToQuit.connect(shutdown_spare)
    code = app.exec()
    return quit_now(window, code)


def quit_now(window, code: int) -> int:
    """Leave at once once the window has closed (its work is saved, its training process gone): tearing down
    Qt's and torch's objects one by one took 1-3 s on a busy 2-core machine (scripts/gui_soak.py)."""
    from latentlab.gui.process_run import shutdown_spare

    shutdown_spare()
    window.settings.sync()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def report_model_errors(window) -> None:
    """A plug-in's own code failing in a panel (a batch size it was not probed with, say) is said in the window,
    one line naming its file, line and method (core.models.plugin.PluginError), not a traceback on stderr: Qt
    slots report what they raise through sys.excepthook. Anything else is a bug and goes to the usual hook."""
    previous = sys.excepthook

    def hook(kind, error, tb):
        plugin = sys.modules.get("latentlab.core.models.plugin")
        failed = plugin.plugin_error_in(error) if plugin is not None else None
        if failed is not None:
            window.session.message.emit("warning", str(failed))
            return
        previous(kind, error, tb)

    sys.excepthook = hook


def close_on_signals(window) -> None:
    """Ctrl+C in the terminal (SIGINT) and SIGTERM close the window the normal way: training stops,
    unsaved work is offered for saving, the process exits with status 0."""
    from PySide6.QtCore import QTimer

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: window.close())
    # Python runs signal handlers only between bytecodes; a timer gives it the chance while Qt waits.
    window._signal_timer = QTimer(window, interval=200, timeout=lambda: None)
    window._signal_timer.start()
