"""Thumbnails in the scatter: each example's image drawn at its code, with level of detail.

70,000 thumbnails cannot all be drawn, nor read: at any zoom the item shows at most one per
screen cell (a square the size of a thumbnail), the example nearest the cell's centre, and the
points show everywhere else (`pick_sprites`). The pick is redone when the view pans or zooms,
at most every PICK_MS (a coalescing timer), so a frame of a pan only blits.

The images are converted once, when thumbnails are first shown, into an atlas of uint8 tiles
(grey [N, T, T] or colour [N, T, T, 3], T at most MAX_TILE): a small set at once, a larger one (over
SYNC_PIXELS) in a background Job while the points alone show, its progress in `busy`; an atlas still being
made for data that changed (clear_atlas) is cancelled and never shown. Each pick gathers its few hundred
tiles into one small premultiplied-ARGB sheet (a QImage), and a frame draws each chosen tile from
that sheet at the thumbnail size. bench/scatter.py measures a pan/zoom frame (sprite_frame_ms).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
import torch
import torch.nn.functional as F  # noqa: N812
from PySide6.QtCore import QCoreApplication, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QTransform
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QWidget

from latentlab.core.data import as_float
from latentlab.core.progress import Cancelled
from latentlab.gui.binding import bind
from latentlab.gui.jobs import Job

MAX_TILE = 32  # atlas tiles are at most this many pixels a side (larger images are scaled down once)
ATLAS_BYTES = 256 * 2**20  # and smaller where a large set would need more memory (1M MNIST: 16 px tiles)
PICK_MS = 80  # the level-of-detail pick runs at most this often while the view moves
SYNC_PIXELS = 2_000_000  # an atlas of at most this many image pixels is made at once (milliseconds), larger in a Job
SHEET_COLUMNS = 64


def atlas_tiles(images: torch.Tensor, max_tile: int = MAX_TILE, chunk: int = 8192,
                budget: int = ATLAS_BYTES, report: Callable[[float], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> np.ndarray:
    """[N, C, H, W] images in [0, 1] (C 1 or 3) as uint8 tiles: grey [N, T, T] or colour [N, T, T, 3],
    T at most max_tile and small enough for the atlas to fit `budget` bytes. Converted in chunks, so no
    float copy of the whole set is ever made; between chunks `cancelled` is asked (Cancelled raised) and
    `report` told the fraction done."""
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"thumbnails need [N, 1 or 3, H, W] images, not {tuple(images.shape)}")
    n, c, h, w = images.shape
    side = max(h, w)
    tile = max(4, min(side, max_tile, int((budget / max(1, n * c)) ** 0.5)))
    out = np.zeros((n, tile, tile, c), dtype=np.uint8)
    for start in range(0, n, chunk):
        if cancelled is not None and cancelled():
            raise Cancelled()
        x = as_float(images[start:start + chunk])  # a Dataset's uint8 images: pixels / 255
        if (h, w) != (tile, tile):  # scaled to fit the square tile, keeping the aspect ratio
            scale = tile / side
            size = (max(1, round(h * scale)), max(1, round(w * scale)))
            x = F.interpolate(x, size=size, mode="area")
        else:
            size = (h, w)
        top, left = (tile - size[0]) // 2, (tile - size[1]) // 2
        pixels = (x.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
        out[start:start + len(pixels), top:top + size[0], left:left + size[1]] = pixels
        if report is not None:
            report(min(n, start + chunk) / n)
    return out[..., 0] if c == 1 else out


def pick_sprites(x: np.ndarray, y: np.ndarray, cell: float, width: float, height: float) -> np.ndarray:
    """Level of detail: indices into x, y (screen pixels) of at most one point per `cell`-pixel square
    of the [0, width) x [0, height) screen, the one nearest its square's centre."""
    inside = np.flatnonzero((x >= 0) & (x < width) & (y >= 0) & (y < height))
    if not len(inside) or cell <= 0:
        return np.zeros(0, dtype=np.int64)
    gx, gy = x[inside] / cell, y[inside] / cell
    cx, cy = np.floor(gx), np.floor(gy)
    gx -= cx + 0.5
    gy -= cy + 0.5
    d2 = gx * gx + gy * gy  # squared distance to the cell's centre, in cells: 0 .. 0.5
    columns = int(np.ceil(width / cell)) + 1
    cells = cy.astype(np.int64) * columns + cx.astype(np.int64)
    # One sort of one integer key: by cell, then nearest the centre first (d2 in 2^20 steps).
    order = np.argsort(cells << 21 | (d2 * (1 << 21)).astype(np.int64), kind="stable")
    first = np.ones(len(order), dtype=bool)
    first[1:] = cells[order[1:]] != cells[order[:-1]]
    return inside[order[first]]


