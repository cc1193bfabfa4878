"""The model on show: its settings, the trainer that owns the live weights, the GUI's snapshot copy,
its loss history, and the file it came from or was saved to."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import torch

from latentlab.core.checkpoints import Checkpoint, CheckpointError, load_checkpoint, save_checkpoint
from latentlab.core.data import DataError
from latentlab.core.models import LatentModel
from latentlab.core.pretrained import resolve
from latentlab.core.recipes import UntrustedFolder, dataset_from_record, dataset_record, model_for_dataset
from latentlab.core.training import TrainConfig, Trainer
from latentlab.state.base import SessionBase
from latentlab.state.history import LossHistory
from latentlab.state.model_settings import ModelSettings


class ModelMixin(SessionBase):
    """Part of Session: building, opening and saving the model."""

    def _init_model(self) -> None:
        self.model_settings = ModelSettings()
        self.train_config = TrainConfig(epochs=20, batch_size=128, lr=1e-3)
        self.trainer: Trainer | None = None
        self.snapshot: LatentModel | None = None  # a CPU copy the GUI decodes with; the trainer owns the live one
        self.history = LossHistory()
        self.checkpoint_path: Path | None = None
        self.saved_step = 0
        # Asked before a checkpoint's data folder is read (the window asks the user); headless: never.
        self.trust_folder: Callable[[str], bool] = lambda folder: False

    @property
    def model(self) -> LatentModel | None:
        """The live model (on the training device); read it only when idle."""
        return None if self.trainer is None else self.trainer.model

    @property
    def unsaved(self) -> bool:
        return self.trainer is not None and self.trainer.step > self.saved_step

    def configure_model(self, settings: ModelSettings, fall_back: bool = False) -> bool:
        """A new, untrained model with these settings for the current dataset; with `fall_back`, settings that
        do not fit the data (salt-and-pepper noise for points) give way to the family's defaults, with a word."""
        self.stop_following()
        if self.state != "idle":
            self.error("stop training before changing the model")
            return False
        if self.dataset is None:
            self.error("choose a dataset first")
            return False
        try:
            torch.manual_seed(self.train_config.seed)
            model = model_for_dataset(settings.family, self.dataset, **settings.as_config())
        except ValueError as e:
            defaults = ModelSettings(settings.family)
            if fall_back and defaults != settings and self.configure_model(defaults):
                self.message.emit("warning", f"{e}: the {settings.family} defaults for {self.dataset.name} are used")
                return True
            self.error(f"cannot build that model: {e}")
            return False
        self.model_settings = settings
        self._install(model, checkpoint=None)
        return True

    def set_train_config(self, config: TrainConfig) -> bool:
        problems = config.problems()
        if problems:
            self.error("; ".join(problems))
            return False
        if self.state != "idle" and config.lr != self.train_config.lr:
            self.apply_live("lr", config.lr)
        self.train_config = config
        return True

    def reset(self) -> bool:
        """New random weights for the same settings; the history starts again."""
        fresh = getattr(self.model, "fresh", None)  # a plug-in model: its own class, new weights
        if callable(fresh) and self.state == "idle" and self.following is None:
            self._install(fresh(), checkpoint=None)
            return True
        return self.configure_model(self.model_settings)

    def load_default(self) -> bool:
        from latentlab.core.data import DEFAULT_DATASET

        return self.set_dataset(DEFAULT_DATASET)

    def _install(self, model: LatentModel, checkpoint: Path | None, step: int = 0, epoch: int = 0,
                 optimizer_state: dict | None = None, history: LossHistory | None = None) -> None:
        self.trainer = Trainer(model, self.require_dataset(), self.train_config)
        try:
            self.trainer.load_state({"optimizer": optimizer_state, "step": step, "epoch": epoch})
        except ValueError as e:  # the weights are fine: open them, and train on with a fresh optimizer
            self.trainer.load_state({"step": step, "epoch": epoch})
            self.message.emit("warning", f"its optimizer state was not used: {e}")
        self.snapshot = copy.deepcopy(model).to("cpu").eval()
        self.checkpoint_path = checkpoint
        self.saved_step = step
        self.history = history or LossHistory()
        self.last_progress = None
        self.forget_codes()
        self.model_changed.emit()
        self.history_changed.emit()
        self.snapshot_changed.emit()

    def show_history(self, history: LossHistory) -> None:
        self.history = history
        self.history_changed.emit()

    # -- files ---------------------------------------------------------------------------------
    def save(self, path: str | Path | None = None) -> bool:
        """Save the model; during training the save runs between two steps, in the run."""
        target = Path(path) if path else self.checkpoint_path
        if target is None or self.trainer is None:
            self.error("nothing to save" if self.trainer is None else "choose a file to save to")
            return False
        if self.state == "idle":
            return self._saved(target, *self._write(target))
        if self._run is not None and self._run.save(target):
            return True  # the run saves between two steps and tells _saved
        def in_the_run() -> None:
            # Between two steps, in the run's thread, so weights and optimizer state match; the outcome is
            # told in this thread (post), where the panels listen.
            step, problem = self._write(target)
            self.post(lambda: None if self._saved(target, step, problem) else None)

        self.require_trainer().call_soon(in_the_run)
        return True

    def _write(self, path: Path) -> tuple[int, str | None]:
        """Write the checkpoint (in whichever thread owns the trainer); the step saved and any problem."""
        t = self.require_trainer()
        test = {k: v[-1] for k, v in self.history.test.items()} if self.history.test else {}
        try:
            save_checkpoint(path, t.model, dataset_record(self.require_dataset(), self.dataset_folder), t.step, t.epoch,
                            test, t.optimizer_state(), extra={"history": self.history.to_record()})
        except CheckpointError as e:
            return t.step, str(e)
        return t.step, None

    def _saved(self, path: Path, step: int, problem: str | None) -> bool:
        if problem:
            self.error(problem)
            return False
        self.checkpoint_path, self.saved_step = path, step
        self.saved.emit()
        self.message.emit("info", f"saved {path.name} at step {step}")
        return True

    def open_checkpoint(self, path: str | Path) -> bool:
        """Load a checkpoint and its dataset; on any problem nothing changes and a message says why."""
        self.stop_following()
        if self.state != "idle":
            self.error("stop training before opening a checkpoint")
            return False
        try:
            path = resolve(path)
            problem = self.install_checkpoint(path, load_checkpoint(path))
        except ValueError as e:  # CheckpointError, or no shipped checkpoint of that name
            problem = str(e)
        if problem:
            self.error(problem)
            return False
        return True

    def install_plugin(self, opening) -> bool:
        """A model of the user's own (a core.plugins.PluginOpening: code the user named, its weights or an
        imported checkpoint, and its dataset); the model settings of the form stay as they were."""
        self.stop_following()
        if self.state != "idle":
            self.error("stop training before opening another model")
            return False
        ckpt = opening.checkpoint
        self._use_dataset(opening.dataset, opening.folder)
        self._install(ckpt.model, opening.path, ckpt.step, ckpt.epoch, ckpt.optimizer_state,
                      LossHistory.from_record(ckpt.meta.get("history")))
        for warning in opening.warnings:
            self.message.emit("warning", warning)
        shapes = getattr(ckpt.model.config, "shape_note", lambda: "")()
        self.message.emit("info", f"opened {getattr(ckpt.model.config, 'title', ckpt.model.family)} on "
                                  f"{opening.dataset.name}: {shapes}")
        return True

    def install_checkpoint(self, path: str | Path, ckpt: Checkpoint) -> str | None:
        """Show a loaded checkpoint with its dataset; the problem, if it cannot be shown."""
        try:
            dataset = dataset_from_record(ckpt.dataset)
        except UntrustedFolder as e:  # the folder this session reads already, or one the user agrees to
            if e.folder != self.dataset_folder and not self.trust_folder(e.folder):
                return f"{path}: not opened: {e}"
            try:
                dataset = dataset_from_record(ckpt.dataset, trust_folder=True)
            except DataError as e2:
                return str(e2)
        except DataError as e:
            return f"{path}: {e}"
        if tuple(dataset.data_shape) != tuple(ckpt.model.data_shape):
            return f"{path}: its model expects data {ckpt.model.data_shape}, its dataset has {dataset.data_shape}"
        self._use_dataset(dataset, ckpt.dataset.get("folder"))
        self.model_settings = ModelSettings.from_model(ckpt.model)
        self._install(ckpt.model, Path(path), ckpt.step, ckpt.epoch, ckpt.optimizer_state,
                      LossHistory.from_record(ckpt.meta.get("history")))
        self.message.emit("info", f"opened {Path(path).name}: {ckpt.model.family} on {dataset.name}, step {ckpt.step}")
        return None
