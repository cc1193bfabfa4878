"""The scatter's non-linear projections (UMAP, t-SNE), fitted once per set of codes and kept.

A fit is keyed by what it was fitted on: the projection's parameters and a content hash of the training
codes (core/projections.py fingerprint). New weights or new data give other codes, so another key: a
cached fit can never be shown for codes it was not fitted on, and going back to earlier codes (PCA, then
UMAP again; or the same snapshot reopened) finds the fit at once.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

from latentlab.core.projections import NONLINEAR, NonlinearProjection, ProjectionParams, fingerprint

if TYPE_CHECKING:
    from latentlab.state.codes import Codes
    from latentlab.state.session import Session

CACHE_SIZE = 4

Key = tuple[ProjectionParams, str]


class ProjectionCache:
    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._fits: OrderedDict[Key, NonlinearProjection] = OrderedDict()
        self._last: tuple[weakref.ref, str] | None = None

    def key(self, codes: np.ndarray, params: ProjectionParams) -> Key:
        """The codes' hash is remembered for the same array object (the session makes a new one whenever the
        codes change and never writes into one), so a redraw of 70,000 codes does not hash them again."""
        last = self._last
        if last is None or last[0]() is not codes:
            self._last = last = (weakref.ref(codes), fingerprint(codes))
        return params, last[1]

    def get(self, key: Key) -> NonlinearProjection | None:
        fit = self._fits.get(key)
        if fit is not None:
            self._fits.move_to_end(key)
        return fit

    def put(self, key: Key, fit: NonlinearProjection) -> None:
        self._fits[key] = fit
        self._fits.move_to_end(key)
        while len(self._fits) > self.size:
            self._fits.popitem(last=False)

    def clear(self) -> None:
        self._fits.clear()

    def __len__(self) -> int:
        return len(self._fits)


def explored_codes(session: Session) -> Codes | None:
    """What the scatter projects: the model's codes, or, with no model, the data's own vectors."""
    if session.snapshot is None and session.dataset is not None:
        return session.vectors()
    return session.codes()


def wanted(session: Session, kind: str, cache: ProjectionCache,
           params: ProjectionParams | None = None) -> tuple[Key, NonlinearProjection | None] | None:
    """For the scatter's choice `kind`: the key of the fit it needs and that fit if cached; None when the
    choice is not a non-linear projection or there is nothing above 2-D to project."""
    if kind not in NONLINEAR:
        return None
    codes = explored_codes(session)
    if codes is None or codes.dim <= 2 or len(codes.train) < 5:
        return None
    key = cache.key(codes.train, params or ProjectionParams(kind))
    return key, cache.get(key)
