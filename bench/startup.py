"""Cold start against bare imports, and peak memory with MNIST-sized data, each in fresh processes."""

from __future__ import annotations

import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import Figure, figure

ROOT = Path(__file__).parent.parent
IMPORTS = ("import sys, time; t0 = float(sys.argv[1]); import torch, PySide6.QtWidgets, pyqtgraph; "
           "print(time.time() - t0, flush=True)")


def _timed(args: list[str], env: dict) -> float:
    """Seconds from spawning the process to the moment it reports (its exit is not counted)."""
    out = subprocess.run([*args, repr(time.time())], check=True, capture_output=True, text=True, cwd=ROOT, env=env)
    return float(out.stdout.split()[-1])


def _env(settings: Path) -> dict:
    import os

    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LATENTLAB_SETTINGS": str(settings)}


def write_mnist_like(folder: Path, n_train: int = 60_000, n_test: int = 10_000) -> None:
    """MNIST-sized IDX files made from mnist5k's digits (repeated, shifted a pixel), so nothing downloads."""
    from latentlab.core.data import load_dataset

    base = load_dataset("mnist5k").train_x[:, 0].numpy()  # uint8 pixels, as the Dataset keeps them
    rng = np.random.default_rng(0)

    def images(n):
        pick = base[rng.integers(0, len(base), n)]
        return np.roll(pick, rng.integers(-1, 2), axis=2)

    raw = folder / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name, array in (("train-images-idx3-ubyte", images(n_train)), ("t10k-images-idx3-ubyte", images(n_test)),
                        ("train-labels-idx1-ubyte", rng.integers(0, 10, n_train).astype(np.uint8)),
                        ("t10k-labels-idx1-ubyte", rng.integers(0, 10, n_test).astype(np.uint8))):
        header = struct.pack(">I", 0x0800 + array.ndim) + b"".join(struct.pack(">I", s) for s in array.shape)
        (raw / name).write_bytes(header + array.tobytes())


def run(quick: bool, device: str) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp) / "settings.ini")
        python = sys.executable
        _timed([python, "-c", IMPORTS], env)  # warm the file cache for both
        cold, bare = [], []
        for _ in range(2 if quick else 4):
            bare.append(_timed([python, "-c", IMPORTS], env))
            cold.append(_timed([python, "-m", "bench.probe", "coldstart"], env))
        figures = [figure("coldstart_vs_imports", min(cold) / min(bare), "x",
                          f"bare imports {min(bare):.2f} s; window painted with its points {min(cold):.2f} s", "<= 1.3",
                          "default state: 2-D VAE on mnist5k, offscreen")]
        if quick:
            return figures
        folder = Path(tmp) / "mnist"
        write_mnist_like(folder)
        def peak_rss(data: str) -> tuple[int, int]:
            out = subprocess.run([python, "-m", "bench.probe", "rss", data], check=True, capture_output=True,
                                 text=True, cwd=ROOT, env=env).stdout.split()
            return int(out[-2]), int(out[-1])

        peak, points = peak_rss(str(folder))
        base, _ = peak_rss("none")
        # The yardstick the target was set against: the images as float32. They are held as uint8 now (a
        # quarter of that), so the figure is the window's memory over what float images alone would take.
        raw = 70_000 * 784 * 4
        figures.append(figure("rss_over_data", (peak - base) / raw, "x",
                              f"peak RSS {peak / 2**20:.0f} MiB vs {base / 2**20:.0f} MiB on a toy set; data "
                              f"70,000 x 784 as float32 = {raw / 2**20:.0f} MiB (held as uint8)", "<= 1.5",
                              f"{points:,} points encoded for the scatter; the figure is the memory the data "
                              "adds to the application, over the data's own size"))
        return figures
