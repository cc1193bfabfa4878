"""A plain deterministic autoencoder: the lecture's example of a latent space poor for generation."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from latentlab.core.models.base import LatentModel, LossTerms, ModelConfig, reconstruction_nll
from latentlab.core.models.nets import make_decoder, make_encoder
from latentlab.core.models.registry import register_model


@dataclass(frozen=True)
class AutoencoderConfig(ModelConfig):
    pass


class DecoderMixin:
    """decode() for models whose decoder emits logits (bernoulli) or means (gaussian)."""

    decoder: nn.Module
    config: ModelConfig

    def decode(self, z: Tensor) -> Tensor:
        raw = self.decoder(z)
        return torch.sigmoid(raw) if self.config.likelihood == "bernoulli" else raw

    def recon_nll(self, raw: Tensor, x: Tensor) -> Tensor:
        return reconstruction_nll(raw, x, self.config.likelihood, self.config.obs_sigma)


@register_model
class Autoencoder(DecoderMixin, LatentModel):
    config: AutoencoderConfig
    family = "autoencoder"
    config_class = AutoencoderConfig
    description = "Deterministic autoencoder trained on reconstruction only; sampling decodes N(0, I) noise."
    loss_names = ("recon", "total")
    missing = {"posterior": "a plain autoencoder's encoder gives a point, not a distribution"}

    def __init__(self, config: AutoencoderConfig):
        super().__init__(config)
        self.encoder = make_encoder(config, config.latent_dim)
        self.decoder = make_decoder(config)

    def encode(self, x: Tensor) -> Tensor:
        return self.encoder(x)

    def loss(self, batch: Tensor) -> LossTerms:
        recon = self.recon_nll(self.decoder(self.encoder(batch)), batch).mean()
        return {"recon": recon, "total": recon}
