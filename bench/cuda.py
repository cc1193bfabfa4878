"""The GPU against the same code on the same machine's CPU: training throughput and a click's decode.

Runs with `--device cuda` only (on the CPU there is nothing to compare, and it returns no figures).
The MMD^2 floor at n = 10,000, d = 784 and the permutation test on the GPU come from bench/mmd.py run
with the same flag; these figures add what the issue asks beside them:
- `cuda_train_mlp_vs_cpu`, `cuda_train_conv_vs_cpu`: samples/s of the core Trainer for the window's
  default VAEs (784-512-256-2 MLP; conv) on mnist5k, batch 128, against the same Trainer on the CPU
  (all its cores), alternately;
- `cuda_click_decode_ms`: what a click in the map costs with the model on the GPU (the plane point
  back to a latent point, decode, the image brought back as uint8 for the screen), median of many,
  against the same with the model on the CPU.
"""

from __future__ import annotations

import statistics
import time

import torch

from bench.report import Figure, figure, sync
from latentlab.core.data import as_uint8, load_dataset
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import TrainConfig, Trainer


def train_rate(data, arch: str, device: str, seconds: float, warmup: int = 20, chunk: int = 50) -> float:
    """Samples/s of the Trainer on `device` for about `seconds`, after a warm-up."""
    torch.manual_seed(0)
    trainer = Trainer(model_for_dataset("vae", data, arch=arch), data,
                      TrainConfig(epochs=10_000, batch_size=128, device=device))
    dev = torch.device(device)
    trainer.run(max_steps=warmup)  # kernels chosen, memory allocated, the data on the device
    sync(dev)
    start, step0 = time.perf_counter(), trainer.step
    while True:  # at least one chunk
        trainer.run(max_steps=chunk)
        sync(dev)
        if time.perf_counter() - start >= seconds:
            break
    return (trainer.step - step0) * trainer.config.batch_size / (time.perf_counter() - start)


def click_decode_ms(model, device: str, clicks: int) -> float:
    """Median ms from a plane point to the decoded image as uint8 on the CPU, the model on `device`."""
    dev = torch.device(device)
    model = model.to(dev).eval()
    points = torch.randn(clicks, 1, model.latent_dim)
    times = []
    with torch.no_grad():
        for i in range(clicks + 5):
            start = time.perf_counter()
            image = as_uint8(model.decode(points[i % clicks].to(dev)).cpu())
            times.append(time.perf_counter() - start)
            assert image.dtype == torch.uint8
    return statistics.median(times[5:]) * 1e3  # the first few choose kernels


def run(quick: bool, device: str) -> list[Figure]:
    if torch.device(device).type != "cuda":
        print("  (the cuda suite compares the GPU with the CPU: run it with --device cuda)")
        return []
    data = load_dataset("mnist5k")
    seconds, rounds = (1.0, 1) if quick else (4.0, 3)
    figures = []
    for arch in ("mlp", "conv"):
        rates: dict[str, list[float]] = {"cuda": [], "cpu": []}
        for _ in range(rounds):  # alternately, the best of each
            for dev in (device, "cpu"):
                rates["cuda" if dev == device else "cpu"].append(train_rate(data, arch, dev, seconds))
        gpu, cpu = max(rates["cuda"]), max(rates["cpu"])
        figures.append(figure(f"cuda_train_{arch}_vs_cpu", gpu / cpu, "x",
                              f"the same Trainer on the CPU, {torch.get_num_threads()} threads: {cpu:,.0f} samples/s "
                              f"(GPU {gpu:,.0f})", ">= 1.0",
                              f"{'784-512-256-2 MLP' if arch == 'mlp' else 'conv'} VAE, mnist5k, batch 128, "
                              f"best of {rounds} alternating runs of {seconds:g} s"))
    clicks = 50 if quick else 200
    torch.manual_seed(0)
    model = model_for_dataset("vae", data)
    gpu_ms = click_decode_ms(model, device, clicks)
    cpu_ms = click_decode_ms(model, "cpu", clicks)
    figures.append(figure("cuda_click_decode_ms", gpu_ms, "ms", f"the model on the CPU {cpu_ms:.2f} ms", "< 16",
                          f"the window's default 2-D VAE; decode of one point and the image back as uint8; "
                          f"median of {clicks}"))
    return figures
