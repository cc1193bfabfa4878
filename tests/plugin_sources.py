"""Plug-in files the tests write: the pytorch/examples VAE (vae/main.py, with its script code around it) and
a few variations, each as source text to put in tmp_path."""

from pathlib import Path

import torch

# As pytorch/examples writes it: arguments parsed at import, the training loop under __main__.
EXAMPLES_VAE = '''
from __future__ import print_function
import argparse
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F

parser = argparse.ArgumentParser(description='VAE MNIST Example')
parser.add_argument('--batch-size', type=int, default=128, metavar='N')
parser.add_argument('--epochs', type=int, default=10, metavar='N')
args = parser.parse_args()
torch.manual_seed(1)


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()

        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5*logvar)
        eps = torch.randn_like(std)
        return mu + eps*std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


model = VAE()
optimizer = optim.Adam(model.parameters(), lr=1e-3)

if __name__ == "__main__":
    raise SystemExit("the training loop must not run when latentlab imports this file")
'''

# A plain autoencoder on 2-D points with its own loss(x) and sample(n), and a declared corruption.
POINTS_AE = '''
import torch
from torch import nn


class PointsAE(nn.Module):
    corruption = "gaussian"
    corruption_level = 0.3

    def __init__(self, latent: int = 2, hidden: int = 16):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, latent))
        self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.Tanh(), nn.Linear(hidden, 2))

    def encode(self, x):
        return self.enc(x)

    def decode(self, z):
        return self.dec(z)

    def loss(self, x):
        recon = (self.dec(self.enc(x)) - x).pow(2).sum(1).mean()
        return {"mse": recon, "total": recon}

    def sample(self, n):
        return self.decode(torch.randn(n, self.enc[-1].out_features))
'''


def write_examples_vae(folder: Path, name: str = "vae_main.py") -> Path:
    path = folder / name
    path.write_text(EXAMPLES_VAE)
    return path


def save_examples_weights(folder: Path, seed: int = 0) -> Path:
    """Random weights of the pytorch/examples VAE, saved as that script saves them."""
    from torch import nn

    torch.manual_seed(seed)
    layers = {"fc1": (784, 400), "fc21": (400, 20), "fc22": (400, 20), "fc3": (20, 400), "fc4": (400, 784)}
    state = {}
    for name, (n_in, n_out) in layers.items():
        layer = nn.Linear(n_in, n_out)
        state[f"{name}.weight"], state[f"{name}.bias"] = layer.weight.detach(), layer.bias.detach()
    path = folder / "vae.pt"
    torch.save(state, path)
    return path
