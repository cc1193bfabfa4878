"""Codes for a million inputs: core.latent.encode_in_batches against a plain batched model.encode loop.

The inputs are MNIST-5k's images repeated to 1,000,000 (100,000 with --quick) and the model is
the window's default 2-D VAE. The two run alternately; each one's peak memory above the inputs
is read from the kernel's high-water mark (VmHWM, reset before each run through clear_refs), after
one small warm-up call of each, and the smallest of the rounds is reported.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from bench.report import Figure, figure
from latentlab.core.data import load_dataset
from latentlab.core.latent import encode_in_batches
from latentlab.core.recipes import model_for_dataset

BATCH = 4096


@torch.no_grad()
def plain_loop(model, x: torch.Tensor) -> np.ndarray:
    """What one writes by hand: encode each batch, concatenate, convert."""
    return torch.cat([model.encode(b) for b in x.split(BATCH)]).cpu().numpy()


def _peak_rss_reset() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux: reset VmHWM to the current RSS
        return True
    except OSError:
        return False


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def run(quick: bool, device: str) -> list[Figure]:
    n = 20_000 if quick else 1_000_000
    data = load_dataset("mnist5k")
    dev = torch.device(device)
    torch.manual_seed(0)
    model = model_for_dataset("vae", data).to(dev).eval()
    x = data.floats("train").flatten(1)[torch.arange(n) % len(data.train_x)].reshape(n, *data.data_shape).to(dev)
    times: dict[str, list[float]] = {"ours": [], "plain": []}
    peaks: dict[str, list[int]] = {"ours": [], "plain": []}
    can_reset = dev.type == "cpu" and _peak_rss_reset()
    encode_in_batches(model, x[:BATCH * 4], batch=BATCH)  # first calls pay torch's and the allocator's
    plain_loop(model, x[:BATCH * 4])  # warm-up: not counted
    for _ in range(2 if quick else 3):
        for key, fn in (("ours", lambda: encode_in_batches(model, x, batch=BATCH)),
                        ("plain", lambda: plain_loop(model, x))):
            if can_reset:
                _peak_rss_reset()
            before = _rss_kib("VmRSS")
            start = time.perf_counter()
            codes = fn()
            if dev.type == "cuda":
                torch.cuda.synchronize()
            times[key].append(time.perf_counter() - start)
            peaks[key].append(_rss_kib("VmHWM") - before)
            del codes
    rate = {k: n / min(v) for k, v in times.items()}
    peak = {k: max(0, min(v)) / 1024 for k, v in peaks.items()}
    memory = (f"peak memory above the inputs: ours {peak['ours']:.1f} MiB, plain loop {peak['plain']:.1f} MiB"
              if can_reset else "peak memory not measured here")
    return [figure("encode_throughput", rate["ours"] / rate["plain"], "x",
                   f"plain batched model.encode loop {rate['plain']:,.0f} codes/s (ours {rate['ours']:,.0f})",
                   ">= 1.0", f"{n:,} MNIST inputs, batch {BATCH}; {memory}")]
