"""Latent arithmetic's state: two groups of training examples (taken from the scatter's selection), how
far along the attribute vector between them the focus is, and the selection moved along it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch
from psygnal import evented

from latentlab.core.arithmetic import along, attribute_vector
from latentlab.core.settings import setting

if TYPE_CHECKING:
    from latentlab.state.session import Session


@evented
@dataclass
class ArithmeticState:
    amount: float = setting(1.0, label="Along the vector", minimum=-2.0, maximum=3.0, remember=False,
                            help="Where the focus is on the attribute vector: 0 is the mean code of group A, 1 the "
                                 "mean of group B (A's mean + amount × (B's mean − A's mean)); it also moves the "
                                 "selection in \"add to the selection\"")
    a: tuple[int, ...] = field(default=())  # training examples of group A
    b: tuple[int, ...] = field(default=())

    def take(self, group: str, indices) -> None:
        """Group `group` ("a" or "b") is these training examples (the scatter's selection)."""
        setattr(self, group, tuple(int(i) for i in np.asarray(indices).tolist()))

    def clear(self) -> None:
        """The groups belong to the old data (state/app.py: what is reset when it changes)."""
        self.a = self.b = ()

    @property
    def ready(self) -> bool:
        return bool(self.a) and bool(self.b)

    @torch.no_grad()
    def codes(self, session: Session, indices) -> torch.Tensor:
        d, model = session.require_dataset(), session.require_snapshot()
        return model.encode(d.floats("train", torch.as_tensor(list(indices), dtype=torch.long))).float()

    def vector(self, session: Session) -> tuple[torch.Tensor, torch.Tensor] | None:
        """(A's mean code, the attribute vector) under the current model; None until both groups are set."""
        if not self.ready or session.snapshot is None or not session.snapshot.can("encode"):
            return None
        return attribute_vector(self.codes(session, self.a), self.codes(session, self.b))

    def point(self, session: Session) -> torch.Tensor | None:
        """The latent point `amount` along the vector from A's mean."""
        found = self.vector(session)
        return None if found is None else along(found[0], found[1], self.amount)

    @torch.no_grad()
    def moved(self, session: Session, indices, limit: int = 64) -> torch.Tensor | None:
        """Decodes of the examples' codes plus `amount` × the vector ("add this vector to the selection")."""
        found = self.vector(session)
        if found is None or not len(indices):
            return None
        codes = self.codes(session, list(indices)[:limit])
        return session.decode(along(codes, found[1], self.amount))
