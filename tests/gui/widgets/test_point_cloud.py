"""The raster scatter draws every point where the axes say it is, also on high-DPI screens."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]


def measure() -> None:
    """Run in a fresh process (QT_SCALE_FACTOR is read when Qt starts): print where the red point is
    drawn and where the axes put its coordinates, both in logical pixels."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from latentlab.gui.widgets.point_cloud import RasterScatterItem, argb

    app = QApplication([])
    view = pg.PlotWidget(background="w")
    view.resize(400, 300)
    view.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    item = RasterScatterItem(size=5)
    item.setData(np.array([[2.0, 7.0], [9.0, 1.0]]), np.array([argb("#ff0000"), argb("#0000ff")], np.uint32))
    view.addItem(item)
    view.show()
    app.processEvents()
    pixmap = view.grab()
    ratio = pixmap.devicePixelRatio()
    image = pixmap.toImage().convertToFormat(pixmap.toImage().Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    pixels = pixels[:, :image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)
    red = (pixels[..., 0] > 200) & (pixels[..., 1] < 60) & (pixels[..., 2] < 60)
    ys, xs = np.nonzero(red)
    at = view.mapFromScene(view.getViewBox().mapViewToScene(pg.Point(2.0, 7.0)))
    print(json.dumps({"ratio": ratio, "drawn": [xs.mean() / ratio, ys.mean() / ratio] if len(xs) else None,
                      "axes": [at.x(), at.y()]}))


@pytest.mark.parametrize("scale", ["1", "2", "1.5"])
def test_a_point_lands_where_the_axes_say_at_any_screen_scale(scale):
    env = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", "from tests.gui.widgets.test_point_cloud import measure; measure()"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ratio"] == pytest.approx(float(scale))
    assert result["drawn"] is not None, "the point was not drawn"
    assert np.allclose(result["drawn"], result["axes"], atol=1.5)
