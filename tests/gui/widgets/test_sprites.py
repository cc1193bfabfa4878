"""Thumbnails in the scatter: at most one per screen cell (the example nearest its centre), none when
toggled off, grey and colour images; and the scatter's aggregate mode for more points than pixels."""

import numpy as np
import pyqtgraph as pg
import pytest
import torch

from latentlab.gui.widgets.point_cloud import RasterScatterItem, argb
from latentlab.gui.widgets.sprites import MAX_TILE, SpriteItem, atlas_tiles, pick_sprites


def test_level_of_detail_picks_at_most_one_per_cell_the_nearest_its_centre():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-20, 220, 5000), rng.uniform(-20, 170, 5000)
    cell = 16.0
    chosen = pick_sprites(x, y, cell, 200, 150)
    assert len(chosen) and np.all((x[chosen] >= 0) & (x[chosen] < 200) & (y[chosen] >= 0) & (y[chosen] < 150))
    cells = np.floor(x / cell) * 1000 + np.floor(y / cell)
    assert len(np.unique(cells[chosen])) == len(chosen)  # one per cell
    inside = np.flatnonzero((x >= 0) & (x < 200) & (y >= 0) & (y < 150))
    assert set(np.unique(cells[inside])) == set(cells[chosen])  # every occupied cell has one
    d2 = ((x / cell) % 1 - 0.5) ** 2 + ((y / cell) % 1 - 0.5) ** 2
    for i in chosen[:50]:
        same = inside[cells[inside] == cells[i]]
        assert d2[i] == pytest.approx(d2[same].min(), abs=1e-5)


