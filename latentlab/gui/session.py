"""The one shared state of the application: data, model, snapshot, training, history — with Qt signals.

Panels read from the session and call its methods; none of them holds state of its own
that another panel needs. The live model belongs to the training thread while it runs;
the GUI decodes only with `snapshot`, a CPU copy the worker refreshes.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from PySide6.QtCore import QObject, Signal

from latentlab.core.checkpoints import Checkpoint, CheckpointError, load_checkpoint, save_checkpoint
from latentlab.core.data import DEFAULT_DATASET, Dataset, DataError, load_dataset
from latentlab.core.latent import encode_in_batches
from latentlab.core.models import LatentModel
from latentlab.core.recipes import dataset_from_record, dataset_record, model_for_dataset
from latentlab.core.run_dir import CHECKPOINTS, METRICS, RunDir
from latentlab.core.training import EpochEvent, Trainer, TrainConfig, TrainResult, warm_optimizer
from latentlab.gui.worker import Progress, TrainingThread, TrainingWorker, weights_copy


@dataclass(frozen=True)
class ModelSettings:
    family: str = "vae"
    latent_dim: int = 2
    hidden: tuple[int, ...] | None = None  # None: the dataset kind's default
    arch: str = "mlp"
    beta: float = 1.0
    recon_weight: float = 1.0
    mmd_weight: float = 100.0
    corruption: str = "gaussian"  # the DAE's settings
    noise: float = 0.2
    walkback: int = 0
    walkback_p: float = 1.0
    noise_dist: str = "uniform"  # the MMD nets' settings
    bandwidth: str = "multi"
    noise_dim: int = 10

    def as_config(self) -> dict:
        """Every setting as a config value; each family takes the ones it has (recipes.model_for_dataset)."""
        values = dataclasses.asdict(self)
        del values["family"]
        return values

    @classmethod
    def from_model(cls, model: LatentModel) -> ModelSettings:
        """The settings that rebuild `model`'s family and architecture (others keep their defaults)."""
        config = dataclasses.asdict(model.config)
        names = {f.name for f in dataclasses.fields(cls)} - {"family"}
        return cls(family=model.family, **{k: v for k, v in config.items() if k in names})


def _append(steps: list[int], values: dict[str, list[float]], step: int, terms: dict[str, float]) -> None:
    """One row of named values; a term seen for the first time is NaN in the rows before it."""
    steps.append(step)
    for k, v in terms.items():
        values.setdefault(k, [float("nan")] * (len(steps) - 1)).append(v)


@dataclass
class LossHistory:
    """Loss terms as the curves show them: train (averaged between reports) and test (per epoch)."""

    train_steps: list[int] = field(default_factory=list)
    train: dict[str, list[float]] = field(default_factory=dict)
    test_steps: list[int] = field(default_factory=list)
    test: dict[str, list[float]] = field(default_factory=dict)

    def add_train(self, step: int, terms: dict[str, float]) -> None:
        _append(self.train_steps, self.train, step, terms)

    def add_test(self, step: int, terms: dict[str, float]) -> None:
        _append(self.test_steps, self.test, step, terms)

    def arrays(self, which: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        steps, values = (self.train_steps, self.train) if which == "train" else (self.test_steps, self.test)
        return np.asarray(steps, float), {k: np.asarray(v, float) for k, v in values.items()}


LIVE_CODES = 5000  # while training, the scatter follows a fixed subset; all points once idle


@dataclass
class Codes:
    """Latent codes of the dataset under the current snapshot (posterior means for a VAE)."""

    train: np.ndarray  # [n, d]
    test: np.ndarray
    train_index: np.ndarray  # which dataset rows these are
    test_index: np.ndarray

    @property
    def dim(self) -> int:
        return self.train.shape[1]


def _subset(n: int, limit: int | None) -> np.ndarray:
    if limit is None or n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, limit, replace=False))


