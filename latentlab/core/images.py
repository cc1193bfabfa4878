"""Writing model output as pictures: image grids (torchvision) and 2-D point clouds (Pillow)."""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import torch
from torch import Tensor


def image_grid(images: Tensor, nrow: int | None = None, padding: int = 2, pad_value: float = 1.0) -> Tensor:
    """[N, C, H, W] in [0, 1] (or uint8 pixels, a Dataset's images) -> one [C, H', W'] grid (torchvision's
    make_grid layout; padding white unless `pad_value` says otherwise).

    Written here rather than imported: `import torchvision` pulls in torch._dynamo, ~2 s of a
    cold start that only needs to tile a few images (bench/startup.py).
    """
    images = images.detach().cpu()
    images = images.float().div_(255.0) if images.dtype == torch.uint8 else images.float().clamp(0, 1)
    n, c, h, w = images.shape
    nrow = min(n, nrow or max(1, math.ceil(math.sqrt(n))))
    rows = math.ceil(n / nrow)
    grid = torch.full((c, rows * (h + padding) + padding, nrow * (w + padding) + padding), float(pad_value))
    for k in range(n):
        r, col = divmod(k, nrow)
        top, left = padding + r * (h + padding), padding + col * (w + padding)
        grid[:, top:top + h, left:left + w] = images[k]
    return grid


def enlarged(image, scale: int):
    """A Pillow image with each pixel drawn `scale` x `scale` (nearest-neighbour: crisp on a slide)."""
    from PIL import Image

    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST) if scale > 1 else image


def grid_image(images: Tensor, nrow: int | None = None, scale: int = 1):
    """The image_grid layout as a Pillow image, each pixel drawn `scale` x `scale` (nearest)."""
    from PIL import Image

    grid = (image_grid(images, nrow) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    return enlarged(Image.fromarray(grid[..., 0] if grid.shape[2] == 1 else grid), scale)


MAX_SCALE = 16


def default_scale(x: Tensor) -> int:
    """The export scale when none is asked for: 4 for small images (28x28 data: nearest-neighbour
    upscaling keeps the pixels crisp on a slide), 1 for anything else (2-D points, large images)."""
    return 4 if x.dim() == 4 and max(x.shape[-2:]) <= 32 else 1


def check_scale(scale: int) -> int:
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"the scale must be a whole number from 1 to {MAX_SCALE}, not {scale}")
    return scale


def save_image_grid(images: Tensor, path: str | Path, nrow: int | None = None, scale: int | None = None) -> None:
    """The image_grid layout as a picture file, each pixel `scale` x `scale` (default_scale if None)."""
    grid_image(images, nrow, check_scale(default_scale(images) if scale is None else scale)).save(str(path))


def points_image(points: Tensor, size: int = 512, reference: Tensor | None = None,
                 bounds: tuple[Tensor, Tensor] | None = None, title: str = ""):
    """A Pillow scatter of 2-D points in blue over optional reference points in grey, framing `bounds`
    (lo, hi) or else everything drawn; frames of an animation share one `bounds`."""
    from PIL import Image, ImageDraw

    pts = points.detach().float().cpu()
    if pts.dim() != 2 or pts.shape[1] != 2:
        raise ValueError(f"can only draw 2-D points, got shape {tuple(pts.shape)}")
    ref = None if reference is None else reference.detach().float().cpu()
    lo, hi = bounds if bounds is not None else points_bounds(pts, ref)
    scale = (size - 20) / float((hi - lo).max().clamp_min(1e-9))
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)

    def dots(p: Tensor, colour: str) -> None:
        for x, y in ((p - lo) * scale + 10).tolist():
            draw.ellipse([x - 2, size - y - 2, x + 2, size - y + 2], fill=colour)

    if ref is not None:
        dots(ref, "#bbbbbb")
    dots(pts, "#1f77b4")
    if title:
        draw.text((8, 6), title, fill="black")
    return image


def points_bounds(points: Tensor, reference: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """(lo, hi) of the 2-D points and the reference points together: what points_image frames by default."""
    everything = points.float() if reference is None else torch.cat([points.float(), reference.float()])
    return everything.min(0).values, everything.max(0).values


def save_points_png(points: Tensor, path: str | Path, size: int = 512, reference: Tensor | None = None,
                    scale: int = 1) -> None:
    """A scatter of 2-D points (and, in grey, optional reference points) as a PNG, `scale` times larger
    (nearest-neighbour, like the image grids)."""
    enlarged(points_image(points, size, reference), check_scale(scale)).save(str(path))


def side_by_side(images: list):
    """Pillow images of one height in a row."""
    from PIL import Image

    row = Image.new("RGB", (sum(i.width for i in images), max(i.height for i in images)), "white")
    x = 0
    for image in images:
        row.paste(image, (x, 0))
        x += image.width
    return row


# The endings a picture may have: formats Pillow writes for any of our pictures (grey or colour). Pillow lists
# more (.xbm, .h5, .grib, ...), but those refuse our images or need plug-ins it lacks: they would fail only
# after the work.
IMAGE_SUFFIXES = frozenset({".png", ".gif", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp"})


def save_whole(path: str | Path, write: Callable[[Path], None]) -> None:
    """`write(tmp)` into a file beside `path` (same ending, so Pillow picks the same format), renamed onto `path`
    only when complete: a write that fails leaves no half file, and a file already at `path` as it was."""
    path = Path(path)
    if path.is_symlink():  # written where the link points, as a plain open() would, not over the link
        path = path.resolve()
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.part{path.suffix}")
    try:
        write(tmp)
        if path.exists():
            shutil.copymode(path, tmp)  # a file replaced keeps its permissions
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_gif(frames: list, path: str | Path, seconds: float = 2.0, bounce: bool = False) -> None:
    """Pillow images as a looping GIF, `seconds` from the first frame to the last (then as long back again when
    `bounce`: one sweep takes as long as the interpolation dock's Play takes for it)."""
    if not frames:
        raise ValueError("there are no frames to write")
    sequence = frames + frames[-2:0:-1] if bounce else frames
    # bounce: n frames take n - 1 intervals from the first to the last, as Play's slider does from 0 to the end
    intervals = max(1, len(frames) - 1) if bounce else len(frames)
    duration = max(20, int(1000 * seconds / intervals))
    sequence[0].save(str(path), save_all=True, append_images=sequence[1:], duration=duration, loop=0)
