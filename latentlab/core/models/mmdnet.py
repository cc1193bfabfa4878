"""MMD nets (Dziugaite et al. 2015) and GMMN+AE (Li et al. 2015): noise -> data by minimising batch MMD^2.

The loss is the biased MMD^2 between a generated batch and a data batch with a sum of Gaussian
kernels. Bandwidths follow the data: by default several fractions of the batch's median pairwise
distance (fine to coarse), or, with bandwidth="median", the median heuristic alone.
With generator_loss="sliced_wasserstein" the generator minimises the sliced Wasserstein SW_2^2
(core/two_sample.py) instead, and the loss term is named "sw" rather than "mmd".
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from latentlab.core.kernels import median_heuristic
from latentlab.core.mmd import mmd2
from latentlab.core.models.autoencoder import DecoderMixin
from latentlab.core.models.base import LatentModel, LossTerms, ModelConfig
from latentlab.core.models.nets import make_decoder, make_encoder, mlp
from latentlab.core.models.registry import register_model
from latentlab.core.settings import setting
from latentlab.core.two_sample import PROJECTIONS_HELP, sliced_wasserstein2

NOISES = ("uniform", "gaussian")
BANDWIDTH_RULES = ("multi", "median")
GENERATOR_LOSSES = ("mmd", "sliced_wasserstein")
MEDIAN_FRACTIONS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)  # x the median distance: from single modes to the whole set


def batch_mmd2(generated: Tensor, data: Tensor, rule: str) -> Tensor:
    """MMD^2 with bandwidths from the pooled batch's median distance (not differentiated through)."""
    with torch.no_grad():
        median = median_heuristic(generated.detach().flatten(1), data.flatten(1))
    sigmas = [median] if rule == "median" else [median * f for f in MEDIAN_FRACTIONS]
    return mmd2(generated.flatten(1), data.flatten(1), sigma=sigmas, estimator="biased")


def generator_loss(generated: Tensor, data: Tensor, config: MMDNetConfig) -> Tensor:
    """The generator's distance to the data batch: batch MMD^2, or SW_2^2 over fresh random directions."""
    if config.generator_loss == "sliced_wasserstein":
        return sliced_wasserstein2(generated.flatten(1), data.flatten(1), config.projections)
    return batch_mmd2(generated, data, config.bandwidth)


@dataclass(frozen=True)
class MMDNetConfig(ModelConfig):
    noise_dist: str = setting("uniform", label="Generator noise", choices=NOISES,
                              choice_labels=("uniform on [-1, 1]", "Gaussian N(0, I)"),
                              help="The noise the generator maps to data: uniform on [-1, 1]^d, or N(0, I)")
    bandwidth: str = setting("multi", label="MMD bandwidths", choices=BANDWIDTH_RULES,
                             choice_labels=("several (× median)", "median heuristic"),
                             help="Kernel widths of the MMD loss: several fractions of the batch's median "
                                  "distance, or the median alone")
    generator_loss: str = setting("mmd", label="Generator loss", choices=GENERATOR_LOSSES,
                                  choice_labels=("MMD²", "sliced Wasserstein SW₂²"),
                                  help="What the generator minimises against a data batch: MMD² or the sliced "
                                       "Wasserstein distance")
    projections: int = setting(50, label="Projections", minimum=1, maximum=10000,
                               help=PROJECTIONS_HELP)

    @property
    def term(self) -> str:
        """The name of the generator's loss term."""
        return "sw" if self.generator_loss == "sliced_wasserstein" else "mmd"

    def problems(self) -> list[str]:
        out = super().problems()
        if self.generator_loss not in GENERATOR_LOSSES:
            out.append(f"generator_loss must be one of {GENERATOR_LOSSES}, got {self.generator_loss!r}")
        if self.projections < 1:
            out.append(f"projections must be at least 1, got {self.projections}")
        if self.noise_dist not in NOISES:
            out.append(f"noise_dist must be one of {NOISES}, got {self.noise_dist!r}")
        if self.bandwidth not in BANDWIDTH_RULES:
            out.append(f"bandwidth must be one of {BANDWIDTH_RULES}, got {self.bandwidth!r}")
        return out


class NoiseMixin:
    config: MMDNetConfig
    device: torch.device
    def noise_batch(self, n: int, width: int, generator: torch.Generator | None = None) -> Tensor:
        if self.config.noise_dist == "gaussian":
            return torch.randn(n, width, generator=generator, device=self.device)
        return torch.rand(n, width, generator=generator, device=self.device) * 2 - 1


@register_model
class MMDNet(NoiseMixin, DecoderMixin, LatentModel):
    config: MMDNetConfig
    family = "mmdnet"
    config_class = MMDNetConfig
    description = "MMD net: a generator from noise to data trained to minimise MMD^2 between generated and data batches."
    loss_names = ("mmd", "total")
    missing = {"encode": "an MMD net has no encoder: it only maps noise to data",
               "posterior": "an MMD net has no encoder: it only maps noise to data"}

    def __init__(self, config: MMDNetConfig):
        super().__init__(config)
        self.decoder = make_decoder(config)  # the generator: noise [N, latent_dim] -> data
        self.loss_names = (config.term, "total")  # type: ignore[misc]  # per model: the term follows the loss

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return self.decode(self.noise_batch(n, self.latent_dim, generator))

    def loss(self, batch: Tensor) -> LossTerms:
        generated = self.sample(len(batch))
        distance = generator_loss(generated, batch, self.config)
        return {self.config.term: distance, "total": distance}


@dataclass(frozen=True)
class GMMNAEConfig(MMDNetConfig):
    noise_dim: int = setting(10, label="Noise size", minimum=1, maximum=512,
                             help="GMMN+AE: the generator's noise dimension (the latent size is the AE's code)")

    def problems(self) -> list[str]:
        out = super().problems()
        if self.noise_dim < 1:
            out.append(f"noise_dim must be at least 1, got {self.noise_dim}")
        return out


@register_model
class GMMNAE(NoiseMixin, DecoderMixin, LatentModel):
    config: GMMNAEConfig
    """The autoencoder learns codes by reconstruction; the generator learns, by MMD^2 in code space,
    to produce codes like the encoder's (detached, so the MMD term never moves the codes); samples are
    decoder(generator(noise)). Both train together, so it trains live like any other model. The two
    terms touch disjoint parameters, so under Adam their relative weight would not matter: there is none."""

    family = "gmmn_ae"
    config_class = GMMNAEConfig
    description = ("GMMN+AE: an autoencoder, and a generator from noise to its codes trained by MMD^2 in code "
                   "space; samples decode generated codes.")
    loss_names = ("recon", "mmd", "total")
    missing = {"posterior": "the autoencoder's encoder gives a point, not a distribution"}

    def __init__(self, config: GMMNAEConfig):
        super().__init__(config)
        self.encoder = make_encoder(config, config.latent_dim)
        self.decoder = make_decoder(config)
        width = max(config.hidden)
        self.generator = mlp([config.noise_dim, width, width, config.latent_dim])
        self.loss_names = ("recon", config.term, "total")  # type: ignore[misc]

    def encode(self, x: Tensor) -> Tensor:
        return self.encoder(x)

    def generate_codes(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return self.generator(self.noise_batch(n, self.config.noise_dim, generator))

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return self.decode(self.generate_codes(n, generator))

    def loss(self, batch: Tensor) -> LossTerms:
        codes = self.encoder(batch)
        recon = self.recon_nll(self.decoder(codes), batch).mean()
        distance = generator_loss(self.generate_codes(len(batch)), codes.detach(), self.config)
        return {"recon": recon, self.config.term: distance, "total": recon + distance}

