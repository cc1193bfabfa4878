"""Datasets read from local folders: MNIST / Fashion-MNIST IDX files (never downloaded) and image folders."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

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


def _candidate_dirs(root: Path, subfolder: str) -> list[Path]:
    # torchvision keeps files in ROOT/MNIST/raw; people also point at the raw folder itself.
    return [root, root / "raw", root / subfolder / "raw", root / subfolder]


def _find_idx(root: Path, subfolder: str, stem: str) -> Path | None:
    for d in _candidate_dirs(root, subfolder):
        for name in (stem, stem + ".gz"):
            if (d / name).is_file():
                return d / name
    return None


def _read_idx(path: Path) -> torch.Tensor:
    from torchvision.datasets.mnist import read_sn3_pascalvincent_tensor

    try:
        if path.suffix == ".gz":
            with gzip.open(path) as f, tempfile.NamedTemporaryFile(suffix=".idx") as tmp:
                tmp.write(f.read())
                tmp.flush()
                return read_sn3_pascalvincent_tensor(tmp.name, strict=True).clone()
        return read_sn3_pascalvincent_tensor(str(path), strict=True)
    except (AssertionError, RuntimeError, ValueError, KeyError, OSError, EOFError) as e:
        raise DataError(f"{path} is not a valid IDX file (truncated or corrupt): {e or type(e).__name__}") from None


def load_mnist_folder(folder: str | Path, name: str = "mnist") -> Dataset:
    """MNIST or Fashion-MNIST from the four IDX files in `folder` (as torchvision stores them)."""
    root = Path(folder).expanduser()
    subfolder = "FashionMNIST" if name == "fashion-mnist" else "MNIST"
    if not root.is_dir():
        raise DataError(f"{name}: folder {root} does not exist")
    found = {key: _find_idx(root, subfolder, stem) for key, stem in IDX_FILES.items()}
    missing = [IDX_FILES[k] for k, p in found.items() if p is None]
    if missing:
        where = ", ".join(str(d) for d in _candidate_dirs(root, subfolder))
        raise DataError(f"{name}: missing {', '.join(missing)} (plain or .gz) in any of: {where}")
    t = {key: _read_idx(path) for key, path in found.items() if path is not None}
    for part in ("train", "test"):
        if t[f"{part}_x"].dim() != 3 or len(t[f"{part}_x"]) != len(t[f"{part}_y"]):
            raise DataError(f"{name}: {part} images {tuple(t[f'{part}_x'].shape)} and labels "
                            f"{tuple(t[f'{part}_y'].shape)} do not match")
    images = {k: t[k].float().div_(255.0).unsqueeze(1) for k in ("train_x", "test_x")}  # in place: no second copy
    classes = FASHION_NAMES if name == "fashion-mnist" else tuple(str(i) for i in range(10))
    return Dataset(name, "image", images["train_x"], images["test_x"], t["train_y"].long(), t["test_y"].long(),
                   classes, options={"folder": str(root), "scale": "pixels / 255"})


def load_image_folder(folder: str | Path, size: int = 28, seed: int = 0) -> Dataset:
    """Every image below `folder`, greyscale, resized to size x size; subfolders become class labels.

    Unreadable files are skipped and counted in `notes`; a folder with no readable image is an error.
    """
    from PIL import Image, UnidentifiedImageError

    root = Path(folder).expanduser()
    if not root.is_dir():
        raise DataError(f"image folder {root} does not exist")
    if not 4 <= size <= 256:
        raise DataError(f"image size must be between 4 and 256 pixels, got {size}")
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    images, class_of, skipped = [], [], []
    for path in files:
        try:
            with Image.open(path) as im:
                grey = im.convert("L").resize((size, size), Image.Resampling.BILINEAR)
                images.append(torch.frombuffer(bytearray(grey.tobytes()), dtype=torch.uint8).reshape(size, size))
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            skipped.append(path.name)
            continue
        rel = path.relative_to(root)
        class_of.append(rel.parts[0] if len(rel.parts) > 1 else "")
    if not images:
        others = sum(1 for p in root.rglob("*") if p.is_file()) - len(files)
        raise DataError(f"no readable images in {root} (looked for {', '.join(sorted(IMAGE_SUFFIXES))}; "
                        f"{others} other file(s), {len(skipped)} unreadable)")
    x = torch.stack(images).float().div_(255.0).unsqueeze(1)
    classes = tuple(sorted(set(class_of)))
    y = torch.tensor([classes.index(c) for c in class_of]) if len(classes) > 1 else None
    train_x, train_y, test_x, test_y = split(x, y, seed=seed)
    notes = f"skipped {len(skipped)} unreadable file(s): {', '.join(skipped[:5])}" if skipped else ""
    return Dataset(f"folder:{root.name}", "image", train_x, test_x, train_y, test_y,
                   classes if y is not None else (), options={"folder": str(root), "size": size, "seed": seed},
                   notes=notes)
