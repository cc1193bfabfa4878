"""set_points: model output handed to pyqtgraph by its first two columns, non-finite rows left out."""

import numpy as np
import pyqtgraph as pg
import torch

from latentlab.gui.widgets.points import set_points


def test_wide_points_are_drawn_by_their_first_two_columns_one_point_each(qtbot):
    item = pg.PlotDataItem()
    x = torch.arange(30, dtype=torch.float32).reshape(3, 10)  # three 10-D points (once drawn as fifteen)
    x[1, 1] = float("nan")  # a row not finite where it is drawn is left out
    set_points(item, x)
    xs, ys = item.getData()
    assert list(xs) == [0, 20] and list(ys) == [1, 21]
    set_points(item, torch.tensor([2.0, 3.0, 4.0]))  # one point
    assert list(item.getData()[0]) == [2] and list(item.getData()[1]) == [3]
    set_points(item, np.array([[5.0], [6.0]]))  # one column: against 0
    assert list(item.getData()[0]) == [5, 6] and list(item.getData()[1]) == [0, 0]
    set_points(item, torch.zeros(0, 2))
    assert item.getData()[0] is None or len(item.getData()[0]) == 0
