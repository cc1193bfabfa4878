"""`latentlab train` never loses the user's work: a failed run keeps an existing --out, a save that fails
rescues the weights, and a run directory holds one run."""

import hashlib

import pytest

from latentlab.cli import main
from latentlab.core import checkpoints
from latentlab.core.checkpoints import load_checkpoint
from latentlab.core.run_dir import RunDir

QUICK = ["--data", "ring8", "--hidden", "8", "--quiet"]
BLOW_UP = ["--data", "ring8", "--quiet", "--epochs", "2", "--lr", "5000"]  # non-finite at step 2


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def existing(tmp_path):
    out = tmp_path / "model.safetensors"
    assert main(["train", *QUICK, "--epochs", "1", "--out", str(out)]) == 0
    return out


def test_a_non_finite_stop_keeps_an_existing_out_and_the_last_good_weights_beside_it(existing, capsys):
    before = digest(existing)
    assert main(["train", *BLOW_UP, "--out", str(existing)]) == 1
    assert digest(existing) == before
    stopped = existing.with_name("model.stopped.safetensors")
    err = capsys.readouterr().err
    assert str(stopped.name) in err and "non-finite" in err
    assert load_checkpoint(stopped).step >= 1  # the last finite weights, not lost either


def test_force_replaces_it(existing):
    assert main(["train", *BLOW_UP, "--out", str(existing), "--force"]) == 1
    assert load_checkpoint(existing).epoch == 0


def test_an_out_that_is_a_folder_is_refused_before_training(tmp_path, capsys):
    assert main(["train", *QUICK, "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_a_save_that_fails_rescues_the_weights_and_says_where(tmp_path, monkeypatch, capsys):
    out = tmp_path / "model.safetensors"
    real = checkpoints.save_checkpoint

    def failing(path, *args, **kwargs):
        if str(path) == str(out):
            raise checkpoints.CheckpointError(path, "cannot write: disk full")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(checkpoints, "save_checkpoint", failing)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "rescue"))
    (tmp_path / "rescue").mkdir()
    assert main(["train", *QUICK, "--epochs", "1", "--out", str(out)]) == 1
    rescued = list((tmp_path / "rescue").glob("latentlab-rescue-*.safetensors"))
    assert len(rescued) == 1 and load_checkpoint(rescued[0]).epoch == 1
    assert str(rescued[0]) in capsys.readouterr().err and not out.exists()


def test_a_run_directory_holds_one_run(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", *QUICK, "--epochs", "1", "--run-dir", str(run)]) == 0
    first = RunDir(run).checkpoints()
    assert main(["train", *QUICK, "--epochs", "1", "--beta", "0.5", "--run-dir", str(run)]) == 2
    assert "holds a run already" in capsys.readouterr().err and RunDir(run).checkpoints() == first
    assert main(["train", "--resume", "--epochs", "2", "--run-dir", str(run), "--quiet"]) == 0
    assert load_checkpoint(RunDir(run).newest_checkpoint()).epoch == 2


def test_prune_keeps_the_runs_own_checkpoints_and_never_a_strangers(tmp_path):
    run = tmp_path / "run"
    RunDir(run).create()
    stray = RunDir(run).checkpoint_path(99_999_999)
    stray.write_bytes(b"not ours")
    assert main(["train", *QUICK, "--epochs", "4", "--keep", "3", "--run-dir", str(run), "--resume",
                 "--data", "ring8"]) == 2  # nothing to resume from: it says so
    assert main(["train", *QUICK, "--epochs", "4", "--keep", "3", "--run-dir", str(run)]) == 2  # not empty
    stray.unlink()
    RunDir(run).checkpoint_dir.rmdir()
    assert main(["train", *QUICK, "--epochs", "4", "--keep", "3", "--run-dir", str(run)]) == 0
    stray.write_bytes(b"not ours")
    assert main(["train", "--resume", "--epochs", "6", "--keep", "3", "--run-dir", str(run), "--quiet"]) == 0
    kept = RunDir(run).checkpoints()
    assert [load_checkpoint(p).epoch for p in kept] == [4, 5, 6] and stray.exists()
