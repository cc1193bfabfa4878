"""Encoder and decoder networks shared by the model families: MLPs, and a small conv net for 28x28."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from latentlab.core.models.base import ModelConfig


def mlp(sizes: Sequence[int], final_activation: nn.Module | None = None) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    if final_activation is not None:
        layers.append(final_activation)
    return nn.Sequential(*layers)


class Reshape(nn.Module):
    def __init__(self, *shape: int):
        super().__init__()
        self.shape = shape

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], *self.shape)


def make_encoder(config: ModelConfig, out_features: int) -> nn.Module:
    """Data [N, *data_shape] -> [N, out_features]."""
    if config.arch == "conv":
        return nn.Sequential(
            nn.Conv2d(1, 32, 4, stride=2, padding=1), nn.ReLU(),   # 14x14
            nn.Conv2d(32, 64, 4, stride=2, padding=1), nn.ReLU(),  # 7x7
            nn.Flatten(),
            mlp([64 * 7 * 7, *config.hidden, out_features]),
        )
    return nn.Sequential(nn.Flatten(), mlp([config.data_size, *config.hidden, out_features]))


def make_decoder(config: ModelConfig, in_features: int | None = None) -> nn.Module:
    """[N, in_features] -> raw data-space output (logits or means) shaped [N, *data_shape]."""
    width = config.latent_dim if in_features is None else in_features
    hidden = tuple(reversed(config.hidden))
    if config.arch == "conv":
        return nn.Sequential(
            mlp([width, *hidden, 64 * 7 * 7]), nn.ReLU(), Reshape(64, 7, 7),
            nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1),
        )
    return nn.Sequential(mlp([width, *hidden, config.data_size]), Reshape(*config.data_shape))
