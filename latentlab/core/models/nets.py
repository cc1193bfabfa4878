"""Encoder and decoder networks shared by the model families: MLPs, and small DCGAN-style conv nets for square
28x28, 32x32 and 64x64 images with any number of channels (grey or colour)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
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


# Channels of each stride-2 convolution, by image side; every side ends on a small square the MLP takes.
# 28 -> 14 -> 7 (the original MNIST net, so its checkpoints still load); 32 -> 16 -> 8 -> 4; 64 -> ... -> 4.
CONV_CHANNELS = {28: (32, 64), 32: (16, 32, 64), 64: (16, 32, 64, 64)}


def _conv_plan(config: ModelConfig) -> tuple[int, tuple[int, ...], int]:
    """(image channels, conv channels, side of the last feature map) of a conv net for config.data_shape."""
    channels, side = config.data_shape[0], config.data_shape[-1]
    widths = CONV_CHANNELS[side]
    return channels, widths, side >> len(widths)


class MeanDecoder(nn.Sequential):
    """A decoder whose Gaussian likelihood learns one σ (log_sigma), for likelihood "gaussian-learned"."""

    def __init__(self, *layers: nn.Module, log_sigma: float = 0.0):
        super().__init__(*layers)
        self.log_sigma = nn.Parameter(torch.tensor(float(log_sigma)))


def make_encoder(config: ModelConfig, out_features: int) -> nn.Module:
    """Data [N, *data_shape] -> [N, out_features]."""
    if config.arch == "conv":
        channels, widths, end = _conv_plan(config)
        layers: list[nn.Module] = []
        for a, b in zip((channels, *widths[:-1]), widths):
            layers += [nn.Conv2d(a, b, 4, stride=2, padding=1), nn.ReLU()]
        return nn.Sequential(*layers, nn.Flatten(), mlp([widths[-1] * end * end, *config.hidden, out_features]))
    return nn.Sequential(nn.Flatten(), mlp([config.data_size, *config.hidden, out_features]))


def make_decoder(config: ModelConfig, in_features: int | None = None) -> nn.Module:
    """[N, in_features] -> raw data-space output (logits or means) shaped [N, *data_shape]."""
    width = config.latent_dim if in_features is None else in_features
    hidden = tuple(reversed(config.hidden))
    layers: list[nn.Module]
    if config.arch == "conv":
        channels, widths, end = _conv_plan(config)
        back = tuple(reversed(widths))
        layers = [mlp([width, *hidden, back[0] * end * end]), nn.ReLU(), Reshape(back[0], end, end)]
        for i, (a, b) in enumerate(zip(back, (*back[1:], channels))):
            layers.append(nn.ConvTranspose2d(a, b, 4, stride=2, padding=1))
            if i < len(back) - 1:
                layers.append(nn.ReLU())
    else:
        layers = [mlp([width, *hidden, config.data_size]), Reshape(*config.data_shape)]
    if config.likelihood == "gaussian-learned":
        return MeanDecoder(*layers, log_sigma=math.log(config.obs_sigma))
    return nn.Sequential(*layers)


def learned_log_sigma(decoder: nn.Module) -> Tensor | None:
    """The decoder's learned log σ (likelihood gaussian-learned), else None."""
    return decoder.log_sigma if isinstance(decoder, MeanDecoder) else None
