"""A plain deterministic autoencoder: the lecture's example of a latent space poor for generation."""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor, nn

from latentlab.core.models.base import LatentModel, LossTerms, ModelConfig, decoder_mean, reconstruction_nll
from latentlab.core.models.nets import learned_log_sigma, make_decoder, make_encoder
from latentlab.core.models.registry import register_model


@dataclass(frozen=True)
class AutoencoderConfig(ModelConfig):
    pass


class DecoderMixin:
    """decode() for models whose decoder emits logits (bernoulli, cbernoulli) or means (gaussian)."""

    decoder: nn.Module
    config: ModelConfig

    def decode(self, z: Tensor) -> Tensor:
        return decoder_mean(self.decoder(z), self.config.likelihood)

    def recon_nll(self, raw: Tensor, x: Tensor) -> Tensor:
        return reconstruction_nll(raw, x, self.config.likelihood, self.config.obs_sigma,
                                  learned_log_sigma(self.decoder))


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
