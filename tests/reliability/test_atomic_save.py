"""Kill a process while it saves, again and again: the previous checkpoint always survives."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import torch

from latentlab.core.checkpoints import load_checkpoint, save_checkpoint
from latentlab.core.models import build_model

KILLS = int(os.environ.get("LATENTLAB_KILLS", "12"))  # each kill costs a process start (~1.5 s)
SAVER = """
import sys, torch
from latentlab.core.checkpoints import save_checkpoint
from latentlab.core.models import build_model
model = build_model("vae", {"data_shape": (1, 28, 28), "latent_dim": 2, "hidden": (256,)})
print("ready", flush=True)
step = 0
while True:
    step += 1
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(step % 7)
    save_checkpoint(sys.argv[1], model, step=step)
"""


def test_sigkill_during_saves_never_destroys_the_last_checkpoint(tmp_path):
    path = tmp_path / "model.safetensors"
    model = build_model("vae", {"data_shape": (1, 28, 28), "latent_dim": 2, "hidden": (256,)})
    save_checkpoint(path, model)
    rng = np.random.default_rng(0)
    steps_seen = set()
    for _ in range(KILLS):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(float(rng.uniform(0.0, 0.15)))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        ckpt = load_checkpoint(path)  # must never raise: the file is the old one or a complete new one
        value = ckpt.step % 7
        assert all(torch.all(p == value) for p in ckpt.model.parameters()) or ckpt.step == 0
        steps_seen.add(ckpt.step)
    assert len(steps_seen) > 1, "the kills never landed after a save: the test proved nothing"
    # leftovers of killed saves are cleaned by the next successful save
    save_checkpoint(path, model)
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]
