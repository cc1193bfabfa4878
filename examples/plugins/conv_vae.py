"""A small convolutional VAE for 28x28 greyscale images, as a latentlab plug-in (docs/plugins.md).

It shows the optional parts of the protocol: encode takes images [N, 1, 28, 28] as they are, its own
loss(x) returns named terms (latentlab plots each), sample(n) draws from its prior, and
`latentlab_settings` declares its constructor's settings (--model-arg latent_dim=8).

    python examples/plugins/conv_vae.py --epochs 3        # writes conv_vae.safetensors
    latentlab --model-file examples/plugins/conv_vae.py:ConvVAE --weights conv_vae.safetensors --data mnist5k
"""

import argparse
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from latentlab.core.settings import setting


@dataclass
class ConvVAESettings:
    latent_dim: int = setting(2, label="Latent size", minimum=1, maximum=64, help="size of the code z")
    channels: int = setting(32, label="Channels", minimum=4, maximum=256, help="channels of the first conv layer")
    beta: float = setting(1.0, label="β", minimum=0, maximum=100, help="weight of the KL term in loss(x)")


class ConvVAE(nn.Module):
    latentlab_settings = ConvVAESettings

    def __init__(self, settings: ConvVAESettings = ConvVAESettings()):
        super().__init__()
        c, d = settings.channels, settings.latent_dim
        self.beta = settings.beta
        self.latent_dim = d
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c, 4, 2, 1), nn.ReLU(),  # 14x14
            nn.Conv2d(c, 2 * c, 4, 2, 1), nn.ReLU(),  # 7x7
            nn.Flatten(), nn.Linear(2 * c * 49, 256), nn.ReLU(), nn.Linear(256, 2 * d))
        self.decoder = nn.Sequential(
            nn.Linear(d, 256), nn.ReLU(), nn.Linear(256, 2 * c * 49), nn.ReLU(), nn.Unflatten(1, (2 * c, 7, 7)),
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.ReLU(),  # 14x14
            nn.ConvTranspose2d(c, 1, 4, 2, 1))  # 28x28 logits

    def encode(self, x):
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar

    def decode(self, z):
        return torch.sigmoid(self.decoder(z))

    def loss(self, x):
        mu, logvar = self.encode(x)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        recon = F.binary_cross_entropy_with_logits(self.decoder(z), x, reduction="none").flatten(1).sum(1).mean()
        kl = (0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar)).sum(1).mean()
        return {"recon": recon, "kl": kl, "total": recon + self.beta * kl}

    def sample(self, n):
        return self.decode(torch.randn(n, self.latent_dim, device=next(self.parameters()).device))


if __name__ == "__main__":
    from safetensors.torch import save_file

    from latentlab.core.data import load_dataset

    parser = argparse.ArgumentParser(description="ConvVAE on MNIST-5k")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", default="conv_vae.safetensors")
    args = parser.parse_args()
    torch.manual_seed(1)
    train_x = load_dataset("mnist5k").train_x
    model = ConvVAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        for batch in train_x[torch.randperm(len(train_x))].split(128):
            optimizer.zero_grad()
            terms = model.loss(batch)
            terms["total"].backward()
            optimizer.step()
        print(f"epoch {epoch}: " + ", ".join(f"{k} {v.item():.2f}" for k, v in terms.items()))
    save_file(model.state_dict(), args.out)
    print(f"wrote {args.out}")
