"""Writing model output as pictures: image grids (torchvision) and 2-D point clouds (Pillow)."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import Tensor


def image_grid(images: Tensor, nrow: int | None = None, padding: int = 2) -> Tensor:
    """[N, C, H, W] in [0, 1] -> one [C, H', W'] grid (torchvision's make_grid layout, white padding).

    Written here rather than imported: `import torchvision` pulls in torch._dynamo, ~2 s of a
    cold start that only needs to tile a few images (bench/startup.py).
    """
    images = images.detach().float().cpu().clamp(0, 1)
    n, c, h, w = images.shape
    nrow = min(n, nrow or max(1, math.ceil(math.sqrt(n))))
    rows = math.ceil(n / nrow)
    grid = torch.ones(c, rows * (h + padding) + padding, nrow * (w + padding) + padding)
    for k in range(n):
        r, col = divmod(k, nrow)
        top, left = padding + r * (h + padding), padding + col * (w + padding)
        grid[:, top:top + h, left:left + w] = images[k]
    return grid


def save_image_grid(images: Tensor, path: str | Path, nrow: int | None = None) -> None:
    from PIL import Image

    grid = (image_grid(images, nrow) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    Image.fromarray(grid[..., 0] if grid.shape[2] == 1 else grid).save(str(path))


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
