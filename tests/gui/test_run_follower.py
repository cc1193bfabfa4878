"""File > Follow run: the window shows a run that trains in another process, live, without training."""

import json
import subprocess
import sys

import pytest
import torch

from latentlab.cli import main
from latentlab.core.run_dir import RunDir

TRAIN = ["train", "--model", "vae", "--data", "ring8", "--hidden", "32,32", "--batch-size", "128", "--quiet"]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("runs") / "vae"
    assert main([*TRAIN, "--epochs", "2", "--run-dir", str(run), "--log-every", "5"]) == 0
    return run


def curve_points(window, which="train", name="kl"):
    window.curves.redraw()
    return len(window.curves.curves[(which, name)].getData()[0])


def test_following_a_finished_run_shows_its_curves_and_newest_checkpoint(window, qtbot, finished_run):
    s = window.session
    window.ask_run_dir = lambda: str(finished_run)
    assert window.follow_run()
    assert s.following == finished_run and s.checkpoint_path == RunDir(finished_run).newest_checkpoint()
    assert s.trainer.step == 2 * 29 and s.model.family == "vae"
    assert curve_points(window) == 12 and curve_points(window, "test") == 2  # 58 steps in lines of 5, 2 epochs
    assert not window.training.start.isEnabled() and not window.training.reset.isEnabled()
    assert "following vae: vae on ring8" in window.training.info.text()
    assert "run ended: finished 2 epochs" in window.training.info.text()
    assert "following" in window.windowTitle()
    s.start()
    assert "trains elsewhere" in window.banner.text and s.state == "idle"

    window.stop_following_action.trigger()
    assert s.following is None and window.training.start.isEnabled()


def test_a_run_that_is_training_updates_curves_and_weights_live(window, qtbot, tmp_path):
    s = window.session
    run = tmp_path / "live"
    trainer = subprocess.Popen([sys.executable, "-m", "latentlab", *TRAIN, "--epochs", "40", "--run-dir", str(run),
                                "--log-every", "5", "--keep", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        qtbot.waitUntil(lambda: RunDir(run).newest_checkpoint() is not None, timeout=60_000)
        assert s.follow(run)
        s.follower.timer.setInterval(100)
        s.set_selection([3, 7])
        first_step, first_points = s.trainer.step, curve_points(window)
        first_weights = [p.clone() for p in s.snapshot.parameters()]
        qtbot.waitUntil(lambda: s.trainer.step > first_step and curve_points(window) > first_points, timeout=60_000)
        assert any(not torch.equal(a, b) for a, b in zip(first_weights, s.snapshot.parameters()))
        assert list(s.selection) == [3, 7]  # the same model: weights swapped in place, the selection kept
        assert s.codes() is not None  # the scatter's codes follow the newest weights
    finally:
        trainer.kill()
        trainer.wait()
    assert len(RunDir(run).checkpoints()) <= 2


def test_a_folder_that_is_not_a_run_is_refused(window, tmp_path):
    assert not window.follow_run(str(tmp_path))
    assert "is not a run directory" in window.banner.text and window.session.following is None
    assert not window.follow_run(str(tmp_path / "missing"))
    assert "is not a folder" in window.banner.text


def test_a_damaged_newest_checkpoint_keeps_the_last_good_one_on_screen(window, qtbot, finished_run, tmp_path):
    run = RunDir(tmp_path / "copy").create()
    good = RunDir(finished_run).newest_checkpoint()
    run.checkpoint_path(10).write_bytes(good.read_bytes())
    s = window.session
    assert s.follow(run.path)
    assert s.checkpoint_path == run.checkpoint_path(10)
    run.checkpoint_path(20).write_bytes(b"not a checkpoint" * 10)
    with open(run.metrics_path, "a") as f:
        f.write(json.dumps({"event": "step", "step": 20, "epoch": 1, "terms": {"recon": 1.0, "kl": 2.0,
                                                                             "total": 3.0}}) + "\n")
    s.follower.poll()
    assert s.checkpoint_path == run.checkpoint_path(10)
    assert "skipped step-00000020" in window.banner.text
    assert curve_points(window) == 1
    window.banner.hide()
    s.follower.poll()  # the same damaged file is not reported again
    assert not window.banner.isVisible()


def test_opening_a_checkpoint_stops_following(window, finished_run):
    s = window.session
    assert s.follow(finished_run)
    s.set_dataset("ring8")
    assert s.following is None and window.stop_following_action.isEnabled() is False


def test_a_stray_file_named_newer_never_holds_the_follower_back(window, finished_run, tmp_path):
    run = RunDir(tmp_path / "copy").create()
    good = RunDir(finished_run).newest_checkpoint().read_bytes()

    def checkpoint(step):
        run.checkpoint_path(step).write_bytes(good)
        run.append({"event": "checkpoint", "step": step, "file": run.checkpoint_path(step).name})

    checkpoint(360)
    run.checkpoint_path(99_999_999).write_bytes(b"not ours" * 10)  # in the folder, but not in the run's record
    s = window.session
    assert s.follow(run.path)
    assert s.checkpoint_path == run.checkpoint_path(360)
    checkpoint(432)
    s.follower.poll()
    assert s.checkpoint_path == run.checkpoint_path(432)
    assert run.checkpoints() == [run.checkpoint_path(360), run.checkpoint_path(432)]
