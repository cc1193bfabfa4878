"""Latent codes of the dataset under the current snapshot, and the subset followed during training."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass

import numpy as np
import torch

from latentlab.core.latent import encode_in_batches

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


class CodesAhead:
    """The codes of `inputs` (the train and the test examples) under `model`, encoded in a thread of its own
    so that the caller's thread goes on meanwhile (torch releases the GIL while it computes): a window builds
    and paints as its first codes are made. The thread encodes with a copy of the weights, so weights loaded
    into `model` meanwhile cannot tear what it reads (those codes are dropped: Session.forget_codes)."""

    def __init__(self, model: torch.nn.Module, *inputs: torch.Tensor):
        self._cancelled = False
        self._codes: tuple[np.ndarray, ...] | None = None
        work = (copy.deepcopy(model), inputs)
        self._thread = threading.Thread(target=self._encode, args=work, name="latentlab-codes-ahead", daemon=True)
        self._thread.start()

    def _encode(self, model, inputs: tuple[torch.Tensor, ...]) -> None:
        try:
            with torch.no_grad():  # per thread
                self._codes = tuple(encode_in_batches(model, x, cancelled=lambda: self._cancelled) for x in inputs)
        except Exception:  # noqa: BLE001 (cancelled, or a failure that encoding again reports where it is asked)
            self._codes = None

    def cancel(self, wait_s: float = 0.0) -> None:
        """Stop at the next batch; `wait_s`: wait that long for the thread to end (at quit: an interpreter that
        shuts down under a thread inside torch can crash)."""
        self._cancelled = True
        if wait_s > 0:
            self._thread.join(wait_s)

    def result(self) -> tuple[np.ndarray, ...] | None:
        """The codes, once encoded (waiting for them); None if the encoding failed or was cancelled."""
        self._thread.join()
        return self._codes
