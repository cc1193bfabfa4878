"""A kernel density estimate drawn as an image behind a plot's points (the density module's KDE)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
import torch

from latentlab.core.density import compare_fits, kde
from latentlab.core.progress import check

GRID = 80
MAX_POINTS = 5000  # an evenly spaced subsample keeps the estimate quick on large sets


# White where there is no data, so points drawn over the density stay easy to see.
PALE = pg.ColorMap([0.0, 1.0], [(255, 255, 255), (150, 150, 160)])
# One hue whose opacity grows with the density: over the scatter the class colours stay readable.
ALPHA_RAMP = pg.ColorMap([0.0, 1.0], [(60, 60, 110, 0), (60, 60, 110, 170)])


def density_item(opacity: float = 0.55, colormap: pg.ColorMap | None = None) -> pg.ImageItem:
    item = pg.ImageItem(axisOrder="row-major")
    item.setOpacity(opacity)
    item.setZValue(-20)
    item.setLookupTable((colormap or ALPHA_RAMP).getLookupTable(nPts=256, alpha=True))
    return item


@dataclass(frozen=True)
class DensityImage:
    values: np.ndarray  # [grid, grid] density on the grid, rows along y
    rect: tuple[float, float, float, float]  # x, y, width, height in plot coordinates


def evenly_spaced(points: np.ndarray) -> np.ndarray:
    """At most about MAX_POINTS of `points`, evenly spaced: the sample a KDE is estimated from."""
    return points[:: max(1, len(points) // MAX_POINTS)]


def kde_image(points: np.ndarray, pad: float = 0.15, grid: int = GRID, scale: float = 1.0) -> DensityImage | None:
    """The KDE of [N, 2] `points` (Scott's width times `scale`) over their bounding box, padded by
    `pad` of its size; None for < 3 points."""
    points = points[np.isfinite(points).all(1)]
    if len(points) < 3:
        return None
    lo, hi = points.min(0), points.max(0)
    margin = pad * (hi - lo + 1e-6)
    lo, hi = lo - margin, hi + margin
    gx, gy = np.linspace(lo[0], hi[0], grid), np.linspace(lo[1], hi[1], grid)
    query = np.stack(np.meshgrid(gx, gy), -1).reshape(-1, 2)
    sample = evenly_spaced(points)
    dens = kde(torch.from_numpy(sample).double(), torch.from_numpy(query).double(), scale=scale).numpy()
    rect = (float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1]))
    return DensityImage(dens.reshape(grid, grid), rect)


def show_density(item: pg.ImageItem, image: DensityImage | None) -> None:
    if image is None:
        item.clear()
        return
    item.setImage(image.values, levels=(0, image.values.max() or 1.0))
    item.setRect(*image.rect)


def draw_kde(item: pg.ImageItem, points: np.ndarray, pad: float = 0.15, grid: int = GRID, scale: float = 1.0) -> None:
    """Fill `item` with the KDE of `points` (see kde_image)."""
    show_density(item, kde_image(points, pad, grid, scale))


def overlay_work(train: np.ndarray, test: np.ndarray, scale: float, density: bool, fits: bool):
    """The scatter's slow overlays, as a job's function: the KDE image of the codes (if `density`) and how
    well one Gaussian and the KDE explain the held-out codes (if `fits`). Runs off the GUI thread."""
    def work(report, cancelled):
        image = kde_image(train, scale=scale) if density else None
        check(cancelled)
        report(0.5)
        comparison = None
        if fits and len(test) >= 1:
            comparison = compare_fits(torch.from_numpy(evenly_spaced(train)), torch.from_numpy(test), scale)
        return image, comparison

    return work
