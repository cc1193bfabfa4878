"""How long "Train pair" (the walkback dock) takes: `latentlab pair` as the window runs it, in a process
of its own, for the shipped ring and MNIST-5k DAEs (30 epochs, their own corruption), several times.

Reports each model's training seconds (as the pair measures them) and the process's wall time from its
start to its exit (Python and torch start-up, data loading and saving included: what a click on
"Train pair" waits for, less the window's own few milliseconds).

Usage: python scripts/pair_timings.py [REPEATS]   (writes bench/results/pair_timings.txt)
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from latentlab.core.walkback import RECIPE_WALKBACK

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"
LATENTLAB = Path(sys.executable).with_name("latentlab")
# Each as the window's "Train pair" runs it by default: the measured recipes' walkback steps (four on points,
# one on images).
PAIRS = {"ring8": ("pretrained:dae-ring8", RECIPE_WALKBACK["points"]),
         "mnist5k": ("pretrained:dae-mnist5k", RECIPE_WALKBACK["image"])}


def main(repeats: int = 2) -> None:
    steps = ", ".join(f"{name} {n}" for name, (_, n) in PAIRS.items())
    lines = [f"latentlab pair, 30 epochs, {repeats} runs each (walkback steps: {steps}); seconds: "
             "without + with walkback (process wall time)"]
    print(lines[0], flush=True)
    for name, (like, steps) in PAIRS.items():
        for run in range(repeats):
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                done = subprocess.run([str(LATENTLAB), "pair", like, "--out-dir", out, "--epochs", "30",
                                       "--walkback", str(steps)],
                                      capture_output=True, text=True, check=True)
                wall = time.perf_counter() - start
            a, b = (float(s) for s in re.findall(r"\(([\d.]+) s\)", done.stdout))
            lines.append(f"{name:8s} run {run + 1}: {a:.1f} + {b:.1f} s ({wall:.1f} s)")
            print(lines[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pair_timings.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
