"""The Dataset every loader returns: tensors loaded once, a fixed split, and metadata.

Image sets are kept as uint8 (0..255, a quarter of float32's memory; a large set memory-mapped from disk) and
turned into floats in [0, 1] a batch at a time where they are used: `as_float(x)`, or `Dataset.floats(split,
rows)`. A few small image sets whose pixels are not multiples of 1/255 (scikit-learn's digits, float arrays in
[0, 1] from a file) stay float32; `as_float` leaves those as they are. Points sets are float32."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor


class DataError(ValueError):
    """A dataset cannot be loaded; the message says what was expected where."""


def as_float(x: Tensor) -> Tensor:
    """Examples as float32 on their device: uint8 images as pixels / 255 (a new tensor), float32 as they are."""
    if x.dtype == torch.uint8:
        return x.float().div_(255.0)
    return x if x.dtype == torch.float32 else x.float()


def as_uint8(x: Tensor) -> Tensor:
    """Float images in [0, 1] as uint8 pixels (rounded), the form a Dataset keeps them in."""
    return x.mul(255.0).round_().clamp_(0, 255).to(torch.uint8)


@dataclass
class Dataset:
    name: str
    kind: str  # "image" ([N, C, H, W] uint8, or float32 in [0, 1]) or "points" ([N, D], float32)
    train_x: Tensor
    test_x: Tensor
    train_y: Tensor | None = None
    test_y: Tensor | None = None
    class_names: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)  # how it was made, for checkpoint metadata
    notes: str = ""  # anything the user should know (e.g. files skipped)
    # Per-row text columns (a CSV's other columns, an npz's names), for hover, colouring and export.
    train_meta: dict[str, list[str]] = field(default_factory=dict)
    test_meta: dict[str, list[str]] = field(default_factory=dict)

    @property
    def data_shape(self) -> tuple[int, ...]:
        return tuple(self.train_x.shape[1:])

    @property
    def likelihood(self) -> str:
        return "bernoulli" if self.kind == "image" else "gaussian"

    @property
    def value_range(self) -> tuple[float, float]:
        scale = 255.0 if self.train_x.dtype == torch.uint8 else 1.0
        return float(self.train_x.min()) / scale, float(self.train_x.max()) / scale

    def floats(self, split: str = "train", rows: Tensor | slice | list[int] | None = None) -> Tensor:
        """Examples of one split ("train" or "test") as float32 (images in [0, 1]): the rows given, else all
        (for a large image set, ask for rows: all of them as floats is four times its uint8 size)."""
        x = self.train_x if split == "train" else self.test_x
        if isinstance(rows, list):
            rows = torch.as_tensor(rows, dtype=torch.long)
        return as_float(x if rows is None else x[rows])

    @property
    def has_labels(self) -> bool:
        return self.train_y is not None

    def describe(self) -> str:
        shape = "x".join(str(s) for s in self.data_shape)
        return f"{self.name}: {len(self.train_x)} train / {len(self.test_x)} test, {self.kind} {shape}"


def split_rows(n: int, test_fraction: float = 0.1, seed: int = 0) -> tuple[Tensor, Tensor]:
    """The train and test rows of a deterministic shuffled split of n examples."""
    if n < 2:
        raise DataError(f"need at least 2 examples to split into train and test, got {n}")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_test = min(n - 1, max(1, round(n * test_fraction)))
    return order[n_test:], order[:n_test]


def split_meta(meta: dict[str, list[str]], train: Tensor, test: Tensor) -> tuple[dict, dict]:
    """Per-row metadata columns split like the rows."""
    return ({k: [v[i] for i in train.tolist()] for k, v in meta.items()},
            {k: [v[i] for i in test.tolist()] for k, v in meta.items()})


def split(x: Tensor, y: Tensor | None, test_fraction: float = 0.1, seed: int = 0):
    """Deterministic shuffled split: the same seed always gives the same train/test sets."""
    train, test = split_rows(len(x), test_fraction, seed)
    def pick(t, idx):
        return (None if t is None else t[idx])
    return x[train], pick(y, train), x[test], pick(y, test)
