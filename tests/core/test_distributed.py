"""torchrun with DistributedDataParallel: two gloo processes on the CPU train exactly what one process
trains (same seed, same global batch), rank 0 alone writes, and a run resumes in either form."""

import os
import subprocess
import sys

import pytest
import torch

from latentlab.cli import main
from latentlab.core.checkpoints import load_checkpoint
from latentlab.core.run_dir import MetricsReader, RunDir

# 3,600 ring points in batches of 128: the last batch of every epoch (16 rows) splits 8/8, and the
# odd sizes of a VAE's per-example noise make any mix-up of rows between processes show.
TRAIN = ["train", "--model", "vae", "--data", "ring8", "--hidden", "32,32", "--batch-size", "128",
         "--seed", "3", "--quiet"]


def torchrun(*args, processes=2):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                           f"--nproc-per-node={processes}", "-m", "latentlab", *map(str, args)],
                          capture_output=True, text=True, timeout=240, env=env)


def largest_difference(a, b) -> float:
    return max((pa - pb).abs().max().item() for pa, pb in zip(a.parameters(), b.parameters()))


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    out = tmp_path_factory.mktemp("one") / "vae.safetensors"
    assert main([*TRAIN, "--epochs", "3", "--out", str(out)]) == 0
    return load_checkpoint(out)


def test_two_gloo_processes_train_what_one_process_trains(tmp_path, one_process):
    out = tmp_path / "vae.safetensors"
    done = torchrun(*TRAIN, "--epochs", "3", "--out", out, "--run-dir", tmp_path / "run")
    assert done.returncode == 0, done.stderr[-3000:]
    two = load_checkpoint(out)
    assert two.meta["train"]["processes"] == 2 and two.meta["train"]["backend"] == "gloo"
    assert two.step == one_process.step == 3 * 29
    assert largest_difference(two.model, one_process.model) < 1e-5
    for key in ("exp_avg", "exp_avg_sq"):
        assert torch.allclose(two.optimizer_state["state"][0][key], one_process.optimizer_state["state"][0][key],
                              rtol=1e-4, atol=1e-7)
    assert two.metrics["elbo"] == pytest.approx(one_process.metrics["elbo"], rel=1e-5)
    # Rank 0 alone wrote: one start line, one end line, and "saved" printed once.
    events = [r["event"] for r in MetricsReader(tmp_path / "run" / "metrics.jsonl").read_new()]
    assert events.count("start") == 1 and events.count("end") == 1 and events.count("epoch") == 3
    assert done.stdout.count("saved") == 1


def test_a_two_process_run_resumes_from_its_newest_checkpoint(tmp_path, one_process):
    run = tmp_path / "run"
    first = torchrun(*TRAIN, "--epochs", "2", "--run-dir", run)
    assert first.returncode == 0, first.stderr[-3000:]
    assert RunDir(run).newest_checkpoint().name == f"step-{2 * 29:08d}.safetensors"
    resumed = torchrun(*TRAIN, "--epochs", "3", "--run-dir", run, "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    final = load_checkpoint(RunDir(run).newest_checkpoint())
    assert final.step == 3 * 29
    assert largest_difference(final.model, one_process.model) < 1e-5
    starts = [r for r in MetricsReader(run / "metrics.jsonl").read_new() if r["event"] == "start"]
    assert [s["resumed_from"] for s in starts] == [None, 2 * 29]


def test_one_process_resume_continues_exactly(tmp_path, one_process):
    out = tmp_path / "vae.safetensors"
    assert main([*TRAIN, "--epochs", "1", "--out", str(out)]) == 0
    assert main([*TRAIN, "--epochs", "3", "--out", str(out), "--resume"]) == 0
    assert largest_difference(load_checkpoint(out).model, one_process.model) < 1e-6


@pytest.mark.parametrize("family,extra", [("gmmn_ae", []), ("dae", ["--walkback", "2", "--walkback-p", "0.5"])])
def test_every_kind_of_loss_trains_under_ddp(tmp_path, family, extra):
    """Batch-level losses (MMD in code space) and batches that grow (walkback pairs) train too; they
    are not step-for-step copies of one process (see the README), so only the run is checked."""
    out = tmp_path / "m.safetensors"
    done = torchrun("train", "--model", family, "--data", "ring8", "--epochs", "1", "--quiet", "--out", out, *extra)
    assert done.returncode == 0, done.stderr[-3000:]
    assert load_checkpoint(out).step == 29
