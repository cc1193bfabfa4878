"""The neighbours panel's state: the clicked example, how many neighbours and in which space, and the
neighbours found (training indices and distances, nearest first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch
from psygnal import evented

from latentlab.core.neighbours import NeighbourError, nearest
from latentlab.core.settings import setting

if TYPE_CHECKING:
    from latentlab.state.session import Session

SPACES = ("latent", "data")


@dataclass(frozen=True)
class Found:
    """The k nearest training examples of `example` in `space` (nearest first)."""

    example: int
    space: str
    indices: tuple[int, ...]
    distances: tuple[float, ...]


@evented
@dataclass
class NeighboursState:
    k: int = setting(8, label="Neighbours", minimum=1, maximum=64, help="How many nearest neighbours to show")
    space: str = setting("latent", label="Space", choices=SPACES,
                         choice_labels=("latent space (the model's codes)", "data space (the examples themselves)"),
                         help="Search the neighbours among the codes or among the examples (Euclidean distance)")
    example: int | None = setting(None, label="Example", kind="int", optional=True, minimum=0, remember=False,
                                  help="The training example whose neighbours are shown (a click on a data point "
                                       "in the latent scatter picks it)")
    found: Found | None = field(default=None)
    message: str = field(default="")

    def pick(self, index: int | None) -> None:
        self.example = None if index is None else int(index)

    def clear(self) -> None:
        """The old data or model's neighbours (state/app.py: what is reset when they change)."""
        self.example = None
        self.found = None
        self.message = ""

    @torch.no_grad()
    def search(self, session: Session, keep: np.ndarray | None = None) -> Found | None:
        """Find the example's neighbours with the session's data and snapshot; a message says why not.
        `keep` (a filter's verdict over the training rows): search among those examples only."""
        self.found, self.message = None, ""
        d, i = session.dataset, self.example
        if i is None or d is None:
            return None
        if i >= len(d.train_x):
            self.message = f"there is no training example {i} (the data has {len(d.train_x)})"
            return None
        try:
            if self.space == "data" or session.snapshot is None:  # with no model the data are the vectors
                base = d.train_x.reshape(len(d.train_x), -1).float()
                own: torch.Tensor | None
                rows, query, own = None, base[i:i + 1], torch.tensor([i])
                if keep is not None:
                    rows = np.flatnonzero(keep)
                    base, at = base[torch.from_numpy(rows)], np.flatnonzero(rows == i)
                    own = torch.from_numpy(at) if len(at) else None
            else:
                codes = session.codes()
                if codes is None:
                    model = session.snapshot
                    self.message = (model.why_not("encode") if model is not None else "") or "no model to encode with"
                    return None
                base, rows = torch.from_numpy(codes.train).float(), codes.train_index
                if keep is not None:
                    chosen = keep[rows]
                    base, rows = base[torch.from_numpy(chosen)], rows[chosen]
                at = np.flatnonzero(rows == i)
                if len(at):  # the example is among the coded rows: it is not its own neighbour
                    query, own = base[int(at[0]):int(at[0]) + 1], torch.tensor([int(at[0])])
                else:  # a training run codes a subset only: code the example itself
                    query, own = session.require_snapshot().encode(d.train_x[i:i + 1]).float(), None
            idx, dist = nearest(base, query, self.k, exclude_self_rows=own)
        except NeighbourError as e:
            self.message = str(e)
            return None
        indices = idx[0].numpy() if rows is None else rows[idx[0].numpy()]
        self.found = Found(i, self.space, tuple(int(j) for j in indices), tuple(float(v) for v in dist[0]))
        return self.found
