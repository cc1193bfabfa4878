"""The interpolation panel's state: the points of the path and how it is drawn."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from psygnal import evented

from latentlab.core.latent import PATH_KINDS
from latentlab.core.settings import setting


@dataclass(frozen=True)
class Anchor:
    """A point of the path: a dataset example (re-encoded as the model changes) or a fixed latent point."""

    index: int | None = None
    z: torch.Tensor | None = None

    def label(self) -> str:
        return f"#{self.index}" if self.index is not None else "clicked"


@evented
@dataclass
class InterpolationState:
    path: str = setting("linear", label="Path", choices=tuple(PATH_KINDS),
                        help="; ".join(f"{k}: {v}" for k, v in PATH_KINDS.items()))
    frames: int = setting(10, label="Frames", minimum=2, maximum=32, help="Frames in the filmstrip")
    sweep: float = setting(2.0, label="Sweep", minimum=0.2, maximum=20.0, unit="s",
                           help="Seconds Play takes from the start of the path to its end")
    examples: tuple[int, ...] = setting((), label="Examples", kind="ints", minimum=0, optional=True, remember=False,
                                        help="Interpolate between these training examples (indices), "
                                             "replacing the path's points")
    compare: str = setting("", label="Compare with", remember=False,
                           help="A checkpoint whose decoder shows the same examples' interpolation side by side")
    picking: bool = setting(False, label="Pick in scatter", remember=False,
                            help="While on, every click in the latent scatter adds a point to the path")
    anchors: tuple[Anchor, ...] = field(default=())

    def set_examples(self, indices: tuple[int, ...] | None) -> None:
        """The path through these examples, in order (the examples setting, a lesson's interpolate line)."""
        self.anchors = tuple(Anchor(index=int(i)) for i in indices or ())
        self.examples = tuple(int(i) for i in indices or ())

    def add(self, anchor: Anchor) -> None:
        self.anchors = (*self.anchors, anchor)

    def clear(self) -> None:
        self.anchors = ()
        self.examples = ()

    def keep_examples_only(self) -> None:
        """A clicked point belongs to one model's latent space: drop those when the model changes."""
        self.anchors = tuple(a for a in self.anchors if a.index is not None)
