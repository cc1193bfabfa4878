"""RasterScatterItem: tens of thousands of coloured points, rasterised with numpy at paint time.

pyqtgraph's ScatterPlotItem keeps per-point records and styles (about 100 ms just to set
70,000 points here). A latent scatter needs a colour per point and nothing else, so this
item maps the points to device pixels with the current view transform, stamps a small
marker per point into one ARGB image with numpy, and draws that image once. Zoom, pan and
resize simply repaint; bench/scatter.py measures it against the per-point-brush default.

More points than pixels (a million codes): stamping markers would paint most pixels many times
over and hide the density. Above one visible point per pixel the item aggregates instead,
datashader-style: a count per pixel (numpy bincount) and the points' colours summed per pixel, so
each pixel shows its classes' colours blended by their counts (the same as one 2-D histogram per
class mixed by the class colours), with an opacity that grows with the log of the count. Zoomed in
(few points visible) it draws the exact markers again. Hover and picking never look at the image:
they use the positions (panels/scatter.py), so they stay exact in both modes.
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


AGGREGATE_ABOVE = 1.0  # visible points per pixel of the drawn area above which the item aggregates
MIN_ALPHA = 0.45  # the opacity of a pixel holding one point in aggregate mode (the densest: 1)


class RasterScatterItem(pg.GraphicsObject):
    def __init__(self, marker: str = "dot", size: int = 3):
        super().__init__()
        self.kind = marker
        self.marker = _offsets(marker, size)
        self.size = size
        self.positions = np.zeros((0, 2))
        self.colours = np.zeros(0, dtype=np.uint32)
        self._bounds = QRectF()
        self._range = ((0.0, 0.0), (0.0, 0.0))
        self._channels: list[np.ndarray] | None = None  # the colours as bincount weights (_colour_channels)
        self.aggregate_above = AGGREGATE_ABOVE
        self.last_mode = ""  # "exact" or "aggregate": how the last paint drew (tests and the bench read it)

    def setData(self, pos: np.ndarray, colours: np.ndarray) -> None:  # noqa: N802 (pyqtgraph's name)
        """pos [N, 2] in data coordinates; colours [N] as 0xAARRGGBB (see argb())."""
        pos = np.asarray(pos, dtype=np.float64).reshape(-1, 2)
        self.prepareGeometryChange()
        self.positions = pos
        self.colours = np.asarray(colours, dtype=np.uint32)
        self._channels = None
        if len(pos):
            # Column by column: numpy reduces an [N, 2] array along axis 0 some 50 times slower.
            lo = np.array([pos[:, 0].min(), pos[:, 1].min()])
            hi = np.array([pos[:, 0].max(), pos[:, 1].max()])
            self._range = ((float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1])))
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
        return self._range[ax]

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
        xs, ys = self.positions[:, 0], self.positions[:, 1]
        x = xs * (t.m11() * ratio)
        x += (t.m31() - left) * ratio
        y = ys * (t.m22() * ratio)
        y += (t.m32() - top) * ratio
        if t.m21() or t.m12():  # the view never rotates, but a transform may shear
            x += ys * (t.m21() * ratio)
            y += xs * (t.m12() * ratio)
        # All points inside the image (the data's bounds are: the usual full view)? Then no masks at all.
        (x0, x1), (y0, y1) = self._range
        corners_x = [(a * t.m11() + b * t.m21() + t.m31() - left) * ratio for a in (x0, x1) for b in (y0, y1)]
        corners_y = [(a * t.m12() + b * t.m22() + t.m32() - top) * ratio for a in (x0, x1) for b in (y0, y1)]
        margin = 0.01  # rounding: a point computed a hair beyond its bounds' corner must still fall inside
        everything = (min(corners_x) >= margin and max(corners_x) < dw - margin
                      and min(corners_y) >= margin and max(corners_y) < dh - margin)
        r = len(self.marker) and int(np.abs(self.marker).max())
        near = None if everything else (x > -r - 1) & (x < dw + r) & (y > -r - 1) & (y < dh + r)
        visible = len(x) if near is None else int(np.count_nonzero(near))
        if visible > self.aggregate_above * dw * dh:
            self.last_mode = "aggregate"
            image = self._aggregate(x, y, dw, dh, everything)
        else:
            self.last_mode = "exact"
            image = (self._stamp(x, y, self.colours, dw, dh, ratio) if near is None else
                     self._stamp(x[near], y[near], self.colours[near], dw, dh, ratio))
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

    def _stamp(self, x: np.ndarray, y: np.ndarray, colours: np.ndarray, dw: int, dh: int,
               ratio: float) -> np.ndarray:
        """Exact: a marker per point, later points on top."""
        px, py = np.round(x).astype(np.int64), np.round(y).astype(np.int64)
        image = np.zeros((dh, dw), dtype=np.uint32)
        marker = self.marker if ratio == 1 else _offsets(self.kind, max(1, round(self.size * ratio)) | 1)
        r = int(np.abs(marker).max()) if len(marker) else 0
        # Points whose whole marker is inside: one flat index each, shifted per offset, no bounds checks.
        whole = (px >= r) & (px < dw - r) & (py >= r) & (py < dh - r)
        every = bool(whole.all())
        base = py * dw + px if every else py[whole] * dw + px[whole]
        flat, inner = image.reshape(-1), colours if every else colours[whole]
        for dx, dy in marker:
            flat[base + (dy * dw + dx)] = inner
        if not every:  # near the edges: clipped
            edge = ~whole
            px, py, colours = px[edge], py[edge], colours[edge]
            for dx, dy in marker:
                cx, cy = px + dx, py + dy
                inside = (cx >= 0) & (cx < dw) & (cy >= 0) & (cy < dh)
                image[cy[inside], cx[inside]] = colours[inside]
        return image

    def _aggregate(self, x: np.ndarray, y: np.ndarray, dw: int, dh: int, everything: bool = False) -> np.ndarray:
        """Per pixel: the count, and the colours' sum weighted by their alpha, blended to one colour.
        everything: all points are known to be inside the image (no mask, no copies)."""
        inside = None
        if not everything:
            inside = (x >= 0) & (x < dw) & (y >= 0) & (y < dh)  # x in [k, k+1) falls in pixel k
            everything = bool(inside.all())
            if not everything:
                x, y = x[inside], y[inside]
        row = y.astype(np.int64)  # y >= 0: truncation is the floor
        row *= dw
        row += x.astype(np.int64)
        cell = row  # floor(y) * dw + floor(x)
        channels = self._colour_channels()
        size = dw * dh
        count = np.bincount(cell, minlength=size)
        hit = np.flatnonzero(count)
        counts = count[hit]
        sums = [np.bincount(cell, weights=c if everything else c[inside], minlength=size)[hit] for c in channels]
        image = np.zeros(size, dtype=np.uint32)
        if not len(hit):
            return image.reshape(dh, dw)
        top = np.log(counts.max())
        if len(sums) == 3:  # all opaque: the mean colour, and an opacity that depends on the count alone
            ramp = np.log(np.arange(1, counts.max() + 1)) / top if top > 0 else np.zeros(counts.max())
            alpha = np.round((MIN_ALPHA + (1 - MIN_ALPHA) * ramp) * 255).astype(np.uint32) << 24
            inverse = 1.0 / counts
            r, g, b = ((s * inverse).astype(np.uint32) for s in sums)  # means of 0..255: no clipping needed
            image[hit] = alpha[counts - 1] | (r << 16) | (g << 8) | b
            return image.reshape(dh, dw)
        alpha_sum = sums.pop(0)
        seen = alpha_sum > 0
        if not seen.all():
            hit, counts, alpha_sum, sums = hit[seen], counts[seen], alpha_sum[seen], [s[seen] for s in sums]
        n = counts.astype(np.float64)
        r, g, b = (np.clip(s / alpha_sum, 0, 255).astype(np.uint32) for s in sums)
        ramp = np.log(n) / top if top > 0 else np.zeros_like(n)
        opacity = (MIN_ALPHA + (1 - MIN_ALPHA) * ramp) * (alpha_sum / n)
        a = np.clip(np.round(opacity * 255), 0, 255).astype(np.uint32)
        image[hit] = (a << 24) | (r << 16) | (g << 8) | b
        return image.reshape(dh, dw)

    def _colour_channels(self) -> list[np.ndarray]:
        """The colours as float64 rows for bincount's weights (made once per setData): r, g, b, or, where
        some are translucent, a, r·a, g·a, b·a (alpha in 0..1)."""
        if self._channels is None:
            c = self.colours
            if len(c) != len(self.positions):
                c = np.resize(c, len(self.positions)) if len(c) else np.zeros(len(self.positions), np.uint32)
            b, g, r, a = (np.ascontiguousarray(c.view(np.uint8).reshape(-1, 4)[:, k]) for k in range(4))
            if (a == 255).all():
                self._channels = [v.astype(np.float64) for v in (r, g, b)]
            else:
                alpha = a / 255.0
                self._channels = [alpha, *(v * alpha for v in (r, g, b))]
        return self._channels