def _argb(tiles: np.ndarray) -> np.ndarray:
    """uint8 tiles (grey [K, T, T] or colour [K, T, T, 3]) as opaque 0xAARRGGBB [K, T, T]."""
    if tiles.ndim == 3:
        r = g = b = tiles.astype(np.uint32)
    else:
        r, g, b = (tiles[..., k].astype(np.uint32) for k in range(3))
    return np.uint32(0xFF000000) | (r << 16) | (g << 8) | b


class SpriteItem(pg.GraphicsObject):
    """The chosen examples' thumbnails, `size` screen pixels a side, centred on their points."""

    busy = Signal(object)  # what is being made in the background (a line of text), None when it is done

    def __init__(self, images: Callable[[], torch.Tensor | None], size: int = 28):
        """images: where the thumbnails come from (the dataset's [N, C, H, W] training images, or None),
        read when they are first shown."""
        super().__init__()
        self.images = images
        self.size = size
        self.positions = np.zeros((0, 2))
        self.examples = np.zeros(0, dtype=np.int64)  # the example (image) of each position
        self.colours: np.ndarray | None = None  # each position's point colour: the thumbnail's frame
        self.atlas: np.ndarray | None = None
        self.chosen = np.zeros(0, dtype=np.int64)  # indices into positions
        self._sheet: QImage | None = None
        self._sheet_array: np.ndarray | None = None  # the QImage's memory
        self._tile, self._columns = 1, 1  # the sheet's layout: tile k is at column k % columns, row k // columns
        self._bounds = QRectF()
        self._data_box: tuple[tuple[float, float], tuple[float, float]] | None = None  # the points' min and max
        self._timer = QTimer(self, singleShot=True, interval=PICK_MS, timeout=self.pick)
        self.atlas_job: Job | None = None  # the atlas being made in the background
        self.atlas_failed = False  # the background atlas failed: not made again until new data (clear_atlas)
        self._jobs: list[Job] = []  # with cancelled ones still finishing their chunk

    # -- data ----------------------------------------------------------------------------
    def clear_atlas(self) -> None:
        """The data changed: the thumbnails are made again when next shown (one being made is dropped)."""
        self._cancel_atlas()
        self.atlas, self.atlas_failed = None, False
        self.setData(np.zeros((0, 2)), np.zeros(0, dtype=np.int64))

    def setData(self, pos: np.ndarray, examples: np.ndarray,  # noqa: N802 (pyqtgraph's name)
                colours: np.ndarray | None = None) -> None:
        """pos [N, 2] in data coordinates; examples [N]: the index of each point's image; colours [N]
        (0xAARRGGBB, optional): the points' colours, drawn as each thumbnail's frame; a point drawn faint
        (alpha under one half: filtered out) gets no thumbnail."""
        self.prepareGeometryChange()
        self.positions = np.asarray(pos, dtype=np.float64).reshape(-1, 2)
        self.examples = np.asarray(examples, dtype=np.int64)
        xs, ys = self.positions[:, 0], self.positions[:, 1]
        self._data_box = ((xs.min(), ys.min()), (xs.max(), ys.max())) if len(xs) else None
        self.colours = None if colours is None or len(colours) != len(self.positions) else \
            np.asarray(colours, dtype=np.uint32)
        self._update_bounds()
        self.pick()

    def set_size(self, size: int) -> None:
        self.size = int(size)
        self.prepareGeometryChange()
        self._update_bounds()
        self.pick()

    def setVisible(self, visible: bool) -> None:  # noqa: N802 (Qt's name)
        super().setVisible(visible)
        self.pick()  # hidden: nothing chosen, the sheet freed

    def _ensure_atlas(self) -> bool:
        """True when the atlas is there; else it is made (a large one in the background: False till then)."""
        if self.atlas is not None:
            return True
        if self.atlas_job is not None or self.atlas_failed:  # a failed one is not retried until new data
            return False
        images = self.images()
        if images is None or images.ndim != 4 or images.shape[1] not in (1, 3):
            return False
        if images[0].numel() * len(images) <= SYNC_PIXELS:
            self.atlas = atlas_tiles(images)
            return True
        text = f"making the thumbnails of {len(images):,} examples…"
        job = Job(lambda report, cancelled: atlas_tiles(images, report=report, cancelled=cancelled),
                  "latentlab-atlas", self)
        job.progress.connect(lambda f: self.busy.emit(f"{text} {f:.0%}"))
        job.done.connect(lambda atlas, j=job: self._atlas_done(j, atlas))
        job.ended.connect(lambda j=job: self._atlas_ended(j))
        self.atlas_job = job
        self._jobs.append(job)
        self.busy.emit(text)
        job.start()
        return False

    def _atlas_done(self, job: Job, atlas: np.ndarray) -> None:
        if job is self.atlas_job:  # else the data changed meanwhile: the atlas is of the old images
            self.atlas = atlas

    def _atlas_ended(self, job: Job) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        if job is self.atlas_job:
            self.atlas_job = None
            self.busy.emit(None)
            self.atlas_failed = self.atlas is None  # it failed (its error is reported): points stay
            self.pick()  # the thumbnails replace the points where they fit

    def _cancel_atlas(self) -> None:
        if self.atlas_job is not None:
            self.atlas_job.cancel()
            self.atlas_job = None
            self.busy.emit(None)

    def settle(self, timeout_ms: int = 60_000) -> None:
        """Wait for the atlas being made and draw the thumbnails (benches, screenshots and tests)."""
        job = self.atlas_job
        if job is not None:
            job.thread.wait(timeout_ms)
            QCoreApplication.sendPostedEvents()
            QCoreApplication.processEvents()

    def shutdown(self) -> None:
        for job in list(self._jobs):
            job.cancel_and_wait()

    # -- level of detail ---------------------------------------------------------------------
    def viewTransformChanged(self) -> None:  # noqa: N802 (pyqtgraph's name: a pan, zoom or resize)
        super().viewTransformChanged()
        self.prepareGeometryChange()
        self._update_bounds()
        if self.isVisible() and not self._timer.isActive():
            self._timer.start()  # rate-limited: during a drag this fires every PICK_MS, and once after

    def pick(self) -> None:
        """Choose the thumbnails for the current view and gather their tiles into one sheet."""
        self._timer.stop()
        view = self.getViewBox() if self.isVisible() else None
        if view is not None and hasattr(view, "prepareForPaint"):
            view.prepareForPaint()  # a range just set is applied to the view's transform lazily, at paint
        t = self.deviceTransform_() if view is not None else None  # item -> the view widget's pixels
        if t is None or view is None or not len(self.positions) or not self._ensure_atlas():
            self.chosen = np.zeros(0, dtype=np.int64)
            self._sheet = self._sheet_array = None
            self.update()
            return
        x, y = self._to_pixels(t)  # the view widget's logical pixels
        box = view.mapRectToDevice(view.boundingRect())  # the visible plot area, in the same pixels
        candidates = self.examples < len(self.atlas)
        if self.colours is not None:  # points a filter dims (faint, translucent) get no thumbnail
            candidates &= (self.colours >> 24) >= 0x80
        x = np.where(candidates, x - box.left(), -1.0)
        self.chosen = pick_sprites(x, y - box.top(), float(self.size), box.width(), box.height())
        self._build_sheet()
        self.update()

    def _to_pixels(self, t: QTransform) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = self.positions[:, 0], self.positions[:, 1]
        return xs * t.m11() + ys * t.m21() + t.m31(), xs * t.m12() + ys * t.m22() + t.m32()

    def _build_sheet(self) -> None:
        k = len(self.chosen)
        if not k:
            self._sheet = self._sheet_array = None
            return
        tiles = _argb(self.atlas[self.examples[self.chosen]])
        tile = tiles.shape[1]
        if self.colours is not None and tile >= 8:  # a one-pixel frame in the point's colour keeps the classes
            frame = (self.colours[self.chosen] | np.uint32(0xFF000000))[:, None]
            tiles[:, 0, :] = tiles[:, -1, :] = frame
            tiles[:, :, 0] = tiles[:, :, -1] = frame
        columns = min(k, SHEET_COLUMNS)
        rows = -(-k // columns)
        padded = np.zeros((rows * columns, tile, tile), dtype=np.uint32)
        padded[:k] = tiles
        sheet = np.ascontiguousarray(padded.reshape(rows, columns, tile, tile).transpose(0, 2, 1, 3)
                                     .reshape(rows * tile, columns * tile))
        self._sheet_array, self._tile, self._columns = sheet, tile, columns
        self._sheet = QImage(sheet.data, columns * tile, rows * tile, QImage.Format_ARGB32_Premultiplied)

    # -- drawing ---------------------------------------------------------------------------
    def _update_bounds(self) -> None:
        if self._data_box is None:
            self._bounds = QRectF()
            return
        lo, hi = np.array(self._data_box[0]), np.array(self._data_box[1])
        px, py = self.pixelWidth() or 0.0, self.pixelHeight() or 0.0  # half a thumbnail beyond the points
        pad = np.array([px, py]) * (self.size / 2 + 1)
        lo, hi = lo - pad, hi + pad
        self._bounds = QRectF(lo[0], lo[1], max(hi[0] - lo[0], 1e-12), max(hi[1] - lo[1], 1e-12))

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def paint(self, painter, *args) -> None:
        if self._sheet is None or not len(self.chosen):
            return
        t = painter.combinedTransform()  # item -> device pixels
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0  # a reset painter draws in logical ones
        p = self.positions[self.chosen]
        x = (p[:, 0] * t.m11() + p[:, 1] * t.m21() + t.m31()) / ratio
        y = (p[:, 0] * t.m12() + p[:, 1] * t.m22() + t.m32()) / ratio
        s = float(self.size)
        tile, columns = self._tile, self._columns
        painter.save()
        painter.resetTransform()  # logical pixels: thumbnails are upright and `size` pixels whatever the zoom
        painter.setRenderHint(painter.RenderHint.SmoothPixmapTransform, s < tile)
        sheet, draw = self._sheet, painter.drawImage
        for k, (cx, cy) in enumerate(zip((x - s / 2).tolist(), (y - s / 2).tolist())):
            draw(QRectF(cx, cy, s, s), sheet, QRectF((k % columns) * tile, (k // columns) * tile, tile, tile))
        painter.restore()


class SpriteControls(QWidget):
    """The thumbnails' toggle, size and opacity, bound to the scatter state (scatter.sprites, ...)."""

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.toggle = bind(QCheckBox("thumbnails"), state, "sprites", "scatter")
        self.size = bind(QSlider(Qt.Horizontal, minimum=8, maximum=96), state, "sprite_size", "scatter")
        self.opacity = bind(QSlider(Qt.Horizontal, minimum=10, maximum=100), state, "sprite_opacity", "scatter",
                            to_widget=lambda v: round(v * 100), from_widget=lambda v: v / 100)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.toggle)
        for text, slider in (("size", self.size), ("opacity", self.opacity)):
            slider.setMaximumWidth(140)
            row.addWidget(QLabel(text))
            row.addWidget(slider)
        row.addStretch(1)
        self._enable(state.sprites)
        state.events.sprites.connect(self._enable)

    def _enable(self, on: bool) -> None:
        self.size.setEnabled(on)
        self.opacity.setEnabled(on)

    def set_available(self, available: bool, why: str = "") -> None:
        """Thumbnails need image data: for 2-D points the toggle is off and says why."""
        self.setEnabled(available)
        if not available:
            self.toggle.setToolTip(why)


def connect_item(state, item: SpriteItem) -> None:
    """The item follows the state: shown or hidden, its size and opacity."""
    item.setVisible(state.sprites)
    item.set_size(state.sprite_size)
    item.setOpacity(state.sprite_opacity)
    state.events.sprites.connect(item.setVisible)
    state.events.sprite_size.connect(item.set_size)
    state.events.sprite_opacity.connect(lambda v: item.setOpacity(v))
