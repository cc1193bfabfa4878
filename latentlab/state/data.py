"""The dataset on show and its latent codes under the current snapshot."""

from __future__ import annotations

import numpy as np
import torch

from latentlab.core.data import DataError, Dataset, as_float, load_dataset
from latentlab.core.latent import encode_in_batches
from latentlab.state.base import SessionBase
from latentlab.state.codes import LIVE_CODES, Codes, CodesAhead, subset
from latentlab.state.history import LossHistory


class DataMixin(SessionBase):
    """Part of Session: the dataset (and the folder it came from) and the codes cache."""

    def _init_data(self) -> None:
        self.dataset: Dataset | None = None
        self.dataset_folder: str | None = None
        # How the dataset on show was asked for (a name or a path, its folder, its options), to load it again.
        self.dataset_request: tuple[str, str | None, dict] | None = None
        self._codes: Codes | None = None
        self._live_index: tuple[np.ndarray, np.ndarray] | None = None
        self._vectors: tuple[Dataset, Codes] | None = None  # with no model: the data's vectors (vectors())
        self._ahead: tuple[object, Dataset, CodesAhead] | None = None  # codes being encoded (encode_ahead)

    def set_dataset(self, name: str, folder: str | None = None, rebuild: bool = True,
                    loaded: Dataset | None = None, **options) -> bool:
        """Load a dataset, by name or the path of a file or folder (and, by default, a new model fitting it).

        `options` go to the loader (label_column, size); `loaded` is that dataset, already loaded (by the
        command line, which refuses bad data before the window opens). False, with a message, on failure."""
        self.stop_following()
        if self.state != "idle":
            self.error("stop training before changing the dataset")
            return False
        try:
            dataset = loaded or load_dataset(name, folder=folder, **options)
        except DataError as e:
            self.error(str(e))
            return False
        # A file or folder named as the data is the folder a checkpoint records (and the user chose it).
        self._use_dataset(dataset, folder or dataset.options.get("path") or dataset.options.get("folder"))
        source = dataset.options.get("path") if dataset.name.startswith("file:") else None
        self.dataset_request = (source or name, folder, dict(options))  # a file by its full path
        if dataset.notes:
            self.message.emit("warning", f"{dataset.name}: {dataset.notes}")
        return self.configure_model(self.model_settings, fall_back=True) if rebuild else True

    def _use_dataset(self, dataset: Dataset, folder: str | None) -> None:
        self.dataset, self.dataset_folder = dataset, folder
        self.dataset_request = None  # set_dataset says how, after this
        self.forget_codes()
        self.dataset_changed.emit()

    def forget_codes(self) -> None:
        self._codes = None
        self._drop_ahead()

    def stop_encoding_ahead(self) -> None:
        """At quit: codes still being encoded for the scatter are cancelled, and their thread given 2 s to end."""
        self._drop_ahead(wait_s=2.0)

    def _drop_ahead(self, wait_s: float = 0.0) -> None:
        if self._ahead is not None:
            self._ahead[2].cancel(wait_s)
            self._ahead = None

    def encode_ahead(self) -> None:
        """Start encoding every example under the snapshot in a thread of its own, where codes() would
        encode them (idle, no complete codes): the window builds and paints meanwhile, and codes() takes
        them (waiting if need be). Any change of the weights or the data drops them (forget_codes)."""
        d, model = self.dataset, self.snapshot
        if model is None or d is None or not model.can("encode") or self.state != "idle":
            return
        if self._codes is not None and len(self._codes.train_index) == len(d.train_x):
            return  # complete already
        if self._ahead is not None and self._ahead[0] is model and self._ahead[1] is d:
            return  # on its way
        self._drop_ahead()
        self._ahead = (model, d, CodesAhead(model, d.train_x, d.test_x))

    def _take_ahead(self) -> tuple[np.ndarray, ...] | None:
        """The codes encode_ahead made for the snapshot and data on show, if any (once)."""
        ahead = self._ahead
        if ahead is None or ahead[0] is not self.snapshot or ahead[1] is not self.dataset:
            self._drop_ahead()
            return None
        self._ahead = None
        return ahead[2].result()

    def live_rows(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The fixed train and test rows whose codes a training run sends while it trains."""
        if self.snapshot is None or self.dataset is None or not self.snapshot.can("encode"):
            self._live_index = None
            return None
        d = self.dataset
        self._live_index = (subset(len(d.train_x), LIVE_CODES), subset(len(d.test_x), LIVE_CODES))
        return self._live_index

    def take_live_codes(self, codes: tuple[np.ndarray, np.ndarray] | None) -> None:
        """Codes a run sent with a snapshot; weights without codes mean: encode afresh when asked, once idle."""
        self._drop_ahead()  # the weights moved
        if codes is not None and self._live_index is not None:
            self._codes = Codes(codes[0], codes[1], *self._live_index)
        elif self.state == "idle":
            self._codes = None

    def vectors(self) -> Codes | None:
        """The data's own examples, flattened, as codes to explore with no model (an embedding's vectors)."""
        d = self.dataset
        if d is None:
            return None
        if self._vectors is None or self._vectors[0] is not d:
            tr = as_float(d.train_x.reshape(len(d.train_x), -1)).numpy()
            te = as_float(d.test_x.reshape(len(d.test_x), -1)).numpy()
            self._vectors = (d, Codes(tr, te, np.arange(len(tr)), np.arange(len(te))))
        return self._vectors[1]

    def explore_without_model(self) -> None:
        """Drop the model (none is built): the data's vectors are explored as they are (state/projection.py)."""
        self.stop_following()
        if self.state != "idle":
            self.error("stop training before closing the model")
            return
        self.trainer, self.snapshot, self.checkpoint_path, self.saved_step = None, None, None, 0
        self.history = LossHistory()
        self.forget_codes()
        self.model_changed.emit()
        self.history_changed.emit()
        self.snapshot_changed.emit()

    @torch.no_grad()
    def codes(self) -> Codes | None:
        """The dataset's codes under the snapshot; None without an encoder.

        While training they come from the run (a fixed subset, refreshed about once a second);
        when idle all points are encoded here once and cached until the weights move.
        """
        if self.snapshot is None or self.dataset is None or not self.snapshot.can("encode"):
            return None
        d = self.dataset
        complete = self._codes is not None and len(self._codes.train_index) == len(d.train_x)
        if self._codes is None or (self.state == "idle" and not complete):
            tr, te = np.arange(len(d.train_x)), np.arange(len(d.test_x))
            ahead = self._take_ahead()
            if ahead is None:
                ahead = encode_in_batches(self.snapshot, d.train_x), encode_in_batches(self.snapshot, d.test_x)
            self._codes = Codes(ahead[0], ahead[1], tr, te)
        return self._codes
