"""The neighbours panel's state: the clicked example, how many neighbours and in which space, and the
neighbours found (training indices and distances, nearest first).

Up to core/neighbours.py EXACT_LIMIT points the search is exact and immediate. Above, it needs an approximate
index of the points searched: built once per set of points (the model's codes of one snapshot, or the data),
which takes long, so the search does not build it: it leaves an IndexRequest and returns nothing; the panel
builds the index in a background job and hands it back (index_built), then searches again. An index is kept
under the identity of the points it was built on, and a request answered after the data, the model or the
space moved on is dropped: an index can never answer for points it was not built on.
"""

from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from psygnal import evented

from latentlab.core import neighbours as search_core
from latentlab.core.data import DataError, as_float
from latentlab.core.data.folders import check_fits
from latentlab.core.neighbours import EXACT, ApproximateIndex, NeighbourError, nearest
from latentlab.core.settings import setting

if TYPE_CHECKING:
    from latentlab.state.session import Session

SPACES = ("latent", "data")
INDEXES_KEPT = 2  # approximate indexes kept (latent and data space of the same snapshot, say)

IndexKey = tuple[str, int]  # the space and the identity of the points indexed


@dataclass(frozen=True)
class Found:
    """The k nearest training examples of `example` in `space` (nearest first), found by `method`
    ("exact", or core/neighbours.py APPROXIMATE)."""

    example: int
    space: str
    indices: tuple[int, ...]
    distances: tuple[float, ...]
    method: str = EXACT


@dataclass(frozen=True, eq=False)
class IndexRequest:
    """An approximate index the search needs: `build(report, cancelled)` makes it (slow: off the GUI thread)."""

    key: IndexKey
    points: int
    what: str  # "codes" or "examples"
    build: Callable[[Callable[[float], None], Callable[[], bool]], Any]

    def describe(self) -> str:
        return f"building an approximate index of {self.points:,} {self.what} (once per model snapshot)…"


_tokens: dict[int, tuple[weakref.ref, int]] = {}
_counter = itertools.count(1)


def identity(obj: Any) -> int:
    """A number for this very object while it lives (never reused by another, unlike id()). The session
    makes new codes whenever the weights move and never writes into them; a dataset's tensors stay its own."""
    entry = _tokens.get(id(obj))
    if entry is not None and entry[0]() is obj:
        return entry[1]
    token, key = next(_counter), id(obj)

    def forget(_ref: weakref.ref) -> None:
        _tokens.pop(key, None)

    _tokens[key] = (weakref.ref(obj, forget), token)
    return token


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

    def __post_init__(self) -> None:
        self.request: IndexRequest | None = None  # the index the last search needed and had not got
        self.indexes: OrderedDict[IndexKey, ApproximateIndex] = OrderedDict()

    def pick(self, index: int | None) -> None:
        self.example = None if index is None else int(index)

    def clear(self) -> None:
        """The old data or model's neighbours (state/app.py: what is reset when they change), with their indexes
        and any index being asked for."""
        self.example = None
        self.found = None
        self.message = ""
        self.request = None
        self.indexes.clear()

    def index_built(self, key: IndexKey, index: ApproximateIndex) -> bool:
        """An index built for `key`: kept if it is still the one asked for (True: search again), else dropped."""
        if self.request is None or self.request.key != key:
            return False
        self.request = None
        self.indexes[key] = index
        while len(self.indexes) > INDEXES_KEPT:
            self.indexes.popitem(last=False)
        return True

    @torch.no_grad()
    def search(self, session: Session, keep: np.ndarray | None = None) -> Found | None:
        """Find the example's neighbours with the session's data and snapshot; a message says why not.
        `keep` (a filter's verdict over the training rows): search among those examples only.
        Above EXACT_LIMIT points with no index yet: None, with `request` saying which index to build."""
        self.found, self.message, self.request = None, "", None
        d, i = session.dataset, self.example
        if i is None or d is None:
            return None
        if i >= len(d.train_x):
            self.message = f"there is no training example {i} (the data has {len(d.train_x)})"
            return None
        rows: np.ndarray | None  # the training example of each searched point (None: point j is example j)
        own: int | None  # the example's own point, never its own neighbour
        x: Any  # the points searched (a dataset's tensor or the codes' array): an index is kept under its identity
        try:
            if self.space == "data" or session.snapshot is None:  # with no model the data are the vectors
                x, what = d.train_x, "examples"
                n, rows, own = len(x), None, i

                def points(at: np.ndarray | None) -> torch.Tensor:
                    chosen = x if at is None else x[torch.from_numpy(at)]
                    if chosen.dtype == torch.uint8:  # the search needs them as floats: 4 bytes each, all at once
                        check_fits(chosen.numel() * 4, f"searching {len(chosen):,} examples in data space")
                    return as_float(chosen.reshape(len(chosen), -1))

                query = points(np.array([i]))
            else:
                codes = session.codes()
                if codes is None:
                    model = session.snapshot
                    self.message = (model.why_not("encode") if model is not None else "") or "no model to encode with"
                    return None
                x, what = codes.train, "codes"
                n, rows = len(x), codes.train_index

                def points(at: np.ndarray | None) -> torch.Tensor:
                    return torch.from_numpy(x if at is None else x[at]).float()

                at = np.flatnonzero(rows == i)
                if len(at):  # the example is among the coded rows: it is not its own neighbour
                    own = int(at[0])
                    query = points(at[:1])
                else:  # a training run codes a subset only: code the example itself
                    own = None
                    query = session.require_snapshot().encode(d.floats("train", slice(i, i + 1))).float()
            allowed = None if keep is None else (keep if rows is None else keep[rows])
            kept = n if allowed is None else int(np.count_nonzero(allowed))
            if kept <= search_core.EXACT_LIMIT:
                at_kept = None if allowed is None else np.flatnonzero(allowed)
                if at_kept is None:
                    mine = None if own is None else torch.tensor([own])
                else:
                    where = np.flatnonzero(at_kept == own) if own is not None else np.zeros(0, dtype=np.int64)
                    mine = torch.from_numpy(where) if len(where) else None
                idx, dist = nearest(points(at_kept), query, self.k, exclude_self_rows=mine)
                found_at = idx[0].numpy() if at_kept is None else at_kept[idx[0].numpy()]
                method = EXACT
            else:
                key = (self.space if session.snapshot is not None else "data", identity(x))
                index = self.indexes.get(key)
                if index is None:
                    self.request = IndexRequest(key, n, what, lambda report, cancelled: ApproximateIndex.build(
                        points(None), report, cancelled))
                    self.message = self.request.describe()
                    return None
                self.indexes.move_to_end(key)
                idx, dist = index.query(query, self.k, None if own is None else torch.tensor([own]), allowed)
                good = idx[0].numpy() >= 0
                found_at, dist = idx[0].numpy()[good], dist[:, torch.from_numpy(good)]
                method = index.method
        except (NeighbourError, DataError) as e:
            self.message = str(e)
            return None
        indices = found_at if rows is None else rows[found_at]
        self.found = Found(i, self.space, tuple(int(j) for j in indices), tuple(float(v) for v in dist[0]), method)
        return self.found
