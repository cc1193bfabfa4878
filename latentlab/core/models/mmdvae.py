"""The MMD-VAE (InfoVAE / WAE style): the KL term replaced by MMD between q(z) and N(0, I)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from latentlab.core.mmd import mmd_loss
from latentlab.core.models.autoencoder import DecoderMixin
from latentlab.core.models.base import LatentModel, LossTerms, ModelConfig
from latentlab.core.models.nets import make_decoder, make_encoder
from latentlab.core.models.registry import register_model
from latentlab.core.models.vae import GaussianEncoderMixin
from latentlab.core.settings import setting

BASE_BANDWIDTHS = (0.2, 0.5, 1.0, 2.0, 5.0)  # times sqrt(latent_dim), the scale of N(0, I) distances


@dataclass(frozen=True)
class MMDVAEConfig(ModelConfig):
    mmd_weight: float = setting(100.0, label="MMD weight", minimum=0, maximum=100000, live=True,
                                help="Weight of the MMD² term between the batch's codes and N(0, I) samples")

    def problems(self) -> list[str]:
        out = super().problems()
        if self.mmd_weight < 0:
            out.append("mmd_weight must be non-negative")
        return out


@register_model
class MMDVAE(GaussianEncoderMixin, DecoderMixin, LatentModel):
    config: MMDVAEConfig
    family = "mmdvae"
    config_class = MMDVAEConfig
    description = ("MMD-VAE: reconstruction + mmd_weight * MMD^2 between the batch's codes and "
                   "N(0, I) samples; matches the aggregate posterior, not each q(z|x).")
    loss_names = ("recon", "mmd", "total")

    def __init__(self, config: MMDVAEConfig):
        super().__init__(config)
        self.encoder = make_encoder(config, 2 * config.latent_dim)
        self.decoder = make_decoder(config)
        self.sigmas = tuple(s * math.sqrt(config.latent_dim) for s in BASE_BANDWIDTHS)

    def loss(self, batch: Tensor) -> LossTerms:
        mu, logvar = self.encode_dist(batch)
        z = self.reparameterise(mu, logvar)
        recon = self.recon_nll(self.decoder(z), batch).mean()
        mmd = mmd_loss(z, torch.randn_like(z), self.sigmas)
        return {"recon": recon, "mmd": mmd, "total": recon + self.config.mmd_weight * mmd}
