"""Corruption processes C(x~ | x) for denoising autoencoders, each with one strength parameter.

All take an optional torch.Generator so a chain or a training pair can be reproduced exactly.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor


class Corruption:
    kind: ClassVar[str]
    description: ClassVar[str]
    level_name: ClassVar[str]
    max_level: ClassVar[float] = float("inf")

    def __init__(self, level: float):
        level = float(level)
        if not 0 <= level <= self.max_level:
            raise ValueError(f"{self.kind} corruption needs a {self.level_name} in [0, {self.max_level:g}], got {level:g}")
        self.level = level

    def __call__(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.level_name}={self.level:g})"


def _uniform(x: Tensor, generator: torch.Generator | None) -> Tensor:
    return torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)


class GaussianNoise(Corruption):
    """x~ = x + sigma * eps, eps ~ N(0, I): for points and for images (not clipped, so the noise is exact)."""

    kind = "gaussian"
    description = "additive Gaussian noise"
    level_name = "sigma"

    def __call__(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        eps = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        return x + self.level * eps


class SaltAndPepper(Corruption):
    """Each value, with probability p, is replaced by 0 or 1 (a fair coin): for images in [0, 1]."""

    kind = "salt_pepper"
    description = "salt-and-pepper noise"
    level_name = "fraction"
    max_level = 1.0

    def __call__(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        hit = _uniform(x, generator) < self.level
        salt = (_uniform(x, generator) < 0.5).to(x.dtype)
        return torch.where(hit, salt, x)


class MaskingNoise(Corruption):
    """Each value, with probability p, is set to 0: for images."""

    kind = "masking"
    description = "masking noise"
    level_name = "fraction"
    max_level = 1.0

    def __call__(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        return x * (_uniform(x, generator) >= self.level).to(x.dtype)


CORRUPTIONS: dict[str, type[Corruption]] = {c.kind: c for c in (GaussianNoise, SaltAndPepper, MaskingNoise)}
IMAGE_ONLY = ("salt_pepper", "masking")


def make_corruption(kind: str, level: float) -> Corruption:
    try:
        cls = CORRUPTIONS[kind]
    except KeyError:
        raise ValueError(f"unknown corruption {kind!r}; choose one of {', '.join(CORRUPTIONS)}") from None
    return cls(level)
