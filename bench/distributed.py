"""Training under torchrun: two DDP processes against one process on the same machine and data.

Both runs are the CLI's own `latentlab train` (a VAE on mnist5k, global batch 128), run alternately;
each one's training seconds come from its checkpoint, so process start-up and joining are left out.
On a CPU the two gloo processes share the cores one process would use, so the figure shows the
price of the gradient all-reduce; on GPUs (nccl, one GPU each) it is the speed-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from bench.report import Figure, figure
from latentlab.core.checkpoints import read_metadata

BATCH = 128


def train_rate(processes: int, epochs: int, device: str, folder: Path) -> tuple[float, dict]:
    """Samples per second of one `latentlab train` run, and its test metrics."""
    out = folder / f"p{processes}.safetensors"
    args = ["-m", "latentlab", "train", "--data", "mnist5k", "--epochs", str(epochs), "--batch-size", str(BATCH),
            "--device", device, "--quiet", "--out", str(out)]
    env = dict(os.environ)
    if processes > 1:
        args = ["-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={processes}", *args]
        if device == "cpu":
            env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // processes))  # share the cores
    subprocess.run([sys.executable, *args], check=True, capture_output=True, env=env, timeout=600)
    meta = read_metadata(out)
    return meta["step"] * BATCH / meta["train"]["seconds"], meta["metrics"]


def run(quick: bool, device: str) -> list[Figure]:
    epochs, rounds = (2, 1) if quick else (6, 2)
    processes = max(2, torch.cuda.device_count()) if device.startswith("cuda") else 2
    rates: dict[int, list[float]] = {1: [], processes: []}
    metrics = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            for n in rates:
                rate, metrics[n] = train_rate(n, epochs, device, Path(tmp))
                rates[n].append(rate)
    one, many = max(rates[1]), max(rates[processes])
    gap = abs(metrics[processes]["elbo"] - metrics[1]["elbo"]) / abs(metrics[1]["elbo"])
    note = (f"{epochs} epochs of a VAE on mnist5k; test ELBO {metrics[1]['elbo']:.3f} (1 process) vs "
            f"{metrics[processes]['elbo']:.3f} ({processes} processes): {gap:.3%} apart")
    backend = "nccl" if device.startswith("cuda") else "gloo"
    return [
        figure(f"ddp{processes}_vs_one", many / one, "x",
               f"1 process {one:.0f} samples/s ({processes} {backend} processes {many:.0f})",
               ">= 1.0" if device.startswith("cuda") else ">= 0.4", note),
        figure("ddp_elbo_gap", gap * 100, "%", f"1-process ELBO {metrics[1]['elbo']:.2f}", "<= 0.5"),
    ]
