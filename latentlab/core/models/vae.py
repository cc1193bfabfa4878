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


class _GaussianHead(torch.autograd.Function):
    """The encoder output [N, 2d] -> the draw z = mu + eps * sigma and KL(q(z|x) || N(0, I)) per example, as
    encode_dist, reparameterise and kl_to_standard_normal compute them, in one autograd node.

    Recorded op by op, these ~12 operations on [N, d] tensors each pay autograd's bookkeeping and get a backward
    node, which costs far more than their arithmetic; here they pay it once. Forward and backward do the same
    float operations in the same order as autograd does for the unfused code, so the numbers are identical
    (tests/core/test_models.py)."""

    @staticmethod
    def forward(ctx, h: Tensor, eps: Tensor) -> tuple[Tensor, Tensor]:
        mu, logvar = h.chunk(2, dim=1)
        lv = logvar.clamp(*LOGVAR_RANGE)
        std = torch.exp(0.5 * lv)
        z = mu + eps * std
        var = lv.exp()
        kl = 0.5 * (mu.pow(2) + var - 1.0 - lv).sum(1)
        ctx.save_for_backward(mu, logvar, eps, std, var)
        return z, kl

    @staticmethod
    def backward(ctx, grad_z: Tensor, grad_kl: Tensor) -> tuple[Tensor, None]:
        mu, logvar, eps, std, var = ctx.saved_tensors
        g = (grad_kl * 0.5).unsqueeze(1)
        grad_mu = grad_z + g * (2.0 * mu)
        # the log-variance's three paths (through exp(lv), through -lv, through sigma), summed in autograd's order
        grad_lv = (g * var - g) + (grad_z * eps) * std * 0.5
        low, high = LOGVAR_RANGE
        grad_lv = torch.where((logvar >= low) & (logvar <= high), grad_lv, 0.0)  # the clamp's gradient
        return torch.cat([grad_mu, grad_lv], 1), None


def gaussian_head(h: Tensor, eps: Tensor) -> tuple[Tensor, Tensor]:
    """(z, KL per example) from the encoder output `h` = [mu, logvar] and the noise `eps` [N, d]."""
    return _GaussianHead.apply(h, eps)


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
        """Reconstruction NLL and KL per example: encode_dist, reparameterise and kl_to_standard_normal, fused."""
        h = self.encoder(batch)
        z, kl = gaussian_head(h, self.example_noise(h[:, :self.latent_dim]))
        return self.recon_nll(self.decoder(z), batch), kl

    def loss(self, batch: Tensor) -> LossTerms:
        recon, kl = (t.mean() for t in self._terms(batch))
        c = self.config  # a weight of 1 is left out: the same numbers, two operations fewer each way
        total = (recon if c.recon_weight == 1 else c.recon_weight * recon) + (kl if c.beta == 1 else c.beta * kl)
        return {"recon": recon, "kl": kl, "total": total}

    @torch.no_grad()
    def metrics(self, batch: Tensor) -> dict[str, float]:
        """Held-out figures; `elbo` is the single-sample ELBO in nats (higher is better), whatever beta is."""
        recon, kl = self._terms(batch)
        c = self.config
        return {"recon": float(recon.mean()), "kl": float(kl.mean()),
                "total": float((c.recon_weight * recon + c.beta * kl).mean()),
                "elbo": float(-(recon + kl).mean())}
