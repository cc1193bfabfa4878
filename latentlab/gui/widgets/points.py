"""Handing model output to pyqtgraph safely: rows that are not finite numbers are left out.

A model that is diverging can decode to inf or NaN for a moment; pyqtgraph's scatter items warn
(and compute NaN bounds) when every point is NaN, so such rows never reach them.
"""

from __future__ import annotations

import numpy as np
import torch


def set_points(item, xy: torch.Tensor | np.ndarray) -> None:
    """item.setData(x, y) with the finite rows of an [N, D] array (one point: [D]), drawn by its first two
    columns (a single column against 0). Wider rows were once cut into pairs: 10-D points drew as five each."""
    xy = xy.detach().cpu().numpy() if isinstance(xy, torch.Tensor) else np.asarray(xy)
    xy = xy.reshape(1, -1) if xy.ndim == 1 else xy.reshape(len(xy), -1 if len(xy) else 2)
    if xy.shape[1] < 2:
        xy = np.concatenate([xy, np.zeros((len(xy), 2 - xy.shape[1]))], 1)
    xy = xy[:, :2]
    xy = xy[np.isfinite(xy).all(1)]
    item.setData(xy[:, 0], xy[:, 1])
