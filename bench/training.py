"""Training throughput of the core Trainer against the loops people write by hand.

The model is pytorch/examples' VAE (784-400-20, batch 128, Adam 1e-3) on mnist5k.
Runs alternate (trainer, tight, dataloader, trainer, ...) so drifting machine load
hits all of them alike; the best epoch time of each is compared.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import nn

from bench.floor import floor_step
from bench.report import Figure, figure, sync, timed_into
from latentlab.core.data import load_dataset
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import TrainConfig, Trainer

BATCH, LR = 128, 1e-3


class ExampleVAE(nn.Module):
    """pytorch/examples/vae/main.py, as written there."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x.view(-1, 784)))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def example_loss(recon, x, mu, logvar):
    bce = F.binary_cross_entropy(recon, x.view(-1, 784), reduction="sum")
    return bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def tight_epoch(model, opt, x):
    """Hand-written: shuffle once, then step over pre-batched tensors."""
    for batch in x[torch.randperm(len(x))].split(BATCH):
        recon, mu, logvar = model(batch)
        loss = example_loss(recon, batch, mu, logvar) / len(batch)
        opt.zero_grad()
        loss.backward()
        opt.step()


def dataloader_epoch(model, opt, loader):
    """The example's own style: a DataLoader over a TensorDataset."""
    for (batch,) in loader:
        recon, mu, logvar = model(batch)
        loss = example_loss(recon, batch, mu, logvar) / len(batch)
        opt.zero_grad()
        loss.backward()
        opt.step()


@torch.no_grad()
def example_elbo(model, x):
    total = 0.0
    for batch in x.split(1000):
        recon, mu, logvar = model(batch)
        total += example_loss(recon.clamp(1e-7, 1 - 1e-7), batch, mu, logvar).item()
    return -total / len(x)


def run(quick: bool, device: str) -> list[Figure]:
    data = load_dataset("mnist5k")
    dev = torch.device(device)
    x = data.floats("train").to(dev)  # the hand loops get floats up front, as pytorch/examples' MNIST loop does
    epochs = 2 if quick else 6
    torch.manual_seed(0)
    ours = model_for_dataset("vae", data, latent_dim=20, hidden=(400,))
    trainer = Trainer(ours, data, TrainConfig(epochs=epochs, batch_size=BATCH, lr=LR, device=device))
    torch.manual_seed(0)
    tight = ExampleVAE().to(dev)
    tight_opt = torch.optim.Adam(tight.parameters(), lr=LR)
    torch.manual_seed(0)
    loader_model = ExampleVAE().to(dev)
    loader_opt = torch.optim.Adam(loader_model.parameters(), lr=LR)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x), batch_size=BATCH, shuffle=True)

    times = {"trainer": [], "tight": [], "dataloader": []}

    def timed(key, fn):
        timed_into(times, key, fn, dev)

    for epoch in range(epochs):
        timed("trainer", lambda e=epoch: trainer.run(epochs=e + 1))
        timed("tight", lambda: tight_epoch(tight, tight_opt, x))
        timed("dataloader", lambda: dataloader_epoch(loader_model, loader_opt, loader))
    rate = {k: len(x) / min(v[1:] or v) for k, v in times.items()}  # the first epoch warms up
    ours_elbo = trainer.evaluate()["elbo"]
    tight_elbo = example_elbo(tight, data.floats("test").to(dev))
    gap = abs(ours_elbo - tight_elbo) / abs(tight_elbo)
    note = (f"{epochs} epochs; test ELBO trainer {ours_elbo:.2f} vs hand loop {tight_elbo:.2f} nats "
            f"({gap:.2%} apart, target within 1%)")
    return [
        *(floor_figure(data, arch, quick, device) for arch in ("mlp", "conv")),
        figure("train_vs_tight", rate["trainer"] / rate["tight"], "x",
               f"hand-written loop {rate['tight']:.0f} samples/s (a DataLoader loop "
               f"{rate['dataloader']:.0f})", ">= 1.0", note),
        figure("train_elbo_gap", gap * 100, "%", f"hand loop ELBO {tight_elbo:.2f}", "<= 1.0"),
    ]


def floor_figure(data, arch: str, quick: bool, device: str) -> Figure:
    """The trainer's step time over the time of the same step's matrix products alone (bench/floor.py),
    for the default VAE of the window (784-512-256-2 MLP, or the conv VAE), timed alternately."""
    torch.manual_seed(0)
    model = model_for_dataset("vae", data, arch=arch)
    trainer = Trainer(model, data, TrainConfig(epochs=10_000, batch_size=BATCH, lr=LR, device=device))
    dev = torch.device(device)
    batch = data.floats("train", slice(0, BATCH)).to(dev)
    floor = floor_step(trainer.model, lambda: trainer.model.loss(batch), dev)

    def gradients() -> None:
        """The step without the optimizer: where the rest of the gap lies (the figure's note)."""
        trainer.model.loss(batch)["total"].backward()
        trainer.model.zero_grad(set_to_none=True)

    trainer.train_step()  # Adam's state exists before anything is timed
    times: dict[str, list[float]] = {"step": [], "floor": [], "gradients": []}
    rounds, per_round = (8, 5) if quick else (30, 10)
    for _ in range(rounds):
        for key, fn in (("step", trainer.train_step), ("floor", floor), ("gradients", gradients)):
            sync(dev)
            start = time.perf_counter()
            for _ in range(per_round):
                fn()
            sync(dev)
            times[key].append((time.perf_counter() - start) / per_round)
    step_s, floor_s, grads_s = (sorted(times[k][1:])[(rounds - 1) // 2] for k in ("step", "floor", "gradients"))
    name = "train_vs_floor" if arch == "mlp" else "train_vs_floor_conv"
    return figure(name, step_s / floor_s, "x", f"matrix products alone {floor_s * 1e3:.2f} ms "
                  f"(step {step_s * 1e3:.2f} ms, batch {BATCH})", "<= 1.25",
                  f"{'784-512-256-2 MLP' if arch == 'mlp' else 'conv'} VAE on mnist5k; medians of "
                  f"{rounds - 1} alternating rounds of {per_round} steps; the loss and its gradients alone take "
                  f"{grads_s * 1e3:.2f} ms (the rest of the step is Adam and the batch)")
