"""An image grid view: a batch of [N, C, H, W] images in [0, 1] tiled into one pyqtgraph ImageItem."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import torch

from latentlab.core.images import image_grid
from latentlab.gui.widgets.plots import LazyMenuViewBox


def grid_array(images: torch.Tensor, nrow: int | None = None, pad_value: float = 1.0) -> np.ndarray:
    """Grey [H, W] or colour [H, W, 3] uint8 array of the tiled batch, row-major."""
    grid = image_grid(images, nrow, pad_value=pad_value)
    array = (grid.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    return array[..., 0] if images.shape[1] == 1 else array


class ImageGridView(pg.GraphicsLayoutWidget):
    def __init__(self, title: str = "", parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.view = LazyMenuViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.addItem(self.view)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self.title = title
        self.padding = 0.01  # room around the tiles, a fraction of their size (a gallery sized to them has none)
        self.array: np.ndarray | None = None
        self._shown: tuple[torch.Tensor, int | None] | None = None

    def set_images(self, images: torch.Tensor, nrow: int | None = None) -> None:
        self._shown = (images, nrow)
        # The gaps between tiles take the background's lightness: white frames glare on a dark theme.
        pad = self.backgroundBrush().color().lightnessF()
        self.array = grid_array(images, nrow, pad_value=pad)
        self.image.setImage(self.array, levels=(0, 255))
        self.view.autoRange(padding=self.padding)

    def clear_images(self) -> None:
        """Show nothing (and a theme change brings nothing back). Not clear(): pyqtgraph's layout widget sets its
        own clear (which empties the layout) on each instance."""
        self._shown = self.array = None
        self.image.clear()

    def setBackground(self, background) -> None:  # noqa: N802 (pyqtgraph's name)
        super().setBackground(background)
        if getattr(self, "_shown", None) is not None:  # a theme change: the gaps follow it
            self.set_images(*self._shown)
