"""Thousands of random but valid actions in every dock while the model trains: no exception escapes.

pytest-qt fails a test on any exception raised inside a Qt slot or virtual method; the hook
below also catches ones raised in plain Python callbacks that Qt calls. LATENTLAB_MONKEY sets the
number of actions (default 1,500; the long run used 20,000).
"""

import os
import sys

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from latentlab.gui.panels.interpolation import Anchor
from tests.gui.conftest import isolated_settings, wait_idle, window  # noqa: F401 (fixtures)

ACTIONS = int(os.environ.get("LATENTLAB_MONKEY", "1500"))


@pytest.fixture
def no_uncaught_exceptions(monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: seen.append(info))
    yield seen
    if seen:
        import traceback

        pytest.fail("uncaught: " + "".join(traceback.format_exception(*seen[0])))


def actions(window, rng):
    s, sc, ip, md = window.session, window.scatter, window.interpolation, window.model_data
    vp = sc.plot.viewport()

    def click_scatter():
        QTest.mouseClick(vp, Qt.LeftButton, Qt.NoModifier,
                         QPoint(int(rng.integers(0, vp.width())), int(rng.integers(0, vp.height()))))

    def box():
        lo, hi = rng.normal(size=2), rng.normal(size=2) + 1
        sc.drag_selection("box", QPointF(*lo), QPointF(*hi), finished=True)

    def idle_only(fn):
        return lambda: fn() if s.state == "idle" else None

    def switch_family():
        md.family.setCurrentIndex(int(rng.integers(0, md.family.count())))
        md.latent_dim.setValue(int(rng.integers(1, 5)))
        md.apply_model()

    return [
        click_scatter, box,
        lambda: sc.overlay[str(rng.choice(list(sc.overlay)))].toggle(),
        lambda: sc.projection_kind.setCurrentIndex(int(rng.integers(0, 2))),
        lambda: sc.axis_x.setValue(int(rng.integers(0, 4))),
        lambda: sc.tool_buttons.buttons()[int(rng.integers(0, 4))].setChecked(True),
        lambda: s.set_selection([]),
        lambda: sc.redraw(),
        lambda: sc._hover(sc.view.mapViewToScene(QPointF(*rng.normal(size=2)))),
        lambda: ip.add_anchor(Anchor(index=int(rng.integers(0, 50)))),
        lambda: ip.clear(),
        lambda: ip.slider.setValue(int(rng.integers(0, 1001))),
        lambda: ip.kind.setCurrentIndex(int(rng.integers(0, 3))),
        lambda: ip.n_frames.setValue(int(rng.integers(2, 12))),
        lambda: ip.traversal_sliders and ip.traversal_sliders[0].setValue(int(rng.integers(-300, 300))),
        lambda: ip.add_selection_mean(),
        lambda: window.curves.log_scale.toggle(),
        lambda: window.curves.smoothing.setValue(int(rng.integers(1, 20))),
        lambda: window.docks[str(rng.choice(list(window.docks)))].raise_(),
        lambda: s.toggle_pause(),
        lambda: s.start() if s.state == "idle" else s.stop(),
        idle_only(lambda: s.step()),
        idle_only(switch_family),
        idle_only(lambda: md.lr.setValue(float(rng.choice([1e-4, 1e-3, 1e-2])))),
        lambda: window.samples.redraw(),
    ]


def test_random_actions_during_training(window, qtbot, no_uncaught_exceptions):
    rng = np.random.default_rng(7)
    window.model_data.epochs.setValue(100_000)
    window.session.start()
    todo = actions(window, rng)
    for i in range(ACTIONS):
        todo[int(rng.integers(0, len(todo)))]()
        if i % 10 == 0:
            QApplication.processEvents()
    window.session.stop()
    wait_idle(qtbot, window.session)
    assert window.close()