class Session(QObject):
    dataset_changed = Signal()
    model_changed = Signal()  # a new model: other architecture, reset, or loaded checkpoint
    snapshot_changed = Signal()  # the snapshot's weights moved
    state_changed = Signal(str)  # "idle", "running" or "paused"
    progress = Signal(object)  # worker.Progress
    epoch_done = Signal(object)  # EpochEvent
    message = Signal(str, str)  # level ("info", "warning", "error"), text
    history_changed = Signal()
    selection_changed = Signal()  # indices into the training set
    focus_changed = Signal(object, object)  # latent point [d], its decode [1, *data_shape]
    hover_changed = Signal(int)  # a training example under the mouse
    path_changed = Signal()  # the interpolation path (latent points) to draw in the scatter
    following_changed = Signal(object)  # the run directory being followed, or None

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.dataset: Dataset | None = None
        self.dataset_folder: str | None = None
        self.model_settings = ModelSettings()
        self.train_config = TrainConfig(epochs=20, batch_size=128, lr=1e-3)
        self.trainer: Trainer | None = None
        self.snapshot: LatentModel | None = None
        self.history = LossHistory()
        self.checkpoint_path: Path | None = None
        self.saved_step = 0
        self.last_progress: Progress | None = None
        self._run: TrainingThread | None = None
        self._state = "idle"
        self.selection = np.zeros(0, dtype=np.int64)
        self.focus: torch.Tensor | None = None
        self.hovered: int | None = None
        self.path: torch.Tensor | None = None
        self._codes: Codes | None = None
        self._live_index: tuple[np.ndarray, np.ndarray] | None = None
        self.follower = None  # a gui.run_follower.RunFollower while this window follows a run

    # -- state -----------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    @property
    def model(self) -> LatentModel | None:
        """The live model (on the training device); read only when idle."""
        return None if self.trainer is None else self.trainer.model

    @property
    def unsaved(self) -> bool:
        return self.trainer is not None and self.trainer.step > self.saved_step

    def _error(self, text: str) -> None:
        self.message.emit("error", text)

    # -- data and model ----------------------------------------------------------
    def set_dataset(self, name: str, folder: str | None = None, rebuild: bool = True) -> bool:
        """Load a dataset (and, by default, a new model fitting it). False, with a message, on failure."""
        self.stop_following()
        if self.state != "idle":
            self._error("stop training before changing the dataset")
            return False
        try:
            dataset = load_dataset(name, folder=folder)
        except DataError as e:
            self._error(str(e))
            return False
        self.dataset, self.dataset_folder = dataset, folder
        if dataset.notes:
            self.message.emit("warning", f"{dataset.name}: {dataset.notes}")
        self.dataset_changed.emit()
        return self.configure_model(self.model_settings) if rebuild else True

    def configure_model(self, settings: ModelSettings) -> bool:
        """A new, untrained model with these settings for the current dataset."""
        self.stop_following()
        if self.state != "idle":
            self._error("stop training before changing the model")
            return False
        if self.dataset is None:
            self._error("choose a dataset first")
            return False
        try:
            torch.manual_seed(self.train_config.seed)
            model = model_for_dataset(settings.family, self.dataset, **settings.as_config())
        except ValueError as e:
            self._error(f"cannot build that model: {e}")
            return False
        self.model_settings = settings
        self._install(model, checkpoint=None)
        return True

    def set_train_config(self, config: TrainConfig) -> bool:
        problems = config.problems()
        if problems:
            self._error("; ".join(problems))
            return False
        self.train_config = config
        return True

    def reset(self) -> bool:
        """New random weights for the same settings; the history starts again."""
        return self.configure_model(self.model_settings)

    def _install(self, model: LatentModel, checkpoint: Path | None, step: int = 0, epoch: int = 0,
                 optimizer_state: dict | None = None) -> None:
        self.trainer = Trainer(model, self.dataset, self.train_config)
        self.trainer.load_state({"optimizer": optimizer_state, "step": step, "epoch": epoch})
        self.snapshot = copy.deepcopy(model).to("cpu").eval()
        self.checkpoint_path = checkpoint
        self.saved_step = step
        self.history = LossHistory()
        self.last_progress = None
        self._codes = None
        self.selection = np.zeros(0, dtype=np.int64)
        self.focus = None
        self.model_changed.emit()
        self.history_changed.emit()
        self.snapshot_changed.emit()

    # -- training ----------------------------------------------------------------
    def _trainer_for_run(self) -> Trainer:
        """The trainer, rebuilt if settings changed since it was made (keeping optimizer state and counts)."""
        old = self.trainer
        wanted = replace(self.train_config, epochs=max(1, old.epoch + self.train_config.epochs))
        if old.config == wanted:
            return old
        trainer = Trainer(old.model, self.dataset, wanted)
        trainer.load_state(old.state())
        for group in trainer.optimizer.param_groups:
            group["lr"] = wanted.lr
        self.trainer = trainer
        return trainer

    def start(self, max_steps: int | None = None) -> bool:
        """Train `train_config.epochs` more epochs (or `max_steps` steps) in the background."""
        if self.state != "idle":
            return False
        if self.trainer is None:
            self._error("there is no model to train")
            return False
        if self.following is not None:
            self._error(f"this window follows the run in {self.following}, which trains elsewhere; "
                        "File > Stop following to train here")
            return False
        try:
            trainer = self._trainer_for_run()
        except ValueError as e:
            self._error(str(e))
            return False
        # The first optimizer imports torch._dynamo (~1.6 s). Left to the training thread, that import can
        # stall on the import lock while this thread imports too (seen in tests, a minute and more);
        # done here, the thread finds it imported. The walkback pair does the same.
        warm_optimizer()
        worker = TrainingWorker(trainer, trainer.config.epochs, max_steps, self._live_code_inputs())
        worker.progress.connect(self._on_progress)
        worker.epoch_done.connect(self._on_epoch)
        worker.snapshot.connect(self._on_snapshot)
        worker.finished.connect(self._on_finished)
        self._run = TrainingThread(worker)
        self._set_state("running")
        self._run.start()
        return True

    def _live_code_inputs(self):
        """The fixed subset whose codes the training thread sends while it trains."""
        if self.snapshot is None or not self.snapshot.can("encode"):
            self._live_index = None
            return None
        d = self.dataset
        self._live_index = (_subset(len(d.train_x), LIVE_CODES), _subset(len(d.test_x), LIVE_CODES))
        return d.train_x[self._live_index[0]], d.test_x[self._live_index[1]]

    def step(self) -> bool:
        """Exactly one optimisation step, in the training thread."""
        return self.start(max_steps=1)

    def pause(self) -> None:
        if self.state == "running":
            self.trainer.pause()
            self._set_state("paused")

    def resume(self) -> None:
        if self.state == "paused":
            self.trainer.resume()
            self._set_state("running")

    def toggle_pause(self) -> None:
        self.resume() if self.state == "paused" else self.pause()

    def stop(self) -> None:
        if self._run is not None and self.state != "idle":
            self.trainer.stop()

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Block until the training thread has ended (used on shutdown)."""
        if self._run is None:
            return True
        ok = self._run.stop_and_wait(timeout_ms)
        if ok:
            # The run's last queued signals will be ignored as stale: take its final weights here.
            self.snapshot.load_state_dict(weights_copy(self.trainer.model))
            self._codes = None
            self._finish_run()
            self.snapshot_changed.emit()
        return ok

    def _from_current_run(self, worker: TrainingWorker) -> bool:
        """Signals queued by a run that has already been waited for (e.g. a fast Stop then Start) are stale."""
        return self._run is not None and worker is self._run.worker

    def _on_progress(self, worker: TrainingWorker, progress: Progress) -> None:
        if not self._from_current_run(worker):
            return
        self.last_progress = progress
        self.history.add_train(progress.step, progress.terms)
        self.progress.emit(progress)
        self.history_changed.emit()

    def _on_epoch(self, worker: TrainingWorker, event: EpochEvent) -> None:
        if not self._from_current_run(worker):
            return
        self.history.add_test(event.step, event.test)
        self.epoch_done.emit(event)
        self.history_changed.emit()

    def _on_snapshot(self, worker: TrainingWorker, weights: dict, codes) -> None:
        if not self._from_current_run(worker):
            return
        if self.snapshot is not None:
            self.snapshot.load_state_dict(weights)
        if codes is not None and self._live_index is not None:
            self._codes = Codes(codes[0], codes[1], *self._live_index)
        elif self.state == "idle":
            self._codes = None  # weights without codes: encode afresh when asked
        self._run.worker.snapshot_received()
        self.snapshot_changed.emit()

    def _on_finished(self, worker: TrainingWorker, result: TrainResult) -> None:
        if not self._from_current_run(worker):
            return
        if result.reason in ("nan", "error"):
            self._error(result.message)
        elif result.reason == "finished":
            self.message.emit("info", result.message)
        self._finish_run()

    def _finish_run(self) -> None:
        if self._run is not None:
            self._run.thread.wait(5000)
            self._run = None
        self._set_state("idle")

    # -- files ---------------------------------------------------------------------
    def save(self, path: str | Path | None = None) -> bool:
        """Save the model; during training the save runs between two steps in the training thread."""
        target = Path(path) if path else self.checkpoint_path
        if target is None or self.trainer is None:
            self._error("nothing to save" if self.trainer is None else "choose a file to save to")
            return False
        if self.state == "idle":
            return self._save_now(target)
        self.trainer.call_soon(lambda: self._save_now(target))
        return True

    def _save_now(self, path: Path) -> bool:
        t = self.trainer
        try:
            save_checkpoint(path, t.model, dataset_record(self.dataset, self.dataset_folder), t.step, t.epoch,
                            self.history.test and {k: v[-1] for k, v in self.history.test.items()} or {},
                            t.optimizer.state_dict())
        except CheckpointError as e:
            self._error(str(e))
            return False
        self.checkpoint_path, self.saved_step = path, t.step
        self.message.emit("info", f"saved {path.name} at step {t.step}")
        return True

    def open_checkpoint(self, path: str | Path) -> bool:
        """Load a checkpoint and its dataset; on any problem nothing changes and a message says why."""
        self.stop_following()
        if self.state != "idle":
            self._error("stop training before opening a checkpoint")
            return False
        try:
            problem = self._open(path, load_checkpoint(path))
        except CheckpointError as e:
            problem = str(e)
        if problem:
            self._error(problem)
            return False
        return True

    def _open(self, path: str | Path, ckpt: Checkpoint) -> str | None:
        """Install a loaded checkpoint with its dataset; the problem, if it cannot be."""
        try:
            dataset = dataset_from_record(ckpt.dataset)
        except DataError as e:
            return str(e)
        if tuple(dataset.data_shape) != tuple(ckpt.model.data_shape):
            return f"{path}: its model expects data {ckpt.model.data_shape}, its dataset has {dataset.data_shape}"
        self.dataset, self.dataset_folder = dataset, ckpt.dataset.get("folder")
        self.model_settings = ModelSettings.from_model(ckpt.model)
        self.dataset_changed.emit()
        self._install(ckpt.model, Path(path), ckpt.step, ckpt.epoch, ckpt.optimizer_state)
        self.message.emit("info", f"opened {Path(path).name}: {ckpt.model.family} on {dataset.name}, step {ckpt.step}")
        return None

    # -- following a run that trains elsewhere ---------------------------------------------
    @property
    def following(self) -> Path | None:
        return None if self.follower is None else self.follower.run.path

    def follow(self, folder: str | Path) -> bool:
        """Show a run that `latentlab train --run-dir` writes (here, on a server, on a share) live."""
        from latentlab.gui.run_follower import RunFollower

        if self.state != "idle":
            self._error("stop training before following a run")
            return False
        run = RunDir(folder)
        if not run.path.is_dir():
            self._error(f"{folder} is not a folder")
            return False
        if not run.looks_like_a_run():
            self._error(f"{folder} is not a run directory: it has neither {METRICS} nor {CHECKPOINTS}/ "
                        "(made by latentlab train --run-dir)")
            return False
        self.stop_following()
        self.follower = RunFollower(self, run)
        self.following_changed.emit(run.path)
        self.follower.poll()
        return True

    def stop_following(self) -> None:
        if self.follower is not None:
            self.follower.stop()
            self.follower.deleteLater()
            self.follower = None
            self.following_changed.emit(None)

    def follow_checkpoint(self, path: Path) -> str | None:
        """Show a followed run's newer checkpoint; the problem, if it cannot be shown. The same model's
        weights are swapped in place, so the selection, the decoded point and every panel stay put."""
        try:
            ckpt = load_checkpoint(path)
        except CheckpointError as e:
            return str(e)
        model = self.model
        if (model is None or self.dataset is None or ckpt.model.family != model.family
                or ckpt.model.config != model.config or ckpt.dataset.get("name") != self.dataset.name):
            return self._open(path, ckpt)
        weights = ckpt.model.state_dict()
        model.load_state_dict(weights)
        self.snapshot.load_state_dict(weights)
        self.trainer.step, self.trainer.epoch = ckpt.step, ckpt.epoch
        self.checkpoint_path, self.saved_step = Path(path), ckpt.step
        self._codes = None
        self.snapshot_changed.emit()
        return None

    def show_history(self, history: LossHistory) -> None:
        self.history = history
        self.history_changed.emit()

    def load_default(self) -> bool:
        return self.set_dataset(DEFAULT_DATASET)

    # -- the snapshot, for panels ---------------------------------------------------
    @torch.no_grad()
    def codes(self) -> Codes | None:
        """The dataset's codes under the snapshot; None without an encoder.

        While training they come from the training thread (a fixed subset, refreshed about once
        a second); when idle all points are encoded here once and cached until the weights move.
        """
        if self.snapshot is None or self.dataset is None or not self.snapshot.can("encode"):
            return None
        d = self.dataset
        complete = self._codes is not None and len(self._codes.train_index) == len(d.train_x)
        if self._codes is None or (self.state == "idle" and not complete):
            tr, te = np.arange(len(d.train_x)), np.arange(len(d.test_x))
            self._codes = Codes(encode_in_batches(self.snapshot, d.train_x),
                                encode_in_batches(self.snapshot, d.test_x), tr, te)
        return self._codes

    def set_selection(self, indices) -> None:
        self.selection = np.unique(np.asarray(indices, dtype=np.int64))
        self.selection_changed.emit()

    def set_path(self, points: torch.Tensor | None) -> None:
        self.path = points
        self.path_changed.emit()

    def set_hover(self, index: int) -> None:
        if index != getattr(self, "hovered", None):
            self.hovered = index
            self.hover_changed.emit(index)

    @torch.no_grad()
    def set_focus(self, z: torch.Tensor) -> torch.Tensor:
        """Decode one latent point (click-to-decode) and tell the panels."""
        z = z.reshape(1, -1).float()
        x = self.snapshot.decode(z)
        self.focus = z[0]
        self.focus_changed.emit(z[0], x)
        return x

    @torch.no_grad()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.snapshot.decode(z.to(torch.float32))

    @torch.no_grad()
    def sample(self, n: int, seed: int = 0) -> torch.Tensor:
        return self.snapshot.sample(n, generator=torch.Generator().manual_seed(seed))

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return self.snapshot.decode(self.snapshot.encode(x))
