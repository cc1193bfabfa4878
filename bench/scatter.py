"""The latent scatter: redrawing 70,000 labelled points, and click-to-decode latency.

Baseline for the redraw: pyqtgraph's default way, one ScatterPlotItem with a brush per
point. Ours: one RasterScatterItem (what panels/scatter.py does). Both are timed
from setData to a finished render of the whole plot widget, side by side.

At scale (scatter_100k_ms, scatter_1m_ms, scatter_2m_ms): the same redraw of 100k, 1M and 2M
points, which aggregates per pixel above one point per pixel; the baseline is the ScatterPlotItem
at 100k, timed in the same run (beyond that it takes seconds a frame and gigabytes).

Thumbnails (sprite_frame_ms): one frame of a pan/zoom (the view range moved, the level-of-detail
pick redone, the plot rendered) over 70,000 MNIST thumbnails at their points, against the same
frames without thumbnails.
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from bench.report import Figure, figure  # noqa: E402

N_POINTS = 70_000
SCALES = (100_000, 1_000_000, 2_000_000)


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


def _clusters(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n labelled 2-D points in ten overlapping clusters, like a 2-D VAE's codes."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    return rng.normal(size=(n, 2)) + np.stack([np.cos(labels), np.sin(labels)], 1) * 3, labels


def _scale_times(quick: bool) -> tuple[dict[int, tuple[float, str]], float]:
    """Best redraw time (setData to rendered widget) of 100k, 1M and 2M points, with the mode drawn;
    and the ScatterPlotItem's at 100k (its brushes shared per class)."""
    import pyqtgraph as pg

    from latentlab.gui.panels.scatter import colour
    from latentlab.gui.widgets.point_cloud import RasterScatterItem, argb

    palette = np.array([argb(colour(c)) for c in range(10)], dtype=np.uint32)
    times: dict[int, tuple[float, str]] = {}
    for n in SCALES:
        pos, labels = _clusters(n)
        colours = palette[labels]
        widget = pg.PlotWidget(background="w")
        item = RasterScatterItem("dot", 3)
        widget.addItem(item)
        widget.resize(800, 700)
        widget.show()
        best = float("inf")
        for k in range(2 if quick else 5):
            p = pos + 0.01 * k
            start = time.perf_counter()
            item.setData(p, colours)
            widget.grab()
            best = min(best, time.perf_counter() - start) if k else best  # the first warms up
        times[n] = (best, item.last_mode)
        widget.close()
    pos, labels = _clusters(SCALES[0])
    default = pg.PlotWidget(background="w")
    baseline = pg.ScatterPlotItem(size=4, pen=None)
    default.addItem(baseline)
    default.resize(800, 700)
    default.show()
    shared = [pg.mkBrush(colour(c)) for c in range(10)]  # one brush per class: pyqtgraph's fastest way
    brushes = [shared[c] for c in labels]
    t_default = []
    for k in range(2 if quick else 3):
        start = time.perf_counter()
        baseline.setData(pos=pos + 0.01 * k, brush=brushes)
        default.grab()
        t_default.append(time.perf_counter() - start)
    default.close()
    return times, min(t_default[1:] or t_default)


def _sprite_frames(quick: bool) -> tuple[float, float, float, int, float]:
    """Median frame time of a pan/zoom over 70,000 points with thumbnails (the level-of-detail pick
    redone every frame: the app does it at most every PICK_MS), and without; p90 with; the thumbnails
    drawn in the last frame; the time to make the atlas."""
    import pyqtgraph as pg

    from latentlab.core.data.registry import load_dataset
    from latentlab.gui.panels.scatter import colour
    from latentlab.gui.widgets.point_cloud import RasterScatterItem, argb
    from latentlab.gui.widgets.sprites import SpriteItem

    images = load_dataset("mnist5k").train_x
    if not quick:  # 70,000 thumbnails in the atlas (MNIST-5k's images repeated), as for full MNIST
        images = images.repeat(-(-N_POINTS // len(images)), 1, 1, 1)[:N_POINTS]
    pos, labels = _clusters(N_POINTS)
    colours = np.array([argb(colour(c)) for c in range(10)], dtype=np.uint32)[labels]
    widget = pg.PlotWidget(background="w")
    points = RasterScatterItem("dot", 3)
    widget.addItem(points)
    sprites = SpriteItem(lambda: images, 28)
    sprites.setZValue(5)
    widget.addItem(sprites, ignoreBounds=True)
    widget.resize(1000, 800)  # about the scatter's size in a maximised 1920x1080 window
    widget.show()
    points.setData(pos, colours)
    widget.grab()
    start = time.perf_counter()
    sprites.setData(pos, np.arange(N_POINTS) % len(images), colours)  # makes the atlas (in a Job), then picks
    sprites.settle()  # the points show until it is made
    atlas_s = time.perf_counter() - start
    assert sprites.atlas is not None and len(sprites.chosen)
    view = widget.getViewBox()
    steps = 12 if quick else 60

    def frames(pick: bool) -> list[float]:
        out = []
        for k in range(steps):
            half = 7 / 8 ** (k / (steps - 1))  # zooming in to 8x while panning around the clusters
            cx, cy = 3 * np.cos(k / 6), 3 * np.sin(k / 6)
            start = time.perf_counter()
            view.setRange(xRange=(cx - half, cx + half), yRange=(cy - half, cy + half), padding=0)
            if pick:
                sprites.pick()
            widget.grab()
            out.append(time.perf_counter() - start)
        return out

    with_sprites = frames(True)
    drawn = len(sprites.chosen)
    sprites.setVisible(False)
    without = frames(False)
    widget.close()
    return (float(np.median(with_sprites)), float(np.median(without)), float(np.percentile(with_sprites, 90)),
            drawn, atlas_s)


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
    scale, t_scatter = _scale_times(quick)
    frame, plain, frame_p90, drawn, atlas_s = _sprite_frames(quick)
    base = f"pyqtgraph ScatterPlotItem (a brush per class) at 100k: {t_scatter * 1e3:.0f} ms"
    at_scale = [figure(f"scatter_{name}_ms", scale[n][0] * 1e3, "ms", f"{base}; drew {scale[n][1]}", target)
                for n, name, target in zip(SCALES, ("100k", "1m", "2m"), ("< 50", "< 50", "< 100"))]
    return [
        figure("scatter_vs_default", t_default / t_ours, "x",
               f"per-point brushes {t_default * 1e3:.0f} ms; ours {t_ours * 1e3:.0f} ms ({N_POINTS:,} points)",
               ">= 10"),
        figure("click_to_decode_ms", statistics.median(clicks), "ms",
               f"mouse event to repainted decoder view, {len(clicks)} clicks, p90 "
               f"{np.percentile(clicks, 90):.1f} ms", "< 16"),
        *at_scale,
        figure("sprite_frame_ms", frame * 1e3, "ms",
               f"the same pan/zoom without thumbnails {plain * 1e3:.0f} ms; p90 {frame_p90 * 1e3:.0f} ms; "
               f"{drawn} thumbnails drawn at 8x zoom, level of detail picked every frame", "< 33",
               f"{N_POINTS:,} points, 1000x800 plot; atlas made once off the GUI thread in {atlas_s:.2f} s"),
    ]
