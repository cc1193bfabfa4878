"""What a window's small bursts of work cost a training process that runs on every core.

    python scripts/trainer_interference.py [SECONDS]      (default 6; writes bench/results/trainer_interference.txt)

bench/app.py finds the window's training at 0.88-0.93 of the headless trainer while the window itself uses
about 4% of one core. This measures the mechanism on its own, with no window: the headless trainer (the
default VAE, niced as the window's training process is) runs alone, then beside a process at normal priority
that wakes every 100 ms and computes for a few milliseconds, as the window's redraws do, and under the control
protocol of the window's training process with no window at all (core/control.py: step events, and snapshots
with the live codes, acknowledged at once). Runs alternate and the best of five is taken for each.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "trainer_interference.txt"
RUNS = 5
TRAINER = """
import sys, time
import torch
from latentlab.core.control import yield_to_the_window
from latentlab.core.data import as_float, load_dataset
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import TrainConfig, Trainer
data = load_dataset("mnist5k")
torch.manual_seed(0)
trainer = Trainer(model_for_dataset("vae", data, latent_dim=2), data, TrainConfig(epochs=10_000, threads=2))
yield_to_the_window()
trainer.run(max_steps=5)
seconds, protocol = float(sys.argv[1]), sys.argv[2] == "protocol"
start, step0 = time.perf_counter(), trainer.step
if protocol:  # the window's training process without the window: events, and snapshots read at once
    import io, json, os, tempfile, threading
    from pathlib import Path
    from latentlab.core.control import Controller
    commands_r, commands_w = os.pipe()
    events_r, events_w = os.pipe()
    commands, events = os.fdopen(commands_r), os.fdopen(events_w, "w")
    def window():
        with os.fdopen(commands_w, "w") as out, os.fdopen(events_r) as heard:
            for line in heard:
                if json.loads(line)["event"] == "snapshot":
                    out.write(json.dumps({"cmd": "snapshot_taken"}) + "\\n")
                    out.flush()
    threading.Thread(target=window, daemon=True).start()
    control = Controller(trainer, Path(tempfile.mkdtemp()), commands, events,
                         code_inputs=(as_float(data.train_x[:4500]), as_float(data.test_x[:500])))
    trainer.on_step = control.on_step
    control.listen()
    start, step0 = time.perf_counter(), trainer.step
while time.perf_counter() - start < seconds:
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


def trainer_rate(seconds: float, burst_ms: float, protocol: bool = False) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    bursts = subprocess.Popen([sys.executable, "-c", BURSTS, str(burst_ms)]) if burst_ms else None
    try:
        out = subprocess.run([sys.executable, "-c", TRAINER, str(seconds), "protocol" if protocol else "plain"],
                             capture_output=True, text=True, check=True, env=env, cwd=ROOT)
    finally:
        if bursts:
            bursts.kill()
            bursts.wait()
    return float(out.stdout.split()[-1])


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 6.0
    lines = [f"trainer_interference, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
             f"{seconds:g} s a run, best of {RUNS} alternating runs (this shared machine's noise: a few %)"]
    rates: dict[float, list[float]] = {0.0: [], 2.0: [], 4.0: [], 8.0: []}
    protocol: list[float] = []
    for _ in range(RUNS):
        for burst in rates:
            rates[burst].append(trainer_rate(seconds, burst))
        protocol.append(trainer_rate(seconds, 0.0, protocol=True))
    alone = max(rates[0.0])
    lines.append(f"alone: {alone:.0f} samples/s")
    lines.append(f"under the window's protocol, with no window (step events, snapshots of the weights and the "
                 f"5,000 live codes, read at once): {max(protocol) / alone:.3f} of alone")
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
