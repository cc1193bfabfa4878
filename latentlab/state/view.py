"""What the user points at: the selection, the decoded point (focus), the hovered example, the path."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch
from psygnal import Signal

from latentlab.core.data import as_float
from latentlab.state.base import SessionBase


class ViewMixin(SessionBase):
    """Part of Session: selection, focus, hover and the path drawn in the scatter, with their signals."""

    selection_changed = Signal()  # indices into the training set
    focus_changed = Signal(object, object)  # latent point [d] and its decode [1, *data_shape]; (None, None): cleared
    hover_changed = Signal(object)  # a training example under the mouse, or None
    path_changed = Signal()  # the interpolation path (latent points) drawn in the scatter
    history_changed = Signal()  # the Back/Forward history of the focus moved or was cleared

    HISTORY_LIMIT = 100  # focus points kept for Back/Forward
    HISTORY_MERGE_S = 0.4  # focus points set closer together than this (a drag, held arrow keys) are one step

    def _init_view(self) -> None:
        self.selection = np.zeros(0, dtype=np.int64)
        self.focus: torch.Tensor | None = None
        self.hovered: int | None = None
        self.path: torch.Tensor | None = None
        self.focus_history: list[torch.Tensor] = []  # Back/Forward (View menu, Alt+Left / Alt+Right)
        self.history_index = -1  # where the focus is in it
        self.clock: Callable[[], float] = time.monotonic  # tests replace it
        self._last_focus_at = -1e9

    def clear_view(self) -> None:
        """Forget everything that pointed into the old data or latent space (declared in state/app.py)."""
        self.set_selection([])
        self.set_hover(None)
        self.set_path(None)
        if self.focus is not None:
            self.focus = None
            self.focus_changed.emit(None, None)
        if self.focus_history:
            self.focus_history, self.history_index = [], -1
            self.history_changed.emit()

    def set_selection(self, indices) -> None:
        indices = np.asarray(indices, dtype=np.int64)
        # np.unique imports numpy.ma on first use (~10 ms): an empty selection, as every start sets, goes without.
        selection = np.unique(indices) if indices.size else indices.reshape(0)
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
    def set_focus(self, z: torch.Tensor, record: bool = True) -> torch.Tensor:
        """Decode one latent point (click-to-decode) and tell the panels; `record` adds it to the
        Back/Forward history (a point set within HISTORY_MERGE_S of the last replaces it instead)."""
        z = torch.as_tensor(z).reshape(1, -1).float()
        try:
            x = self.require_snapshot().decode(z)
        except Exception:  # a plug-in's own decode failed: the last point's decode does not stay as if it were this
            if self.focus is not None:
                self.focus = None
                self.focus_changed.emit(None, None)
            raise
        self.focus = z[0]
        if record:
            self._record_focus(z[0].clone())
        self.focus_changed.emit(z[0], x)
        return x

    def _record_focus(self, z: torch.Tensor) -> None:
        now = self.clock()
        merge = now - self._last_focus_at < self.HISTORY_MERGE_S and self.history_index == len(self.focus_history) - 1
        self._last_focus_at = now
        del self.focus_history[self.history_index + 1:]  # a new point drops the points ahead (as in a browser)
        if merge and self.focus_history:
            self.focus_history[-1] = z
        elif not self.focus_history or not torch.equal(self.focus_history[-1], z):
            self.focus_history.append(z)
            del self.focus_history[:-self.HISTORY_LIMIT]
        self.history_index = len(self.focus_history) - 1
        self.history_changed.emit()

    def can_go_back(self) -> bool:
        return self.history_index > 0

    def can_go_forward(self) -> bool:
        return 0 <= self.history_index < len(self.focus_history) - 1

    def focus_back(self) -> bool:
        """Decode the focus point before this one again (View > Back, Alt+Left); False when there is none."""
        return self._go(-1)

    def focus_forward(self) -> bool:
        """The focus point after this one again (View > Forward, Alt+Right); False when there is none."""
        return self._go(+1)

    def _go(self, step: int) -> bool:
        index = self.history_index + step
        if not 0 <= index < len(self.focus_history) or self.snapshot is None:
            return False
        self.history_index = index
        self._last_focus_at = -1e9  # the next new point is a step of its own
        self.set_focus(self.focus_history[index], record=False)
        self.history_changed.emit()
        return True

    @torch.no_grad()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.require_snapshot().decode(z.to(torch.float32))

    @torch.no_grad()
    def sample(self, n: int, seed: int = 0) -> torch.Tensor:
        return self.require_snapshot().sample(n, generator=torch.Generator().manual_seed(seed))

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """decode(encode(x)); uint8 images are taken as pixels / 255."""
        snapshot = self.require_snapshot()
        return snapshot.decode(snapshot.encode(as_float(x)))
