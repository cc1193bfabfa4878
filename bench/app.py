"""The application while it trains: throughput against the headless trainer, and GUI-thread stalls.

The window is real (offscreen platform) with every panel live; the headless baseline is the
same model, data and settings trained by the core Trainer in the same process, alternating.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench.report import Figure, figure  # noqa: E402

HEARTBEAT_MS = 5


def headless_rate(seconds: float, device: str, threads: int) -> float:
    """The CLI's situation: the core Trainer in a process's main thread, nothing else running."""
    from latentlab.core.data import load_dataset
    from latentlab.core.recipes import model_for_dataset
    from latentlab.core.training import TrainConfig, Trainer

    data = load_dataset("mnist5k")
    torch.manual_seed(0)
    trainer = Trainer(model_for_dataset("vae", data, latent_dim=2), data,
                      TrainConfig(epochs=10_000, device=device, threads=threads))
    trainer.run(max_steps=5)  # warm up
    start, step0 = time.perf_counter(), trainer.step
    while time.perf_counter() - start < seconds:
        trainer.run(max_steps=20)
    return (trainer.step - step0) * trainer.config.batch_size / (time.perf_counter() - start)


def _headless_in_subprocess(seconds: float, device: str, threads: int) -> float:
    out = subprocess.run([sys.executable, "-m", "bench.app", str(seconds), device, str(threads)],
                         capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
    return float(out.stdout.strip().splitlines()[-1])


def _app_rate(app, window, seconds: float) -> tuple[float, np.ndarray]:
    """Train in the window for `seconds`; returns samples/s and the heartbeat gaps (ms)."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    session = window.session
    beats: list[int] = []
    clock = QElapsedTimer()
    clock.start()
    heartbeat = QTimer(interval=HEARTBEAT_MS, timeout=lambda: beats.append(clock.nsecsElapsed()))
    heartbeat.start()
    session.start()
    while session.trainer.step < 5:
        app.processEvents()
    start, step0 = time.perf_counter(), session.trainer.step
    beats.clear()
    loop = QEventLoop()  # the real event loop, as app.exec() runs it (it waits without the GIL)
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    steps = session.trainer.step - step0
    elapsed = time.perf_counter() - start
    heartbeat.stop()
    gaps = np.diff(np.asarray(beats, float)) / 1e6
    live = _live_latencies(app, window)
    session.stop()
    session.wait()
    return steps * session.train_config.batch_size / elapsed, gaps, live


def _live_latencies(app, window, times: int = 5) -> list[float]:
    """Milliseconds from setting beta in the window to the running trainer's word that its next step uses it."""
    heard: list[float] = []
    window.session.live_changed.connect(lambda *_: heard.append(time.perf_counter()))
    out = []
    for k in range(times):
        heard.clear()
        start = time.perf_counter()
        window.state.set("model.beta", 0.5 if k % 2 else 1.0)
        while not heard and time.perf_counter() - start < 5:
            app.processEvents()
            time.sleep(0.0005)
        if heard:
            out.append((heard[0] - start) * 1000)
    return out


def run(quick: bool, device: str) -> list[Figure]:
    from dataclasses import replace

    from PySide6.QtWidgets import QMessageBox

    from latentlab.gui.app import create_application, training_threads, use_gui_thread_for_small_work
    from latentlab.gui.main_window import MainWindow

    os.environ.setdefault("LATENTLAB_SETTINGS", os.path.join(os.path.dirname(__file__), "results", "bench.ini"))
    app = create_application()
    use_gui_thread_for_small_work()
    window = MainWindow()
    window.ask_save_on_close = lambda: QMessageBox.Discard
    session = window.session
    session.train_config = replace(session.train_config, epochs=10_000, device=device, threads=training_threads())
    session.set_dataset("mnist5k")  # the default: a 2-D latent VAE on MNIST-5k
    window.show()
    app.processEvents()
    seconds = 2.0 if quick else 8.0
    app_rates, head_rates, gaps, live = [], [], [], []
    for _ in range(2 if quick else 3):
        rate, g, latencies = _app_rate(app, window, seconds)
        app_rates.append(rate)
        gaps.append(g)
        live += latencies
        head_rates.append(_headless_in_subprocess(seconds, device, session.train_config.threads))
    gaps = np.concatenate(gaps)
    window.close()
    app_rate, head_rate = max(app_rates), max(head_rates)
    p99, worst = float(np.percentile(gaps, 99)), float(gaps.max())
    return [
        figure("app_vs_headless", app_rate / head_rate, "x",
               f"headless trainer {head_rate:.0f} samples/s (app {app_rate:.0f})", ">= 0.95",
               f"VAE 784-512-256-2 on mnist5k, batch 128, {session.train_config.threads} training threads"),
        figure("gui_stall_p99_ms", p99, "ms", f"{HEARTBEAT_MS} ms heartbeat, {len(gaps)} beats while training",
               "< 8"),
        figure("gui_stall_max_ms", worst, "ms", "longest gap between heartbeats", "< 33"),
        figure("live_setting_ms", float(np.median(live)) if live else float("nan"), "ms",
               f"median of {len(live)} (max {max(live, default=float('nan')):.0f} ms): setting beta to the trainer's "
               "word that its next step uses it", "< 100"),
    ]


if __name__ == "__main__":  # the headless baseline, run in its own process
    print(headless_rate(float(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
