"""A small MLP VAE written the way pytorch/examples (vae/main.py) writes its VAE, for latentlab's plug-in
protocol (docs/plugins.md): encode(x) takes x flattened to 784 values and returns (mu, logvar), decode(z)
returns sigmoid pixels [N, 784]. latentlab finds the shapes itself and, as there is no loss(x), trains it
on the ELBO.

Train it here on MNIST-5k (the digits latentlab ships) and save the weights as pytorch/examples does:

    python examples/plugins/mlp_vae.py --epochs 5        # writes vae.pt
    latentlab --model-file examples/plugins/mlp_vae.py:VAE --weights vae.pt --data mnist5k
"""

import argparse

import torch
from torch import nn, optim
from torch.nn import functional as F


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
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


if __name__ == "__main__":
    from latentlab.core.data import load_dataset

    parser = argparse.ArgumentParser(description="VAE MNIST-5k example")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--out", default="vae.pt")
    args = parser.parse_args()
    torch.manual_seed(1)
    train_x = load_dataset("mnist5k").train_x
    model = VAE()
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        total = 0.0
        for batch in train_x[torch.randperm(len(train_x))].split(args.batch_size):
            optimizer.zero_grad()
            recon, mu, logvar = model(batch)
            loss = loss_function(recon, batch, mu, logvar)
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / len(train_x):.2f}")
    torch.save(model.state_dict(), args.out)
    print(f"wrote {args.out}")
