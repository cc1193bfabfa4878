"""Writing model output as pictures: image grids (torchvision) and 2-D point clouds (Pillow)."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import Tensor


def image_grid(images: Tensor, nrow: int | None = None, padding: int = 2) -> Tensor:
    """[N, C, H, W] in [0, 1] -> one [C, H', W'] grid, near-square by default."""
    from torchvision.utils import make_grid

    nrow = nrow or max(1, math.ceil(math.sqrt(len(images))))
    return make_grid(images.detach().float().cpu().clamp(0, 1), nrow=nrow, padding=padding, pad_value=1.0)


def save_image_grid(images: Tensor, path: str | Path, nrow: int | None = None) -> None:
    from torchvision.utils import save_image

    save_image(image_grid(images, nrow), str(path))


def save_points_png(points: Tensor, path: str | Path, size: int = 512, reference: Tensor | None = None) -> None:
    """A scatter of 2-D points (and, in grey, optional reference points) as a PNG."""
    from PIL import Image, ImageDraw

    pts = points.detach().float().cpu()
    if pts.dim() != 2 or pts.shape[1] != 2:
        raise ValueError(f"can only draw 2-D points, got shape {tuple(pts.shape)}")
    everything = pts if reference is None else torch.cat([pts, reference.float().cpu()])
    lo, hi = everything.min(0).values, everything.max(0).values
    scale = (size - 20) / float((hi - lo).max().clamp_min(1e-9))
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)

    def dots(p: Tensor, colour: str) -> None:
        for x, y in ((p - lo) * scale + 10).tolist():
            draw.ellipse([x - 2, size - y - 2, x + 2, size - y + 2], fill=colour)

    if reference is not None:
        dots(reference.float().cpu(), "#bbbbbb")
    dots(pts, "#1f77b4")
    image.save(str(path))
