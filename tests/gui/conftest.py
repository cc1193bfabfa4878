import pytest
from PySide6.QtWidgets import QMessageBox

from latentlab.gui.main_window import MainWindow


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTLAB_SETTINGS", str(tmp_path / "settings.ini"))


@pytest.fixture
def window(qtbot):
    """The real main window on a small toy dataset; dialogs answered by the test."""
    w = MainWindow()
    w.ask_save_on_close = lambda: QMessageBox.Discard
    qtbot.addWidget(w)
    w.model_data.choose_dataset("ring8")
    w.show()
    yield w
    w.session.wait(5000)


# A run starts a training process (or takes the one kept ready): on a busy 2-core machine its first steps
# can take several seconds to arrive.
FIRST_STEPS_MS = 30_000


def wait_idle(qtbot, session, timeout=30_000):
    if session.state != "idle":
        qtbot.waitUntil(lambda: session.state == "idle", timeout=timeout)
