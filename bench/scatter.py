"""The latent scatter: redrawing 70,000 labelled points, and click-to-decode latency.

Baseline for the redraw: pyqtgraph's default way, one ScatterPlotItem with a brush per
point. Ours: one RasterScatterItem (what panels/scatter.py does). Both are timed
from setData to a finished render of the whole plot widget, side by side.
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from bench.report import Figure, figure  # noqa: E402

N_POINTS = 70_000


def _redraw_times(quick: bool) -> tuple[float, float]:
    import pyqtgraph as pg

    from latentlab.gui.panels.scatter import colour
    from latentlab.gui.widgets.point_cloud import RasterScatterItem, argb

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, N_POINTS)
    pos = rng.normal(size=(N_POINTS, 2)) + np.stack([np.cos(labels), np.sin(labels)], 1) * 3

    ours = pg.PlotWidget(background="w")
    item = RasterScatterItem("dot", 3)
    ours.addItem(item)
    palette = np.array([argb(colour(c)) for c in range(10)], dtype=np.uint32)
    default = pg.PlotWidget(background="w")
    baseline = pg.ScatterPlotItem(size=4, pen=None)
    default.addItem(baseline)
    brushes = [pg.mkBrush(colour(c)) for c in labels]
    for w in (ours, default):
        w.resize(800, 700)
        w.show()

    def draw_ours(p):
        item.setData(p, palette[labels])
        ours.grab()  # renders synchronously, as a repaint would

    def draw_default(p):
        baseline.setData(pos=p, brush=brushes)
        default.grab()

    t_ours, t_default = [], []
    for k in range(2 if quick else 4):
        p = pos + 0.01 * k  # new codes each time, as during training
        start = time.perf_counter()
        draw_ours(p)
        t_ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        draw_default(p)
        t_default.append(time.perf_counter() - start)
    return min(t_ours[1:] or t_ours), min(t_default[1:] or t_default)


def _click_latency(quick: bool) -> list[float]:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox

    from latentlab.gui.app import use_gui_thread_for_small_work
    from latentlab.gui.main_window import MainWindow

    use_gui_thread_for_small_work()
    window = MainWindow()
    window.ask_save_on_close = lambda: QMessageBox.Discard
    window.resize(1400, 860)
    window.session.set_dataset("mnist5k")  # the MLP VAE, 784-512-256-2
    window.show()
    window.scatter.redraw()
    vp = window.scatter.plot.viewport()
    rng = np.random.default_rng(1)
    times = []
    for _ in range(20 if quick else 100):
        pixel = QPoint(int(rng.integers(20, vp.width() - 20)), int(rng.integers(20, vp.height() - 20)))
        start = time.perf_counter()
        QTest.mouseClick(vp, Qt.LeftButton, Qt.NoModifier, pixel)  # decodes and repaints the decoder view
        times.append((time.perf_counter() - start) * 1e3)
    window.close()
    return times


def run(quick: bool, device: str) -> list[Figure]:
    from latentlab.gui.app import create_application

    os.environ.setdefault("LATENTLAB_SETTINGS", os.path.join(os.path.dirname(__file__), "results", "bench.ini"))
    create_application()
    t_ours, t_default = _redraw_times(quick)
    clicks = _click_latency(quick)
    return [
        figure("scatter_vs_default", t_default / t_ours, "x",
               f"per-point brushes {t_default * 1e3:.0f} ms; ours {t_ours * 1e3:.0f} ms ({N_POINTS:,} points)",
               ">= 10"),
        figure("click_to_decode_ms", statistics.median(clicks), "ms",
               f"mouse event to repainted decoder view, {len(clicks)} clicks, p90 "
               f"{np.percentile(clicks, 90):.1f} ms", "< 16"),
    ]
