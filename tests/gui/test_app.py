"""Starting the application from the command line: --screenshot, and the first state it opens on."""

import os
import subprocess
import sys

from PIL import Image

from latentlab.gui.app import initial_state
from latentlab.gui.main_window import MainWindow


def test_screenshot_command_paints_the_window_and_exits_0(tmp_path):
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LATENTLAB_SETTINGS": str(tmp_path / "s.ini")}
    done = subprocess.run([sys.executable, "-m", "latentlab", "--data", "moons", "--train-steps", "30",
                           "--screenshot", str(out)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    image = Image.open(out).convert("RGB")
    assert image.size[0] >= 800 and image.size[1] >= 500
    assert len(image.resize((64, 40)).getcolors(4096) or []) > 20  # painted content, not one flat colour


def test_screenshot_of_a_checkpoint(tmp_path):
    from latentlab.cli import main

    ckpt = tmp_path / "ae.safetensors"
    assert main(["train", "--model", "autoencoder", "--data", "digits", "--epochs", "1", "--quiet",
                 "--out", str(ckpt)]) == 0
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LATENTLAB_SETTINGS": str(tmp_path / "s.ini")}
    done = subprocess.run([sys.executable, "-m", "latentlab", "--checkpoint", str(ckpt), "--screenshot", str(out)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and out.exists(), done.stderr


def test_unknown_dataset_falls_back_to_the_default_with_a_message(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    args = type("Args", (), {"data": "no-such-data", "model": None, "checkpoint": None, "data_dir": None})()
    messages = []
    window.session.message.connect(lambda level, text: messages.append(text))
    initial_state(window, args)
    assert window.session.dataset.name == "mnist5k" and any("no-such-data" in m for m in messages)


def test_an_exception_of_ours_inside_a_pyqtgraph_handler_fails_the_suite():
    """pyqtgraph reports handler exceptions as RuntimeWarnings; pyproject makes ours errors."""
    import warnings

    import pytest

    ours = 'Error sending click event:\n  File "/x/latentlab/gui/panels/scatter.py", line 9\nValueError: bad'
    with pytest.raises(RuntimeWarning):
        warnings.warn(ours, RuntimeWarning, stacklevel=2)
    with warnings.catch_warnings(record=True):
        warnings.warn('overflow encountered in power\n  File "/v/pyqtgraph/AxisItem.py"', RuntimeWarning, stacklevel=2)


def test_a_lesson_opens_from_the_command_line_at_the_size_asked(tmp_path):
    out = tmp_path / "lesson.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LATENTLAB_SETTINGS": str(tmp_path / "s.ini")}
    done = subprocess.run([sys.executable, "-m", "latentlab", "--lesson", "3", "--step", "2", "--window-size",
                           "1500x900", "--screenshot", str(out)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert Image.open(out).size == (1500, 900)
    wrong = subprocess.run([sys.executable, "-m", "latentlab", "--lesson", "9", "--screenshot", str(out)],
                           env=env, capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 2 and "'9' is not a lesson; the lessons: 1 plain-autoencoders" in wrong.stderr


def test_the_window_never_opens_larger_than_its_screen(window):
    from latentlab.gui.app import fit_to_screen

    free = window.screen().availableGeometry()
    window.resize(free.width() + 500, free.height() + 300)  # a size remembered from a larger monitor
    window.move(free.right() - 10, free.top())
    fit_to_screen(window)
    least = window.minimumSizeHint()  # the offscreen screen (800x800) is smaller than the window can be
    assert window.width() <= max(free.width(), least.width())
    assert window.height() <= max(free.height(), least.height())
    assert window.pos() == free.topLeft()  # not hanging off the right edge


def test_a_plugin_error_raised_in_a_slot_is_said_in_the_window_and_other_errors_go_to_the_usual_hook(monkeypatch):
    from types import SimpleNamespace

    from latentlab.core.models.plugin import PluginError
    from latentlab.gui.app import report_model_errors

    usual, said = [], []
    monkeypatch.setattr(sys, "excepthook", lambda *a: usual.append(a[1]))
    window = SimpleNamespace(session=SimpleNamespace(message=SimpleNamespace(emit=lambda *a: said.append(a))))
    report_model_errors(window)
    sys.excepthook(PluginError, PluginError("m.py, line 3: M.decode failed: RuntimeError: no"), None)
    bug = RuntimeError("a bug")
    sys.excepthook(RuntimeError, bug, None)
    assert said == [("warning", "m.py, line 3: M.decode failed: RuntimeError: no")] and usual == [bug]
