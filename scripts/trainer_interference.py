"""What a window's small bursts of work cost a training process that runs on every core.

    python scripts/trainer_interference.py [SECONDS]      (default 8; writes bench/results/trainer_interference.txt)

bench/app.py finds the window's training at 0.86-0.90 of the headless trainer while the window itself uses
about 4% of one core. This measures the mechanism on its own, with no window: the headless trainer (the
default VAE, niced as the window's training process is) runs alone, then beside a process at normal priority
that wakes every 100 ms and computes for a few milliseconds, as the window's redraws do. Runs alternate and the
best of three is taken for each. When the burst pre-empts one of the trainer's two OpenMP threads, the other
waits for it at the next barrier, so each millisecond of burst costs the trainer up to two core-milliseconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "trainer_interference.txt"
TRAINER = """
import sys, time
import torch
from latentlab.core.control import yield_to_the_window
from latentlab.core.data import load_dataset
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import TrainConfig, Trainer
data = load_dataset("mnist5k")
torch.manual_seed(0)
trainer = Trainer(model_for_dataset("vae", data, latent_dim=2), data, TrainConfig(epochs=10_000, threads=2))
yield_to_the_window()
trainer.run(max_steps=5)
start, step0 = time.perf_counter(), trainer.step
while time.perf_counter() - start < float(sys.argv[1]):
    trainer.run(max_steps=20)
print((trainer.step - step0) * trainer.config.batch_size / (time.perf_counter() - start))
"""
BURSTS = """
import sys, time
busy_s, every_s = float(sys.argv[1]) / 1000, 0.1
while True:
    t = time.perf_counter()
    while time.perf_counter() - t < busy_s:
        pass
    time.sleep(max(0.0, every_s - (time.perf_counter() - t)))
"""


def trainer_rate(seconds: float, burst_ms: float) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    bursts = subprocess.Popen([sys.executable, "-c", BURSTS, str(burst_ms)]) if burst_ms else None
    try:
        out = subprocess.run([sys.executable, "-c", TRAINER, str(seconds)], capture_output=True, text=True,
                             check=True, env=env, cwd=ROOT)
    finally:
        if bursts:
            bursts.kill()
            bursts.wait()
    return float(out.stdout.split()[-1])


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0
    lines = [f"trainer_interference, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
             f"{seconds:g} s a run, best of 3 alternating runs"]
    rates: dict[float, list[float]] = {0.0: [], 2.0: [], 4.0: [], 8.0: []}
    for _ in range(3):
        for burst in rates:
            rates[burst].append(trainer_rate(seconds, burst))
    alone = max(rates[0.0])
    lines.append(f"alone: {alone:.0f} samples/s")
    for burst in list(rates)[1:]:
        share = burst / 100  # of one core
        loss = 1 - max(rates[burst]) / alone
        lines.append(f"beside {burst:g} ms of work every 100 ms ({share:.0%} of one core): "
                     f"{max(rates[burst]) / alone:.3f} of alone, a loss of {loss:.1%} = {loss / share:.1f}x "
                     "the burst's share of one core")
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
