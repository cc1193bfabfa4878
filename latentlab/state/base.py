"""What the session's parts (data.py, model.py, run.py, view.py, following.py) know of each other.

Each part is a mixin of Session; this base declares, once and typed, the attributes and methods one
part uses from another, so each module reads on its own and a type checker can follow it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from psygnal import Signal

from latentlab.core.checkpoints import Checkpoint
from latentlab.core.data import Dataset
from latentlab.core.models import LatentModel
from latentlab.core.training import TrainConfig, Trainer
from latentlab.state.history import LossHistory


class SessionBase:
    message = Signal(str, str)  # level ("info", "warning", "error"), text
    dataset_changed = Signal()
    model_changed = Signal()  # a new model: other settings, reset, or an opened checkpoint
    snapshot_changed = Signal()  # the snapshot's weights moved
    history_changed = Signal()
    saved = Signal()  # the model was saved (checkpoint_path and saved_step moved)

    # data.py
    dataset: Dataset | None
    dataset_folder: str | None
    # model.py
    model_settings: Any  # state.model_settings.ModelSettings
    train_config: TrainConfig
    trainer: Trainer | None
    snapshot: LatentModel | None  # a CPU copy the GUI decodes with; the trainer owns the live weights
    history: LossHistory
    checkpoint_path: Path | None
    saved_step: int
    last_progress: Any
    # run.py
    _run: Any  # the RunHandle of the run going on, if any
    # session.py
    post: Callable[[Callable[[], None]], None]

    def error(self, text: str) -> None:
        self.message.emit("error", text)

    # Implemented by the parts; declared here so each part can call the others'.
    @property
    def state(self) -> str:
        raise NotImplementedError

    @property
    def following(self) -> Path | None:
        raise NotImplementedError

    @property
    def model(self) -> LatentModel | None:
        raise NotImplementedError

    def stop_following(self) -> None:
        raise NotImplementedError

    def set_dataset(self, name: str, folder: str | None = None, rebuild: bool = True, **options: Any) -> bool:
        raise NotImplementedError

    def configure_model(self, settings: Any, fall_back: bool = False) -> bool:
        raise NotImplementedError

    def install_checkpoint(self, path: str | Path, ckpt: Checkpoint) -> str | None:
        raise NotImplementedError

    def apply_live(self, name: str, value: Any) -> None:
        raise NotImplementedError

    def forget_codes(self) -> None:
        raise NotImplementedError

    def live_rows(self) -> tuple[np.ndarray, np.ndarray] | None:
        raise NotImplementedError

    def _saved(self, path: Path, step: int, problem: str | None) -> bool:
        raise NotImplementedError

    def take_live_codes(self, codes: tuple[np.ndarray, np.ndarray] | None) -> None:
        raise NotImplementedError

    def _use_dataset(self, dataset: Dataset, folder: str | None) -> None:
        raise NotImplementedError

    def require_trainer(self) -> Trainer:
        """The trainer; only called where a model exists (a run, a save)."""
        if self.trainer is None:
            raise RuntimeError("there is no model")
        return self.trainer

    def require_dataset(self) -> Dataset:
        if self.dataset is None:
            raise RuntimeError("there is no dataset")
        return self.dataset

    def require_snapshot(self) -> LatentModel:
        if self.snapshot is None:
            raise RuntimeError("there is no model")
        return self.snapshot
