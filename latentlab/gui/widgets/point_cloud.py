"""RasterScatterItem: tens of thousands of coloured points, rasterised with numpy at paint time.

pyqtgraph's ScatterPlotItem keeps per-point records and styles (about 100 ms just to set
70,000 points here). A latent scatter needs a colour per point and nothing else, so this
item maps the points to device pixels with the current view transform, stamps a small
marker per point into one ARGB image with numpy, and draws that image once. Zoom, pan and
resize simply repaint; bench/scatter.py measures it against the per-point-brush default.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage


def _offsets(kind: str, size: int) -> np.ndarray:
    """Pixel offsets of a marker: a filled square ("dot") or a square outline ("ring")."""
    r = size // 2
    grid = np.array([(dx, dy) for dy in range(-r, r + 1) for dx in range(-r, r + 1)])
    if kind == "ring":
        grid = grid[(np.abs(grid) == r).any(1)]
    return grid


def argb(colour) -> int:
    c = pg.mkColor(colour)
    return (c.alpha() << 24) | (c.red() << 16) | (c.green() << 8) | c.blue()


class RasterScatterItem(pg.GraphicsObject):
    def __init__(self, marker: str = "dot", size: int = 3):
        super().__init__()
        self.kind = marker
        self.marker = _offsets(marker, size)
        self.size = size
        self.positions = np.zeros((0, 2))
        self.colours = np.zeros(0, dtype=np.uint32)
        self._bounds = QRectF()

    def setData(self, pos: np.ndarray, colours: np.ndarray) -> None:  # noqa: N802 (pyqtgraph's name)
        """pos [N, 2] in data coordinates; colours [N] as 0xAARRGGBB (see argb())."""
        pos = np.asarray(pos, dtype=np.float64).reshape(-1, 2)
        self.prepareGeometryChange()
        self.positions = pos
        self.colours = np.asarray(colours, dtype=np.uint32)
        if len(pos):
            lo, hi = pos.min(0), pos.max(0)
            self._bounds = QRectF(lo[0], lo[1], max(hi[0] - lo[0], 1e-12), max(hi[1] - lo[1], 1e-12))
        else:
            self._bounds = QRectF()
        self.informViewBoundsChanged()
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):  # noqa: N802, N803
        if not len(self.positions):
            return None, None
        return float(self.positions[:, ax].min()), float(self.positions[:, ax].max())

    def pixelPadding(self) -> float:  # noqa: N802
        return float(self.size)

    def paint(self, painter, *args) -> None:
        if not len(self.positions):
            return
        t = painter.combinedTransform()  # item -> the painter's logical (widget or image) pixels
        pad = self.size
        area = t.mapRect(self._bounds).adjusted(-pad, -pad, pad, pad)
        if painter.hasClipping():
            area = area.intersected(t.mapRect(painter.clipBoundingRect()))
        left, top = int(np.floor(area.left())), int(np.floor(area.top()))
        w, h = int(np.ceil(area.right())) - left, int(np.ceil(area.bottom())) - top
        # On a high-DPI screen a logical pixel is several device pixels: stamp at device resolution.
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        dw, dh = int(np.ceil(w * ratio)), int(np.ceil(h * ratio))
        if dw <= 0 or dh <= 0 or dw * dh > 50_000_000:
            return
        x = (self.positions[:, 0] * t.m11() + self.positions[:, 1] * t.m21() + t.m31() - left) * ratio
        y = (self.positions[:, 0] * t.m12() + self.positions[:, 1] * t.m22() + t.m32() - top) * ratio
        px, py = np.round(x).astype(np.int64), np.round(y).astype(np.int64)
        image = np.zeros((dh, dw), dtype=np.uint32)
        marker = self.marker if ratio == 1 else _offsets(self.kind, max(1, round(self.size * ratio)) | 1)
        for dx, dy in marker:
            cx, cy = px + dx, py + dy
            inside = (cx >= 0) & (cx < dw) & (cy >= 0) & (cy < dh)
            image[cy[inside], cx[inside]] = self.colours[inside]
        # Drawn in item coordinates, through the painter's own transform (not reset), so Qt's device
        # scaling applies once; the view never rotates, so the inverse maps the rectangle exactly. Item
        # y grows upwards where pixel rows grow downwards: the rows go in flipped to come out upright.
        if t.m22() < 0:
            image = np.ascontiguousarray(image[::-1])
        if t.m11() < 0:
            image = np.ascontiguousarray(image[:, ::-1])
        qimage = QImage(image.data, dw, dh, QImage.Format_ARGB32)
        qimage.setDevicePixelRatio(ratio)
        inverse, _ = t.inverted()
        painter.drawImage(inverse.mapRect(QRectF(left, top, w, h)), qimage)
