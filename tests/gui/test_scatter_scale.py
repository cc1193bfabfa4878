"""The scatter at scale: thumbnails wired to the scatter state, and hover exact while the points are
aggregated per pixel."""

import numpy as np
import pyqtgraph as pg
import pytest

from latentlab.gui.panels.scatter import LatentScatterPanel
from latentlab.gui.widgets.point_cloud import argb
from latentlab.state.app import AppState
from latentlab.state.model_settings import ModelSettings


@pytest.fixture
def scatter(qtbot, tmp_path):
    state = AppState()
    state.session.model_settings = ModelSettings("vae", hidden=(16,))
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "tiny.npz", x=rng.random((80, 1, 8, 8), dtype=np.float32), y=np.arange(80) % 4)
    assert state.session.set_dataset(str(tmp_path / "tiny.npz"))  # 8x8 images
    panel = LatentScatterPanel(state.session, state.scatter, values=state.values, cross_filter=state.cross_filter)
    qtbot.addWidget(panel)
    panel.resize(500, 450)
    panel.show()
    qtbot.waitExposed(panel)
    panel.redraw()
    return state, panel


def test_the_thumbnail_settings_drive_the_scatter(scatter):
    state, panel = scatter
    item = panel.sprite_item
    assert not state.scatter.sprites and not item.isVisible() and len(item.chosen) == 0
    panel.sprite_controls.toggle.setChecked(True)  # the user's click sets the state, the state the item
    assert state.scatter.sprites and item.isVisible() and len(item.chosen) > 0
    assert item.atlas.shape[1:] == (8, 8)
    state.set_text("scatter.sprite_size", "40")
    assert item.size == 40 and panel.sprite_controls.size.value() == 40
    state.set_text("scatter.sprite_opacity", "0.5")
    assert item.opacity() == pytest.approx(0.5) and panel.sprite_controls.opacity.value() == 50
    state.scatter.sprites = False
    assert not item.isVisible() and len(item.chosen) == 0


def test_hover_and_pick_stay_exact_in_aggregate_mode(scatter):
    _, panel = scatter
    rng = np.random.default_rng(0)
    n = 300_000  # more points than the plot has pixels
    pos = rng.normal(size=(n, 2))
    pos[123] = (3.5, 3.5)  # one point on its own
    panel._positions, panel._indices = pos, np.arange(n) + 7
    panel.train_item.setData(pos, np.full(n, argb("#1f77b4"), np.uint32))
    panel.test_item.setData(np.zeros((0, 2)), np.zeros(0))
    panel.view.setRange(xRange=(-4, 4), yRange=(-4, 4), padding=0)
    panel.plot.grab()
    assert panel.train_item.last_mode == "aggregate"
    at = panel.view.mapViewToScene
    assert panel.example_at(at(pg.Point(3.5, 3.5))) == 123 + 7
    for p in ((0.1, -0.2), (-1.0, 0.7)):
        got = panel.example_at(at(pg.Point(*p)))
        d = np.hypot(*(pos - p).T)
        assert got == int(np.argmin(d)) + 7  # the exact nearest point, not a pixel's
