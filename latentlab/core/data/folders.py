"""Datasets read from local folders: IDX files (MNIST and its kin, as torchvision stores them) and image folders
(subfolders as classes, torchvision ImageFolder's convention; colour kept, greyscale detected)."""

from __future__ import annotations

import gzip
import os
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from latentlab.core.data.base import DataError, Dataset, split

IDX_FILES = {
    "train_x": "train-images-idx3-ubyte",
    "train_y": "train-labels-idx1-ubyte",
    "test_x": "t10k-images-idx3-ubyte",
    "test_y": "t10k-labels-idx1-ubyte",
}
FASHION_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}
MAX_SIDE = 64  # the default image size is the most common one, scaled down to at most this a side
MAX_PIXELS = 50_000_000  # a larger image is refused unread (a decompression bomb, or a photo far beyond need)
IDX_TYPES: dict[int, str] = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def available_memory() -> int:
    """Bytes of memory free now (a generous guess where the system cannot say)."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 1 << 40


def check_fits(nbytes: int, what: str) -> None:
    """Refuse, before allocating, data that would not fit in memory."""
    free = available_memory()
    if nbytes > free:
        raise DataError(f"{what} would take {nbytes / 2**30:.1f} GiB of memory; {free / 2**30:.1f} GiB is free")


def _candidate_dirs(root: Path, subfolder: str) -> list[Path]:
    # torchvision keeps files in ROOT/MNIST/raw; people also point at the raw folder itself.
    return [root, root / "raw", root / subfolder / "raw", root / subfolder]


def _find_idx(root: Path, subfolder: str, stem: str) -> Path | None:
    for d in _candidate_dirs(root, subfolder):
        for name in (stem, stem + ".gz"):
            if (d / name).is_file():
                return d / name
    return None


def has_idx_files(root: Path) -> bool:
    """Whether `root` (or its raw/, MNIST/raw ... subfolders) holds the training images of an IDX set."""
    return any(_find_idx(root, sub, IDX_FILES["train_x"]) for sub in ("MNIST", "FashionMNIST", "KMNIST"))


def read_idx(path: Path) -> torch.Tensor:
    """An IDX file (plain or .gz), its header checked against its length before any allocation."""
    bad = f"{path} is not a valid IDX file"
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            head = f.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in IDX_TYPES or not 1 <= head[3] <= 4:
                raise DataError(f"{bad}: it does not start with an IDX magic number (00 00 type dims)")
            dims_raw = f.read(4 * head[3])
            if len(dims_raw) < 4 * head[3]:
                raise DataError(f"{bad}: its header is cut short")
            dims = [int.from_bytes(dims_raw[i:i + 4], "big") for i in range(0, len(dims_raw), 4)]
            dtype = np.dtype(IDX_TYPES[head[2]])
            count = int(np.prod(dims, dtype=np.int64)) if dims else 0
            need = count * dtype.itemsize
            if path.suffix != ".gz":
                held = os.fstat(f.fileno()).st_size - 4 - 4 * head[3]
                if held < need:
                    raise DataError(f"{bad}: its header claims {dims[0]:,} items of shape {tuple(dims[1:])} "
                                    f"({need:,} bytes) but the file holds {held:,} bytes")
            check_fits(need, str(path))
            raw = f.read(need)  # a .gz is read up to what the header claims, never beyond
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise DataError(f"{bad}: {e or type(e).__name__}") from None
    if len(raw) < need:
        raise DataError(f"{bad}: its header claims {dims[0]:,} items of shape {tuple(dims[1:])} ({need:,} bytes) "
                        f"but the file holds {len(raw):,} bytes")
    return torch.from_numpy(np.frombuffer(raw, dtype=dtype).astype(dtype.newbyteorder("="), copy=True)
                            .reshape(dims))


def load_mnist_folder(folder: str | Path, name: str = "mnist", class_names: tuple[str, ...] | None = None,
                      subfolder: str | None = None) -> Dataset:
    """MNIST or a set in its format (Fashion-MNIST, KMNIST, EMNIST) from the four IDX files in `folder`."""
    root = Path(folder).expanduser()
    subfolder = subfolder or ("FashionMNIST" if name == "fashion-mnist" else "MNIST")
    if not root.is_dir():
        raise DataError(f"{name}: folder {root} does not exist")
    found = {key: _find_idx(root, subfolder, stem) for key, stem in IDX_FILES.items()}
    missing = [IDX_FILES[k] for k, p in found.items() if p is None]
    if missing:
        where = ", ".join(str(d) for d in _candidate_dirs(root, subfolder))
        raise DataError(f"{name}: missing {', '.join(missing)} (plain or .gz) in any of: {where}")
    t = {key: read_idx(path) for key, path in found.items() if path is not None}
    for part in ("train", "test"):
        if t[f"{part}_x"].dim() != 3 or t[f"{part}_y"].dim() != 1 or len(t[f"{part}_x"]) != len(t[f"{part}_y"]):
            raise DataError(f"{name}: {part} images {tuple(t[f'{part}_x'].shape)} and labels "
                            f"{tuple(t[f'{part}_y'].shape)} do not match")
    images = {k: (t[k] if t[k].dtype == torch.uint8 else t[k].float().div_(255.0)).unsqueeze(1)
              for k in ("train_x", "test_x")}  # uint8 kept as read (as_float per batch): no copy
    labels = {k: t[k].long() for k in ("train_y", "test_y")}
    if class_names is None:
        class_names = FASHION_NAMES if name == "fashion-mnist" else tuple(
            str(i) for i in range(int(max(labels["train_y"].max(), labels["test_y"].max())) + 1))
    return Dataset(name, "image", images["train_x"], images["test_x"], labels["train_y"], labels["test_y"],
                   class_names, options={"folder": str(root), "scale": "pixels / 255"})


def _default_size(sizes: list[tuple[int, int]]) -> tuple[int, int]:
    """The most common (height, width), scaled down (keeping its shape) to at most MAX_SIDE a side."""
    (w, h), _ = Counter(sizes).most_common(1)[0]
    scale = min(1.0, MAX_SIDE / max(w, h))
    return max(1, round(h * scale)), max(1, round(w * scale))


def suggested_size(folder: str | Path, limit: int = 500) -> tuple[int, int] | None:
    """The (height, width) a folder's images get by default (headers of up to `limit` images); None if none."""
    from PIL import Image

    sizes: list[tuple[int, int]] = []
    for path in sorted(Path(folder).expanduser().rglob("*")):
        if len(sizes) >= limit:
            break
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
            try:
                with Image.open(path) as im:
                    sizes.append(im.size)
            except Exception:  # noqa: BLE001 (any unreadable file is simply not counted here)
                continue
    return _default_size(sizes) if sizes else None


