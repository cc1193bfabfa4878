"""A generated colour dataset with known factors: one shape per image on black, drawn in numpy.

Each image shows a square, circle, triangle, heart or cross of one hue, scale, position and rotation,
drawn on the fly (2x2 supersampled for smooth edges), the same for the same seed, with no files and no PIL.
The shape is the label; every factor is also a metadata column (numbers as text, like a CSV's columns),
so the scatter can be coloured by each true factor and codes.csv carries them.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from latentlab.core.data.base import DataError, Dataset, split_meta, split_rows

SHAPES = ("square", "circle", "triangle", "heart", "cross")
FACTORS = ("shape", "hue", "scale", "x", "y", "rotation")
SIDES = (32, 64)
MAX_N = 200_000
SCALE_RANGE = (0.5, 1.0)  # the shape's radius is scale * RADIUS of the image side
POSITION_RANGE = (0.3, 0.7)  # the centre's x and y, as fractions of the side
RADIUS = 0.28
SUPERSAMPLE = 2
CHUNK = 512


def _inside(shape: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Whether the points (u, v) of the shape's own frame (radius about 1, v up) lie inside it."""
    if shape == 0:  # square
        return np.maximum(np.abs(u), np.abs(v)) <= 0.8
    if shape == 1:  # circle
        return u * u + v * v <= 1.0
    if shape == 2:  # equilateral triangle, apex up, circumradius 1
        out = np.full(u.shape, -np.inf)
        for k in range(3):
            a = math.pi / 2 + math.pi + k * 2 * math.pi / 3  # outward normals of the three sides
            out = np.maximum(out, u * math.cos(a) + v * math.sin(a))
        return out <= 0.5
    if shape == 3:  # heart: (x^2 + y^2 - 1)^3 <= x^2 y^3
        x, y = u * 1.15, v * 1.15 + 0.15
        return (x * x + y * y - 1) ** 3 - x * x * y ** 3 <= 0
    return ((np.abs(u) <= 1.0) & (np.abs(v) <= 0.33)) | ((np.abs(u) <= 0.33) & (np.abs(v) <= 1.0))  # cross


def hue_to_rgb(hue: np.ndarray, saturation: float = 0.85, value: float = 1.0) -> np.ndarray:
    """HSV colours [N, 3] in [0, 1] from hues in [0, 1)."""
    h = (hue % 1.0) * 6
    c = value * saturation
    x = c * (1 - np.abs(h % 2 - 1))
    zero = np.zeros_like(h)
    sector = np.floor(h).astype(int) % 6
    table = [(c + zero, x, zero), (x, c + zero, zero), (zero, c + zero, x),
             (zero, x, c + zero), (x, zero, c + zero), (c + zero, zero, x)]
    rgb = np.zeros((len(h), 3))
    for s, (r, g, b) in enumerate(table):
        rows = sector == s
        rgb[rows] = np.stack([r[rows], g[rows], b[rows]], 1)
    return rgb + (value - c)


def draw_shapes(shape: np.ndarray, hue: np.ndarray, scale: np.ndarray, x: np.ndarray, y: np.ndarray,
                rotation: np.ndarray, side: int = 32, dtype: type = np.float32) -> np.ndarray:
    """Images [N, 3, side, side] for N factor values (rotation in degrees): float32 in [0, 1], or with
    dtype=np.uint8 pixels 0..255 (rounded a chunk at a time: no full-size float copy)."""
    n = len(shape)
    fine = side * SUPERSAMPLE
    grid = ((np.arange(fine) + 0.5) / fine).astype(np.float32)
    x, y, scale, rotation = (np.asarray(v, np.float32) for v in (x, y, scale, rotation))
    px, py = grid[None, None, :], grid[None, :, None]
    out: np.ndarray = np.zeros((n, 3, side, side), dtype)
    colour = hue_to_rgb(hue)
    for start in range(0, n, CHUNK):
        rows = slice(start, min(n, start + CHUNK))
        r = (scale[rows] * RADIUS)[:, None, None]
        dx, dy = px - x[rows][:, None, None], -(py - y[rows][:, None, None])  # v points up the image
        a = np.deg2rad(rotation[rows])[:, None, None]
        u = (dx * np.cos(a) + dy * np.sin(a)) / r
        v = (-dx * np.sin(a) + dy * np.cos(a)) / r
        cover = np.zeros((len(shape[rows]), fine, fine), bool)
        for s in range(len(SHAPES)):
            pick = shape[rows] == s
            if pick.any():
                cover[pick] = _inside(s, u[pick], v[pick])
        alpha = cover.reshape(-1, side, SUPERSAMPLE, side, SUPERSAMPLE).mean((2, 4))
        pixels = alpha[:, None] * colour[rows][:, :, None, None]
        out[rows] = np.rint(pixels * 255) if dtype == np.uint8 else pixels
    return out


def factor_values(n: int, seed: int) -> dict[str, np.ndarray]:
    """n draws of every factor, uniform over its range, the same for the same seed."""
    rng = np.random.default_rng(seed)
    return {"shape": rng.integers(0, len(SHAPES), n), "hue": rng.random(n),
            "scale": rng.uniform(*SCALE_RANGE, n), "x": rng.uniform(*POSITION_RANGE, n),
            "y": rng.uniform(*POSITION_RANGE, n), "rotation": rng.uniform(0, 360, n)}


def load_shapes(n: int = 10_000, size: int = 32, seed: int = 0) -> Dataset:
    """n images of size x size (32 or 64) with their factors: the label is the shape; hue, scale, x, y and
    rotation (degrees) are numeric metadata columns, and "shape" the shape's name."""
    n, size = int(n), int(size)
    if not 2 <= n <= MAX_N:
        raise DataError(f"the shapes dataset takes n from 2 to {MAX_N:,}, got {n}")
    if size not in SIDES:
        raise DataError(f"the shapes dataset is drawn {' or '.join(map(str, SIDES))} pixels a side, not {size}")
    f = factor_values(n, seed)
    x = torch.from_numpy(draw_shapes(f["shape"], f["hue"], f["scale"], f["x"], f["y"], f["rotation"], size,
                                     dtype=np.uint8))
    y = torch.from_numpy(f["shape"].astype(np.int64))
    meta = {"shape": [SHAPES[i] for i in f["shape"].tolist()],
            **{k: [f"{v:.4g}" for v in f[k].tolist()] for k in FACTORS[1:]}}
    train, test = split_rows(n, seed=seed)
    train_meta, test_meta = split_meta(meta, train, test)
    return Dataset("shapes", "image", x[train], x[test], y[train], y[test], SHAPES,
                   options={"n": n, "size": size, "seed": seed},
                   notes="factors: shape (the label), hue, scale, x, y, rotation (metadata columns)",
                   train_meta=train_meta, test_meta=test_meta)
