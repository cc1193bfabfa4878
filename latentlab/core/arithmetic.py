"""Latent arithmetic (Latent Space Cartography, Liu et al. 2019): an attribute vector between two groups of
codes, the difference of their means, and points moved along it."""

from __future__ import annotations

import torch
from torch import Tensor


def attribute_vector(codes_a: Tensor, codes_b: Tensor) -> tuple[Tensor, Tensor]:
    """(mean of A, mean of B − mean of A) for [n, d] codes: A's mean + 1 × the vector is B's mean."""
    if not len(codes_a) or not len(codes_b):
        raise ValueError("both groups need at least one code")
    origin = codes_a.float().mean(0)
    return origin, codes_b.float().mean(0) - origin


def along(points: Tensor, vector: Tensor, amount: float) -> Tensor:
    """[n, d] points (or one [d] point) moved by `amount` × vector."""
    return points + amount * vector


def steps(origin: Tensor, vector: Tensor, amounts) -> Tensor:
    """[len(amounts), d]: the origin moved by each amount."""
    a = torch.as_tensor(list(amounts), dtype=torch.float32)[:, None]
    return origin[None] + a * vector[None]