def load_image_folder(folder: str | Path, size: int | None = None, seed: int = 0, height: int | None = None,
                      width: int | None = None, channels: int | None = None) -> Dataset:
    """Every image below `folder`, resized to size x size (default: the most common size, at most 64 a side);
    subfolders become class labels. Colour stays colour unless every image is grey (or channels=1).

    Unreadable files and images over MAX_PIXELS are skipped and counted in `notes`; a folder with no
    readable image is an error. Headers are read first, so nothing is allocated for a hopeless folder."""
    from PIL import Image, UnidentifiedImageError

    root = Path(folder).expanduser()
    if not root.is_dir():
        raise DataError(f"image folder {root} does not exist")
    if size is not None:
        height = width = size
    for side in (height, width):
        if side is not None and not 4 <= side <= 256:
            raise DataError(f"image size must be between 4 and 256 pixels, got {side}")
    if channels not in (None, 1, 3):
        raise DataError(f"images have 1 (grey) or 3 (colour) channels, not {channels}")
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                   and not any(part.startswith(".") for part in p.relative_to(root).parts))
    readable, sizes, skipped, too_big = [], [], [], []
    for path in files:  # headers only: sizes, and the files Pillow cannot even identify
        try:
            with Image.open(path) as im:
                w, h = im.size
        except Image.DecompressionBombError:  # Pillow refuses the header of one far over its limit
            too_big.append(path.name)
            continue
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            skipped.append(path.name)
            continue
        if w * h > MAX_PIXELS or w < 1 or h < 1:
            too_big.append(f"{path.name} ({w}x{h})")
            continue
        readable.append(path)
        sizes.append((w, h))
    if not readable:
        others = sum(1 for p in root.rglob("*") if p.is_file()) - len(files)
        raise DataError(f"no readable images in {root} (looked for {', '.join(sorted(IMAGE_SUFFIXES))}; "
                        f"{others} other file(s), {len(skipped)} unreadable, {len(too_big)} too large)")
    if height is None or width is None:
        height, width = _default_size(sizes)
    check_fits(len(readable) * 3 * height * width * 2, f"{len(readable):,} images of {width}x{height}")
    pixels = np.empty((len(readable), height, width, 3), dtype=np.uint8)
    class_of, n = [], 0
    for path in readable:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(path) as im:
                    im.draft("RGB", (width, height))  # JPEGs decode at a reduced scale when they can
                    rgb = im.convert("RGB").resize((width, height), Image.Resampling.BILINEAR)
                    pixels[n] = np.asarray(rgb, dtype=np.uint8)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
                Image.DecompressionBombWarning):
            skipped.append(path.name)
            continue
        rel = path.relative_to(root)
        class_of.append(rel.parts[0] if len(rel.parts) > 1 else "")
        n += 1
    if n == 0:
        raise DataError(f"no readable images in {root}: all {len(skipped)} image file(s) failed to decode")
    grey = channels == 1 or (channels is None and bool(
        (pixels[:n, ..., 0] == pixels[:n, ..., 1]).all() and (pixels[:n, ..., 1] == pixels[:n, ..., 2]).all()))
    kept = pixels[:n, ..., :1] if grey else pixels[:n]
    x = torch.from_numpy(np.ascontiguousarray(kept.transpose(0, 3, 1, 2)))  # uint8, as_float per batch
    del pixels, kept
    classes = tuple(sorted(set(class_of)))
    y = torch.tensor([classes.index(c) for c in class_of]) if len(classes) > 1 else None
    train_x, train_y, test_x, test_y = split(x, y, seed=seed)
    notes = []
    if skipped:
        notes.append(f"skipped {len(skipped)} unreadable file(s): {', '.join(skipped[:5])}"
                     + (", …" if len(skipped) > 5 else ""))
    if too_big:
        notes.append(f"refused {len(too_big)} image(s) over {MAX_PIXELS:,} pixels (a decompression bomb?): "
                     f"{', '.join(too_big[:3])}" + (", …" if len(too_big) > 3 else ""))
    if len(set(sizes)) > 1:
        notes.append(f"images of {len(set(sizes))} different sizes, all resized to {width}x{height}")
    return Dataset(f"folder:{root.name}", "image", train_x, test_x, train_y, test_y,
                   classes if y is not None else (),
                   options={"folder": str(root), "size": height if height == width else None, "height": height,
                            "width": width, "channels": 1 if grey else 3, "seed": seed},
                   notes="; ".join(notes))
