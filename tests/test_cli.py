"""The command line: train, resume, sample, info, and one-line errors with a non-zero exit."""

import json
import subprocess
import sys

import pytest
from PIL import Image

from latentlab.cli import main
from latentlab.core.checkpoints import load_checkpoint


def run(*args):
    return main([str(a) for a in args])


def test_train_info_sample_and_resume(tmp_path, capsys):
    out = tmp_path / "vae.safetensors"
    assert run("train", "--model", "vae", "--data", "ring8", "--epochs", "2", "--hidden", "16,16",
               "--batch-size", "256", "--quiet", "--out", out) == 0
    assert "saved" in capsys.readouterr().out
    ckpt = load_checkpoint(out)
    assert ckpt.epoch == 2 and ckpt.meta["train"]["batch_size"] == 256 and ckpt.optimizer_state

    assert run("info", out) == 0
    meta = json.loads(capsys.readouterr().out)
    assert meta["family"] == "vae" and meta["dataset"]["name"] == "ring8"

    assert run("train", "--data", "ring8", "--epochs", "3", "--quiet", "--resume", "--out", out) == 0
    assert load_checkpoint(out).epoch == 3

    png = tmp_path / "points.png"
    assert run("sample", out, "--n", "100", "--out", png) == 0
    assert Image.open(png).size == (512, 512)


def test_sample_grid_for_images(tmp_path):
    out = tmp_path / "ae.safetensors"
    assert run("train", "--model", "autoencoder", "--data", "digits", "--epochs", "1", "--quiet",
               "--hidden", "32", "--out", out) == 0
    png = tmp_path / "grid.png"
    assert run("sample", out, "--n", "16", "--out", png) == 0
    assert Image.open(png).size == (4 * 42, 4 * 42)  # 4x4 tiles of 8 px with 2 px padding, drawn x4
    assert run("sample", out, "--n", "16", "--scale", "1", "--out", png) == 0
    assert Image.open(png).size == (4 * 10 + 2, 4 * 10 + 2)


@pytest.mark.parametrize("args,message", [
    (["info", "/nonexistent.safetensors"], "no such file"),
    (["info", "pretrained:nope"], "no pretrained checkpoint named 'nope'"),
    (["train", "--data", "cifar", "--out", "/tmp/x.safetensors"], "unknown dataset"),
    (["train", "--model", "gan", "--data", "ring8", "--out", "/tmp/x.safetensors"], "unknown model family"),
    (["train", "--lr", "-1", "--out", "/tmp/x.safetensors"], "learning rate"),
    (["train", "--out", "/nonexistent/dir/x.safetensors"], "does not exist"),
    (["train", "--data", "mnist", "--out", "/tmp/x.safetensors"], "--data-dir"),
    (["train", "--data", "ring8", "--latent-dim", "0", "--out", "/tmp/x.safetensors"], "latent_dim"),
    (["train", "--data", "ring8"], "--out FILE, --run-dir DIR, or both"),
    (["train", "--data", "ring8", "--run-dir", "/nonexistent/dir/run"], "does not exist"),
    (["train", "--data", "ring8", "--run-dir", "/tmp", "--keep", "0"], "run.keep (keep) must be in [1, 1000000], got 0"),
])
def test_user_errors_are_one_line_and_exit_2(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_info_takes_a_shipped_checkpoint_by_name_as_sample_does(capsys):
    assert run("info", "pretrained:dae-ring8") == 0
    assert json.loads(capsys.readouterr().out)["family"] == "dae"


def test_bad_checkpoint_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"garbage" * 10)
    assert main(["sample", str(bad), "--out", str(tmp_path / "x.png")]) == 2
    assert str(bad) in capsys.readouterr().err


def test_module_entry_point_runs():
    done = subprocess.run([sys.executable, "-m", "latentlab", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and "latentlab" in done.stdout


def test_resume_from_a_run_without_checkpoints_says_so(tmp_path, capsys):
    assert main(["train", "--data", "ring8", "--run-dir", str(tmp_path / "run"), "--resume"]) == 2
    assert "has no checkpoint to resume from" in capsys.readouterr().err


def test_a_reader_that_stops_early_gets_no_traceback(monkeypatch, capsys):
    import os

    read, write = os.pipe()
    os.close(read)  # as `| head -1` does once it has its line
    with open(write, "w") as closed_pipe:
        monkeypatch.setattr(sys, "stdout", closed_pipe)
        assert main(["settings"]) == 0
    assert "Traceback" not in capsys.readouterr().err
