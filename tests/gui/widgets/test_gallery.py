"""The scrolling gallery: tiles from its top edge, a whole row even at presentation mode's 256 px."""

import torch

from latentlab.gui.widgets.gallery import ScrollingGallery


def test_large_tiles_start_at_the_top_and_a_whole_row_shows(qtbot):
    gallery = ScrollingGallery()
    qtbot.addWidget(gallery)
    gallery.resize(400, 300)
    gallery.show()
    gallery.set_images(torch.rand(30, 1, 8, 8))
    gallery.set_minimum_size(256)  # presentation mode
    assert gallery.scroll.minimumHeight() >= 256
    (_, _), (top, bottom) = gallery.grid.view.viewRange()
    assert abs(top) < 0.5 and bottom > 30 * 8  # no blank strip above the first tile (rows run down)