def test_the_atlas_keeps_grey_and_colour_and_scales_large_images_down():
    grey = torch.rand(5, 1, 28, 28)
    tiles = atlas_tiles(grey)
    assert tiles.shape == (5, 28, 28) and tiles.dtype == np.uint8
    assert np.abs(tiles.astype(int) - (grey[:, 0].numpy() * 255).round()).max() <= 1
    colour = torch.zeros(3, 3, 64, 48)
    colour[:, 0] = 1.0  # red
    tiles = atlas_tiles(colour)
    assert tiles.shape == (3, MAX_TILE, MAX_TILE, 3)
    assert (tiles[:, MAX_TILE // 2, MAX_TILE // 2] == [255, 0, 0]).all()
    assert atlas_tiles(grey, budget=5 * 10 * 10).shape == (5, 10, 10)  # a large set gets smaller tiles
    with pytest.raises(ValueError, match="1 or 3"):
        atlas_tiles(torch.zeros(2, 2, 8, 8))


def _plot(qtbot, size=(300, 250)):
    widget = pg.PlotWidget(background="w")
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _dark_pixels(widget) -> int:
    image = widget.grab().toImage().convertToFormat(pg.QtGui.QImage.Format.Format_Grayscale8)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return int((pixels[:, :image.width()] < 30).sum())


def test_thumbnails_are_drawn_one_per_cell_and_none_when_toggled_off(qtbot):
    widget = _plot(qtbot)
    images = torch.zeros(400, 1, 12, 12)  # black squares on a white plot
    item = SpriteItem(lambda: images, size=20)
    widget.addItem(item)
    rng = np.random.default_rng(1)
    pos = rng.uniform(0, 10, (400, 2))
    item.setData(pos, np.arange(400))
    assert 20 < len(item.chosen) < 400
    t = item.deviceTransform_()
    box = item.getViewBox().mapRectToDevice(item.getViewBox().boundingRect())
    px = pos[item.chosen, 0] * t.m11() + t.m31() - box.left()
    py = pos[item.chosen, 1] * t.m22() + t.m32() - box.top()
    assert len({(int(a // 20), int(b // 20)) for a, b in zip(px, py)}) == len(item.chosen)
    assert _dark_pixels(widget) > 200 * len(item.chosen) * 0.5
    item.setVisible(False)
    assert len(item.chosen) == 0 and _dark_pixels(widget) == 0
    item.setVisible(True)
    faint = np.full(400, 0xFF1F77B4, np.uint32)  # opaque...
    faint[::2] = 0x221F77B4  # ...and filtered out (translucent): no thumbnail for those
    item.setData(pos, np.arange(400), faint)
    assert len(item.chosen) > 10 and (item.chosen % 2 == 1).all()
    before = set(item.chosen)
    widget.setRange(xRange=(4, 6), yRange=(4, 6), padding=0)  # zoomed in: fewer points, fewer crowds
    qtbot.waitUntil(lambda: set(item.chosen) != before, timeout=2000)  # re-picked by the coalescing timer
    shown = (pos[:, 0] > 4) & (pos[:, 0] < 6) & (pos[:, 1] > 4) & (pos[:, 1] < 6)
    assert len(item.chosen) <= shown.sum() and set(item.chosen) <= set(np.flatnonzero(shown))


def test_aggregate_mode_above_one_point_per_pixel_exact_when_zoomed_in(qtbot):
    widget = _plot(qtbot, (200, 160))
    item = RasterScatterItem("dot", 3)
    widget.addItem(item)
    rng = np.random.default_rng(2)
    n = 60_000  # more than the plot's pixels
    item.setData(rng.uniform(0, 10, (n, 2)), np.full(n, argb("#1f77b4"), np.uint32))
    widget.grab()
    assert item.last_mode == "aggregate"
    widget.setRange(xRange=(5, 5.3), yRange=(5, 5.3), padding=0)  # a few dozen points in view
    widget.grab()
    assert item.last_mode == "exact"


def test_aggregate_blends_the_colours_by_their_counts():
    item = RasterScatterItem("dot", 3)
    red, blue = argb("#ff0000"), argb("#0000ff")
    # pixel (1, 0): three red and one blue; pixel (0, 1): one blue, alone
    item.colours = np.array([red, red, red, blue, blue], np.uint32)
    item.positions = np.zeros((5, 2))
    image = item._aggregate(np.array([1.2, 1.5, 1.9, 1.1, 0.5]), np.array([0.5, 0.2, 0.7, 0.1, 1.5]), 2, 2)
    a, r, b = image >> 24, (image >> 16) & 0xFF, image & 0xFF
    assert (r[0, 1], b[0, 1]) == (191, 63) and a[0, 1] == 255  # 3:1, the densest pixel fully opaque
    assert (r[1, 0], b[1, 0]) == (0, 255) and 0 < a[1, 0] < 255
    assert image[0, 0] == 0 and image[1, 1] == 0
    # translucent colours (a filter's dimmed points) blend by their alpha, and lower the opacity
    item.colours = np.array([red, 0x80000000 | (blue & 0xFFFFFF)], np.uint32)
    item.positions, item._channels = np.zeros((2, 2)), None
    image = item._aggregate(np.array([0.5, 0.5]), np.array([0.5, 0.5]), 1, 1)
    a, r, b = image >> 24, (image >> 16) & 0xFF, image & 0xFF
    w = 128 / 255  # blue's weight against red's 1
    assert r[0, 0] == int(255 / (1 + w)) and b[0, 0] == int(255 * w / (1 + w))
    assert a[0, 0] == round(255 * (1 + w) / 2)  # the densest pixel, at the points' mean alpha


def test_a_large_atlas_is_made_in_the_background_and_dropped_when_the_data_change(qtbot, monkeypatch):
    from latentlab.gui.widgets import sprites

    monkeypatch.setattr(sprites, "SYNC_PIXELS", 0)  # every atlas in a Job
    widget = _plot(qtbot)
    images = torch.zeros(300, 1, 12, 12)
    item = SpriteItem(lambda: images, size=20)
    widget.addItem(item)
    said = []
    item.busy.connect(said.append)
    pos = np.random.default_rng(1).uniform(0, 10, (300, 2))
    item.setData(pos, np.arange(300))
    first = item.atlas_job
    assert first is not None and item.atlas is None and len(item.chosen) == 0  # the points alone, meanwhile
    item.clear_atlas()  # new data: the atlas being made is of the old images
    assert first.cancelled() and item.atlas_job is None and said[-1] is None
    item.setData(pos, np.arange(300))
    qtbot.waitUntil(lambda: item.atlas_job is None and len(item.chosen) > 20, timeout=10_000)
    assert item.atlas.shape == (300, 12, 12) and "thumbnails of 300 examples" in said[0] and said[-1] is None
    item.shutdown()


def test_a_failed_atlas_is_not_made_again_until_new_data(qtbot, monkeypatch):
    from latentlab.gui.widgets import sprites

    calls = []

    def broken(images, report=None, cancelled=None):
        calls.append(1)
        raise MemoryError("no room for the thumbnails")

    monkeypatch.setattr(sprites, "SYNC_PIXELS", 0)
    monkeypatch.setattr(sprites, "atlas_tiles", broken)
    widget = _plot(qtbot)
    item = SpriteItem(lambda: torch.zeros(50, 1, 8, 8), size=20)
    widget.addItem(item)
    item.setData(np.random.default_rng(1).uniform(0, 10, (50, 2)), np.arange(50))
    qtbot.waitUntil(lambda: item.atlas_failed, timeout=10_000)
    qtbot.wait(300)
    assert len(calls) == 1 and item.atlas_job is None and len(item.chosen) == 0  # points stay; no retry loop
    item.clear_atlas()  # new data: tried again
    assert not item.atlas_failed
    item.shutdown()
