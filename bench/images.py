"""Colour images: building a dataset from a folder of PNGs, and training the conv VAE on 32x32 RGB.

folder_build_vs_imagefolder: images/s of core.data.folders.load_image_folder (headers first, then every
image decoded into one uint8 array, split into train and test) against torchvision's ImageFolder with
ToTensor and a DataLoader (batch 256, no worker processes) read into one tensor, on the same folder of
20,000 generated 32x32 RGB PNGs in 10 class subfolders (300 with --quick), written to a temporary
folder first. The two alternate; the best round of each is compared.

conv_train_vs_reference: training samples/s of the core Trainer with the conv VAE on the 32x32 colour
shapes against a loop written in the style of pytorch/examples vae/main.py (a DataLoader over the
images, sigmoid outputs, binary cross-entropy summed plus the KL, loss.item() every step) with the
same conv layers, batch 128 and Adam 1e-3. Epochs alternate; the best epoch of each, after the
first, is compared; each epoch includes its held-out evaluation (the trainer's test metrics, the example's test()).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from bench.report import Figure, figure, timed_into
from latentlab.core.data import as_float
from latentlab.core.data.folders import load_image_folder
from latentlab.core.data.shapes import draw_shapes, factor_values, load_shapes
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import TrainConfig, Trainer

CLASSES = 10
LOADER_BATCH = 256
BATCH, LR, LATENT, HIDDEN = 128, 1e-3, 8, 128


def write_png_folder(root: Path, n: int, side: int = 32) -> None:
    """n coloured shapes as side x side RGB PNGs, spread over CLASSES subfolders."""
    from PIL import Image

    f = factor_values(n, seed=0)
    pixels = draw_shapes(f["shape"], f["hue"], f["scale"], f["x"], f["y"], f["rotation"], side, dtype=np.uint8)
    for c in range(CLASSES):
        (root / f"class{c}").mkdir(parents=True)
    for i, image in enumerate(pixels):
        Image.fromarray(np.ascontiguousarray(image.transpose(1, 2, 0))).save(root / f"class{i % CLASSES}" / f"{i}.png")


def imagefolder_tensor(root: Path) -> tuple[torch.Tensor, torch.Tensor]:
    """What one writes with torchvision: ImageFolder + ToTensor, a DataLoader, the batches concatenated."""
    from torchvision import datasets, transforms

    data = datasets.ImageFolder(str(root), transform=transforms.ToTensor())
    loader = torch.utils.data.DataLoader(data, batch_size=LOADER_BATCH, num_workers=0)
    xs, ys = zip(*loader)
    return torch.cat(xs), torch.cat(ys)


def folder_figure(quick: bool) -> Figure:
    n = 300 if quick else 20_000
    with tempfile.TemporaryDirectory(prefix="latentlab-bench-") as tmp:
        root = Path(tmp) / "pngs"
        write_png_folder(root, n)
        times: dict[str, list[float]] = {"ours": [], "imagefolder": []}
        shapes = {}
        for _ in range(2 if quick else 3):
            for key, fn in (("ours", lambda: load_image_folder(root)), ("imagefolder", lambda: imagefolder_tensor(root))):
                start = time.perf_counter()
                got = fn()
                times[key].append(time.perf_counter() - start)
                shapes[key] = (len(got.train_x) + len(got.test_x)) if key == "ours" else len(got[0])
                del got
    if shapes["ours"] != shapes["imagefolder"] or shapes["ours"] != n:
        raise RuntimeError(f"the two read different numbers of images: {shapes}, {n} written")
    rate = {k: n / min(v) for k, v in times.items()}
    return figure("folder_build_vs_imagefolder", rate["ours"] / rate["imagefolder"], "x",
                  f"torchvision ImageFolder + DataLoader {rate['imagefolder']:,.0f} images/s "
                  f"(ours {rate['ours']:,.0f})", ">= 1.0",
                  f"{n:,} 32x32 RGB PNGs in {CLASSES} class folders; best of {len(times['ours'])} alternating rounds")


class ExampleConvVAE(nn.Module):
    """pytorch/examples/vae/main.py's VAE with the conv layers of latentlab's 32x32 conv VAE
    (core/models/nets.py: 3-16-32-64 stride-2 convolutions, a 128-wide hidden layer, 8-D codes)."""

    def __init__(self, hidden: int = HIDDEN, latent: int = LATENT):
        super().__init__()
        self.conv1, self.conv2, self.conv3 = (nn.Conv2d(3, 16, 4, 2, 1), nn.Conv2d(16, 32, 4, 2, 1),
                                              nn.Conv2d(32, 64, 4, 2, 1))
        self.fc1, self.fc21, self.fc22 = nn.Linear(1024, hidden), nn.Linear(hidden, latent), nn.Linear(hidden, latent)
        self.fc3, self.fc4 = nn.Linear(latent, hidden), nn.Linear(hidden, 1024)
        self.deconv1, self.deconv2, self.deconv3 = (nn.ConvTranspose2d(64, 32, 4, 2, 1),
                                                    nn.ConvTranspose2d(32, 16, 4, 2, 1),
                                                    nn.ConvTranspose2d(16, 3, 4, 2, 1))

    def encode(self, x):
        h = F.relu(self.conv3(F.relu(self.conv2(F.relu(self.conv1(x))))))
        h = F.relu(self.fc1(h.flatten(1)))
        return self.fc21(h), self.fc22(h)

    def decode(self, z):
        h = F.relu(self.fc4(F.relu(self.fc3(z)))).view(-1, 64, 4, 4)
        return torch.sigmoid(self.deconv3(F.relu(self.deconv2(F.relu(self.deconv1(h))))))

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.decode(z), mu, logvar


def example_loss(recon, x, mu, logvar):
    bce = F.binary_cross_entropy(recon, x, reduction="sum")
    return bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def example_epoch(model, optimizer, loader, device) -> float:
    """pytorch/examples/vae/main.py's train(): per batch, to the device, step, accumulate loss.item()."""
    model.train()
    train_loss = 0.0
    for data, in loader:
        data = data.to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = example_loss(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
    return train_loss / len(loader.dataset)


@torch.no_grad()
def example_test(model, loader, device) -> float:
    """pytorch/examples/vae/main.py's test(): the held-out loss, batch by batch."""
    model.eval()
    test_loss = 0.0
    for data, in loader:
        data = data.to(device)
        recon_batch, mu, logvar = model(data)
        test_loss += example_loss(recon_batch, data, mu, logvar).item()
    return test_loss / len(loader.dataset)


def conv_train_figure(quick: bool, device: str) -> Figure:
    data = load_shapes(n=600 if quick else 10_000)
    dev = torch.device(device)
    epochs = 2 if quick else 5
    torch.manual_seed(0)
    ours = model_for_dataset("vae", data, arch="conv", latent_dim=LATENT, hidden=(HIDDEN,), likelihood="bernoulli")
    trainer = Trainer(ours, data, TrainConfig(epochs=epochs, batch_size=BATCH, lr=LR, device=device))
    torch.manual_seed(0)
    reference = ExampleConvVAE().to(dev)
    if sum(p.numel() for p in reference.parameters()) != sum(p.numel() for p in ours.parameters()):
        raise RuntimeError("the reference conv VAE does not have the trainer's model's parameters")
    optimizer = torch.optim.Adam(reference.parameters(), lr=LR)
    train_x = as_float(data.train_x)  # the example's ToTensor() images: float32 in [0, 1]
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train_x), batch_size=BATCH, shuffle=True)
    test_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(as_float(data.test_x)), batch_size=BATCH)
    times: dict[str, list[float]] = {"trainer": [], "reference": []}

    def timed(key, fn):
        timed_into(times, key, fn, dev)

    for epoch in range(epochs):
        timed("trainer", lambda e=epoch: trainer.run(epochs=e + 1))
        timed("reference", lambda: (example_epoch(reference, optimizer, loader, dev),
                                    example_test(reference, test_loader, dev)))
    rate = {k: len(train_x) / min(v[1:] or v) for k, v in times.items()}  # the first epoch warms up
    return figure("conv_train_vs_reference", rate["trainer"] / rate["reference"], "x",
                  f"pytorch/examples-style loop {rate['reference']:,.0f} samples/s (trainer {rate['trainer']:,.0f})",
                  ">= 1.0", f"conv VAE (3-16-32-64 convs, {HIDDEN} hidden, {LATENT}-D codes) on {len(train_x):,} "
                  f"32x32 RGB shapes, batch {BATCH}, Adam {LR:g}; best of {epochs - 1} alternating epochs")


def run(quick: bool, device: str) -> list[Figure]:
    return [folder_figure(quick), conv_train_figure(quick, device)]
