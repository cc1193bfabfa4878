"""Following a run that trains elsewhere (`latentlab train --run-dir`): the session's side of it.

The follower that polls the folder is made by the window (gui/run_follower.py, on a Qt timer);
the session installs what it finds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from psygnal import Signal

from latentlab.core.checkpoints import CheckpointError, load_checkpoint
from latentlab.core.run_dir import CHECKPOINTS, METRICS, RunDir
from latentlab.state.base import SessionBase


class FollowMixin(SessionBase):
    """Part of Session: the followed run directory, if any."""

    following_changed = Signal(object)  # the run directory being followed, or None

    follower_factory: Callable[[Any, RunDir], Any] | None

    def _init_following(self) -> None:
        self.follower: Any = None  # made by follower_factory while following

    @property
    def following(self) -> Path | None:
        return None if self.follower is None else self.follower.run.path

    def follow(self, folder: str | Path) -> bool:
        """Show a run that `latentlab train --run-dir` writes (here, on a server, on a share) live."""
        if self.state != "idle":
            self.error("stop training before following a run")
            return False
        if self.follower_factory is None:
            self.error("following a run needs the application window")
            return False
        run = RunDir(folder)
        if not run.path.is_dir():
            self.error(f"{folder} is not a folder")
            return False
        if not run.looks_like_a_run():
            self.error(f"{folder} is not a run directory: it has neither {METRICS} nor {CHECKPOINTS}/ "
                       "(made by latentlab train --run-dir)")
            return False
        self.stop_following()
        self.follower = self.follower_factory(self, run)
        self.following_changed.emit(run.path)
        self.follower.poll()
        return True

    def stop_following(self) -> None:
        if self.follower is not None:
            self.follower.stop()
            self.follower = None
            self.following_changed.emit(None)

    def follow_checkpoint(self, path: Path) -> str | None:
        """Show a followed run's newer checkpoint; the problem, if it cannot be shown. The same model's
        weights are swapped in place, so the selection, the decoded point and every panel stay put."""
        try:
            ckpt = load_checkpoint(path)
        except CheckpointError as e:
            return str(e)
        model, snapshot, trainer, data = self.model, self.snapshot, self.trainer, self.dataset
        if (model is None or snapshot is None or trainer is None or data is None or ckpt.model.family != model.family
                or ckpt.model.config != model.config or ckpt.dataset.get("name") != data.name):
            return self.install_checkpoint(path, ckpt)
        weights = ckpt.model.state_dict()
        model.load_state_dict(weights)
        snapshot.load_state_dict(weights)
        trainer.step, trainer.epoch = ckpt.step, ckpt.epoch
        self.checkpoint_path, self.saved_step = Path(path), ckpt.step
        self.forget_codes()
        self.snapshot_changed.emit()
        return None
