"""The variational autoencoder: an encoder that outputs means and sigmas, and the ELBO as its loss."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from latentlab.core.models.autoencoder import DecoderMixin
from latentlab.core.models.base import LatentModel, LossTerms, ModelConfig
from latentlab.core.models.nets import make_decoder, make_encoder
from latentlab.core.models.registry import register_model
from latentlab.core.settings import setting

LOGVAR_RANGE = (-20.0, 10.0)  # keeps exp(logvar) finite without touching sensible values


@dataclass(frozen=True)
class VAEConfig(ModelConfig):
    beta: float = setting(1.0, label="β (KL weight)", minimum=0, maximum=1000, live=True,
                          help="Weight of KL(q(z|x) ‖ N(0, I)); 0 gives reconstruction only")
    recon_weight: float = setting(1.0, label="Reconstruction weight", minimum=0, maximum=1000, live=True,
                                  help="Weight of the reconstruction term; 0 gives the KL term alone")

    def problems(self) -> list[str]:
        out = super().problems()
        if self.beta < 0 or self.recon_weight < 0:
            out.append("beta and recon_weight must be non-negative")
        if self.beta == 0 and self.recon_weight == 0:
            out.append("beta and recon_weight cannot both be 0: the loss would be empty")
        return out


def kl_to_standard_normal(mu: Tensor, logvar: Tensor) -> Tensor:
    """KL(N(mu, diag(exp(logvar))) || N(0, I)) per example = 1/2 sum(mu^2 + sigma^2 - 1 - log sigma^2)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)


class GaussianEncoderMixin:
    """An encoder emitting (mu, logvar) and the reparameterised draw z = mu + sigma * eps."""

    encoder: nn.Module
    example_noise: Callable[[Tensor], Tensor]

    def encode_dist(self, x: Tensor) -> tuple[Tensor, Tensor]:
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar.clamp(*LOGVAR_RANGE)

    def encode(self, x: Tensor) -> Tensor:
        return self.encode_dist(x)[0]

    def reparameterise(self, mu: Tensor, logvar: Tensor) -> Tensor:
        return mu + self.example_noise(mu) * torch.exp(0.5 * logvar)


@register_model
class VAE(GaussianEncoderMixin, DecoderMixin, LatentModel):
    config: VAEConfig
    family = "vae"
    config_class = VAEConfig
    description = "Variational autoencoder: loss = recon_weight * reconstruction + beta * KL(q(z|x) || N(0, I))."
    loss_names = ("recon", "kl", "total")

    def __init__(self, config: VAEConfig):
        super().__init__(config)
        self.encoder = make_encoder(config, 2 * config.latent_dim)
        self.decoder = make_decoder(config)

    def _terms(self, batch: Tensor) -> tuple[Tensor, Tensor]:
        mu, logvar = self.encode_dist(batch)
        z = self.reparameterise(mu, logvar)
        return self.recon_nll(self.decoder(z), batch), kl_to_standard_normal(mu, logvar)

    def loss(self, batch: Tensor) -> LossTerms:
        recon, kl = (t.mean() for t in self._terms(batch))
        total = self.config.recon_weight * recon + self.config.beta * kl
        return {"recon": recon, "kl": kl, "total": total}

    @torch.no_grad()
    def metrics(self, batch: Tensor) -> dict[str, float]:
        """Held-out figures; `elbo` is the single-sample ELBO in nats (higher is better), whatever beta is."""
        recon, kl = self._terms(batch)
        c = self.config
        return {"recon": float(recon.mean()), "kl": float(kl.mean()),
                "total": float((c.recon_weight * recon + c.beta * kl).mean()),
                "elbo": float(-(recon + kl).mean())}
