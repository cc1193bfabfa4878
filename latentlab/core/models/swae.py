"""The sliced-Wasserstein autoencoder (SWAE, Kolouri et al. 2018): the KL term replaced by SW_2^2 to N(0, I).

Like the MMD-VAE it matches the aggregate posterior q(z) to the prior, here through one-dimensional
Wasserstein distances along random directions (core/two_sample.py), fresh directions every batch.
The encoder is the Gaussian one of the VAE, so codes, posteriors and samples work as for the other two.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from latentlab.core.models.autoencoder import DecoderMixin
from latentlab.core.models.base import LatentModel, LossTerms, ModelConfig
from latentlab.core.models.nets import make_decoder, make_encoder
from latentlab.core.models.registry import register_model
from latentlab.core.models.vae import GaussianEncoderMixin
from latentlab.core.settings import setting
from latentlab.core.two_sample import PROJECTIONS_HELP, sliced_wasserstein2


@dataclass(frozen=True)
class SWAEConfig(ModelConfig):
    sw_weight: float = setting(100.0, label="Sliced-W weight", minimum=0, maximum=100000, live=True,
                               help="Weight of the sliced Wasserstein SW₂² term between the batch's codes and "
                                    "N(0, I) samples")
    projections: int = setting(50, label="Projections", minimum=1, maximum=10000,
                               help=PROJECTIONS_HELP)

    def problems(self) -> list[str]:
        out = super().problems()
        if self.sw_weight < 0:
            out.append("sw_weight must be non-negative")
        if self.projections < 1:
            out.append(f"projections must be at least 1, got {self.projections}")
        return out


@register_model
class SWAE(GaussianEncoderMixin, DecoderMixin, LatentModel):
    config: SWAEConfig
    family = "swae"
    config_class = SWAEConfig
    description = ("SWAE: reconstruction + sw_weight * SW_2^2 (sliced Wasserstein) between the batch's codes and "
                   "N(0, I) samples; matches the aggregate posterior, like the MMD-VAE.")
    loss_names = ("recon", "sw", "total")

    def __init__(self, config: SWAEConfig):
        super().__init__(config)
        self.encoder = make_encoder(config, 2 * config.latent_dim)
        self.decoder = make_decoder(config)

    def loss(self, batch: Tensor) -> LossTerms:
        mu, logvar = self.encode_dist(batch)
        z = self.reparameterise(mu, logvar)
        recon = self.recon_nll(self.decoder(z), batch).mean()
        sw = sliced_wasserstein2(z, torch.randn_like(z), self.config.projections)
        return {"recon": recon, "sw": sw, "total": recon + self.config.sw_weight * sw}
