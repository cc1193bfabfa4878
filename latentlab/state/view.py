"""What the user points at: the selection, the decoded point (focus), the hovered example, the path."""

from __future__ import annotations

import numpy as np
import torch
from psygnal import Signal

from latentlab.state.base import SessionBase


class ViewMixin(SessionBase):
    """Part of Session: selection, focus, hover and the path drawn in the scatter, with their signals."""

    selection_changed = Signal()  # indices into the training set
    focus_changed = Signal(object, object)  # latent point [d] and its decode [1, *data_shape]; (None, None): cleared
    hover_changed = Signal(object)  # a training example under the mouse, or None
    path_changed = Signal()  # the interpolation path (latent points) drawn in the scatter

    def _init_view(self) -> None:
        self.selection = np.zeros(0, dtype=np.int64)
        self.focus: torch.Tensor | None = None
        self.hovered: int | None = None
        self.path: torch.Tensor | None = None

    def clear_view(self) -> None:
        """Forget everything that pointed into the old data or latent space (declared in state/app.py)."""
        self.set_selection([])
        self.set_hover(None)
        self.set_path(None)
        if self.focus is not None:
            self.focus = None
            self.focus_changed.emit(None, None)

    def set_selection(self, indices) -> None:
        selection = np.unique(np.asarray(indices, dtype=np.int64))
        if len(selection) or len(self.selection):
            self.selection = selection
            self.selection_changed.emit()

    def set_path(self, points: torch.Tensor | None) -> None:
        if points is None and self.path is None:
            return
        self.path = points
        self.path_changed.emit()

    def set_hover(self, index: int | None) -> None:
        if index != self.hovered:
            self.hovered = index
            self.hover_changed.emit(index)

    @torch.no_grad()
    def set_focus(self, z: torch.Tensor) -> torch.Tensor:
        """Decode one latent point (click-to-decode) and tell the panels."""
        z = torch.as_tensor(z).reshape(1, -1).float()
        x = self.require_snapshot().decode(z)
        self.focus = z[0]
        self.focus_changed.emit(z[0], x)
        return x

    @torch.no_grad()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.require_snapshot().decode(z.to(torch.float32))

    @torch.no_grad()
    def sample(self, n: int, seed: int = 0) -> torch.Tensor:
        return self.require_snapshot().sample(n, generator=torch.Generator().manual_seed(seed))

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        snapshot = self.require_snapshot()
        return snapshot.decode(snapshot.encode(x))
