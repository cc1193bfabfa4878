"""Latent codes of the dataset under the current snapshot, and the subset followed during training."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LIVE_CODES = 5000  # while training, the scatter follows a fixed subset; all points once idle


@dataclass
class Codes:
    """Codes (posterior means for a VAE) of the rows `train_index` and `test_index` of the dataset."""

    train: np.ndarray  # [n, d]
    test: np.ndarray
    train_index: np.ndarray
    test_index: np.ndarray

    @property
    def dim(self) -> int:
        return int(self.train.shape[1])


def subset(n: int, limit: int | None) -> np.ndarray:
    """A fixed, sorted choice of at most `limit` of n rows (all of them when they fit)."""
    if limit is None or n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, limit, replace=False))
