"""2-D toy distributions generated in code, each with a noise level and a seed."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from latentlab.core.data.base import Dataset, split

Generated = tuple[Tensor, Tensor | None, tuple[str, ...]]


def ring_of_gaussians(n: int, noise: float, g: torch.Generator, k: int = 8, radius: float = 2.0) -> Generated:
    label = torch.randint(0, k, (n,), generator=g)
    angle = label.float() * (2 * math.pi / k)
    centre = torch.stack([angle.cos(), angle.sin()], 1) * radius
    return centre + noise * torch.randn(n, 2, generator=g), label, tuple(f"mode {i}" for i in range(k))


def two_moons(n: int, noise: float, g: torch.Generator) -> Generated:
    label = torch.randint(0, 2, (n,), generator=g)
    t = torch.rand(n, generator=g) * math.pi
    upper = torch.stack([t.cos(), t.sin()], 1)
    lower = torch.stack([1 - t.cos(), 0.5 - t.sin()], 1)
    x = torch.where(label[:, None] == 0, upper, lower) - torch.tensor([0.5, 0.25])
    return x + noise * torch.randn(n, 2, generator=g), label, ("upper moon", "lower moon")


def concentric_circles(n: int, noise: float, g: torch.Generator) -> Generated:
    label = torch.randint(0, 2, (n,), generator=g)
    t = torch.rand(n, generator=g) * 2 * math.pi
    r = torch.where(label == 0, 2.0, 1.0)
    x = torch.stack([t.cos(), t.sin()], 1) * r[:, None]
    return x + noise * torch.randn(n, 2, generator=g), label, ("outer", "inner")


def swiss_roll(n: int, noise: float, g: torch.Generator) -> Generated:
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=g))
    x = torch.stack([t * t.cos(), t * t.sin()], 1) / 5.0
    return x + noise * torch.randn(n, 2, generator=g), None, ()


def spiral(n: int, noise: float, g: torch.Generator) -> Generated:
    label = torch.randint(0, 2, (n,), generator=g)
    t = torch.sqrt(torch.rand(n, generator=g)) * 3 * math.pi
    sign = 1.0 - 2.0 * label.float()
    x = torch.stack([t * t.cos(), t * t.sin()], 1) * sign[:, None] / 3.0
    return x + noise * torch.randn(n, 2, generator=g), label, ("arm A", "arm B")


def checkerboard(n: int, noise: float, g: torch.Generator) -> Generated:
    # Uniform on the black squares of a 4x4 board over [-2, 2]^2.
    x1 = torch.rand(n, generator=g) * 4 - 2
    x2_ = torch.rand(n, generator=g) - torch.randint(0, 2, (n,), generator=g).float() * 2
    x2 = x2_ + (torch.floor(x1) % 2)
    x = torch.stack([x1, x2], 1)
    return x + noise * torch.randn(n, 2, generator=g), None, ()


TOY_GENERATORS = {
    "ring8": (ring_of_gaussians, "Gaussian mixture: a ring of 8 modes", 0.1),
    "moons": (two_moons, "Two interleaved half circles", 0.05),
    "circles": (concentric_circles, "Two concentric circles", 0.05),
    "swissroll": (swiss_roll, "A 2-D swiss roll", 0.05),
    "spiral": (spiral, "Two interleaved spiral arms", 0.05),
    "checkerboard": (checkerboard, "Uniform on a 4x4 checkerboard's black squares", 0.0),
}


def load_toy(name: str, n: int = 4000, noise: float | None = None, seed: int = 0) -> Dataset:
    generate, _, default_noise = TOY_GENERATORS[name]
    noise = default_noise if noise is None else float(noise)
    if n < 2 or noise < 0:
        raise ValueError(f"a toy dataset needs n >= 2 and noise >= 0, got n={n}, noise={noise}")
    x, y, classes = generate(n, noise, torch.Generator().manual_seed(seed))
    train_x, train_y, test_x, test_y = split(x.float(), y, seed=seed)
    return Dataset(name, "points", train_x, test_x, train_y, test_y, classes,
                   options={"n": n, "noise": noise, "seed": seed})
