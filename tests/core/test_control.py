"""The training process's side of the control protocol, in this process: snapshots and their spacing."""

import io
import json
import time

import numpy as np

from latentlab.core import control
from latentlab.core.control import SNAPSHOT_BUDGET, SNAPSHOT_INTERVAL_S, Controller
from latentlab.core.data import load_dataset
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import StepEvent, TrainConfig, Trainer


def make_controller(tmp_path, codes=True):
    data = load_dataset("ring8", n=256)
    trainer = Trainer(model_for_dataset("vae", data, hidden=(8,)), data, TrainConfig(epochs=1, batch_size=32))
    events = io.StringIO()
    inputs = (data.train_x[:50], data.test_x[:20]) if codes else None
    return Controller(trainer, tmp_path, commands=io.StringIO(), events=events, code_inputs=inputs), events


def test_a_snapshot_is_files_renamed_into_place_then_an_event(tmp_path):
    ctl, events = make_controller(tmp_path)
    ctl.snapshot()
    event = json.loads(events.getvalue().splitlines()[-1])
    assert event["event"] == "snapshot" and event["step"] == 0
    with np.load(event["codes"]) as c:
        assert c["train"].shape == (50, 2) and c["test"].shape == (20, 2)
    assert not list(tmp_path.rglob("*.tmp"))


def test_snapshots_wait_for_the_window_and_are_spaced_by_what_they_cost(tmp_path, monkeypatch):
    real_save = control.save_file

    def slow_save(*args, **kwargs):  # a snapshot that takes 60 ms: the next may come only after 2 s
        time.sleep(0.06)
        real_save(*args, **kwargs)

    monkeypatch.setattr(control, "save_file", slow_save)
    ctl, events = make_controller(tmp_path, codes=False)
    began = time.perf_counter()
    ctl.snapshot()
    assert ctl._next_snapshot >= began + max(SNAPSHOT_INTERVAL_S, 0.06 / SNAPSHOT_BUDGET) - 0.01
    count = lambda: sum('"snapshot"' in line for line in events.getvalue().splitlines())  # noqa: E731
    ctl._snapshot_taken.set()  # the window has read it
    ctl.on_step(_event(ctl))  # a step within the spacing: no new snapshot
    assert count() == 1
    ctl._next_snapshot = 0.0  # the spacing has passed, but the window has not read the last one
    ctl._snapshot_taken.clear()
    ctl.on_step(_event(ctl))
    assert count() == 1
    ctl._snapshot_taken.set()
    ctl.on_step(_event(ctl))
    assert count() == 2


def _event(ctl):
    return StepEvent(step=ctl.trainer.step, epoch=0, progress=0.0, terms={"total": 1.0}, samples_per_s=1.0)
