"""Generalized denoising autoencoder (Bengio et al. 2013): learn P(x | x~), train with walkback, sample by a chain.

Training pairs (x, x~) come from the corruption C(x~ | x). Walkback adds pairs whose x~ lies
further away: starting from x~_0 = C(x), it repeatedly samples x*_k ~ P(x | x~_{k-1}) from
the current model and corrupts it again, x~_k = C(x*_k), continuing with probability p for at
most `walkback` extra steps; every (x, x~_k) joins the batch. The model then learns to pull
back from where its own chain would wander, which removes spurious modes.

Sampling is the Markov chain x~_t ~ C(. | x_t), x_{t+1} ~ P(x | x~_t).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch
from torch import Tensor

from latentlab.core.corruption import CORRUPTIONS, IMAGE_ONLY, Corruption, make_corruption
from latentlab.core.models.base import (
    LatentModel,
    LossTerms,
    ModelConfig,
    cb_sample,
    decoder_mean,
    reconstruction_nll,
)
from latentlab.core.models.nets import learned_log_sigma, make_decoder, make_encoder
from latentlab.core.models.registry import register_model
from latentlab.core.settings import setting

LOG_SIGMA_RANGE = (-7.0, 2.0)


@dataclass(frozen=True)
class DAEConfig(ModelConfig):
    corruption: str = setting("gaussian", label="Corruption", choices=tuple(CORRUPTIONS),
                              choice_labels=tuple(c.description for c in CORRUPTIONS.values()),
                              help="The corruption process C(x~|x) the DAE learns to undo "
                                   "(salt-and-pepper and masking are for images)")
    noise: float = setting(0.2, label="Corruption level", minimum=0, maximum=10, live=True,
                           help="The corruption's strength: sigma of the Gaussian noise, or the fraction of "
                                "pixels hit")
    walkback: int = setting(0, label="Walkback steps", minimum=0, maximum=20, live=True,
                            help="Extra corrupted samples per example from the model's own chain (0: plain "
                                 "denoising)")
    walkback_p: float = setting(1.0, label="Walkback continue p", minimum=0, maximum=1, live=True,
                                help="Probability of taking each further walkback step")
    learn_sigma: bool = setting(False, label="Learn σ",
                                help="Points: P(x|x~) is a Gaussian with a learned per-input σ (off: the fixed σ "
                                     "of the likelihood; a learned σ can run away under walkback)")
    chain_steps: int = setting(100, label="Sampling chain steps", minimum=1, maximum=10000, live=True,
                               help="Steps the sampling chain runs from noise when the model is sampled")

    def problems(self) -> list[str]:
        out = super().problems()
        if self.corruption not in CORRUPTIONS:
            out.append(f"corruption must be one of {', '.join(CORRUPTIONS)}, got {self.corruption!r}")
        else:
            if self.corruption in IMAGE_ONLY and self.likelihood not in ("bernoulli", "cbernoulli"):
                out.append(f"{self.corruption} corruption is for images in [0, 1]; use gaussian for real-valued data")
            try:
                make_corruption(self.corruption, self.noise)
            except ValueError as e:
                out.append(str(e))
        if self.walkback < 0:
            out.append(f"walkback steps must be 0 or more, got {self.walkback}")
        if not 0 <= self.walkback_p <= 1:
            out.append(f"the walkback continuation probability must be in [0, 1], got {self.walkback_p}")
        if self.chain_steps < 1:
            out.append(f"chain_steps must be at least 1, got {self.chain_steps}")
        return out


@dataclass(frozen=True)
class Chain:
    """Every state of a sampling chain: clean[t] = x_t (t = 0..steps), corrupted[t] = x~_t (t = 0..steps-1)."""

    clean: Tensor  # [steps + 1, N, *data_shape]
    corrupted: Tensor  # [steps, N, *data_shape]

    @property
    def steps(self) -> int:
        return self.corrupted.shape[0]


@register_model
class DenoisingAutoencoder(LatentModel):
    config: DAEConfig
    data_low: Tensor  # buffers: the bounding box of the data seen in training (points)
    data_high: Tensor
    family = "dae"
    config_class = DAEConfig
    description = ("Denoising autoencoder: learns P(x | x~) for a corruption C(x~ | x), optionally with walkback; "
                   "samples by a chain that alternates corruption and denoising.")
    loss_names = ("denoise", "total")
    missing = {"posterior": "a denoising autoencoder's code is a point, not a distribution"}

    def __init__(self, config: DAEConfig):
        super().__init__(config)
        self.learned_sigma = config.learn_sigma and config.likelihood == "gaussian" and len(config.data_shape) == 1
        out_shape = (2 * config.data_shape[0],) if self.learned_sigma else config.data_shape
        self.encoder = make_encoder(config, config.latent_dim)
        self.decoder = make_decoder(replace(config, data_shape=out_shape))
        self.corruption = make_corruption(config.corruption, config.noise)
        # The bounding box of the data seen in training: where sample() starts its chains from noise.
        self.register_buffer("data_low", torch.full(config.data_shape, math.nan))
        self.register_buffer("data_high", torch.full(config.data_shape, math.nan))

    # -- P(x | x~) ---------------------------------------------------------------------
    def reconfigure(self, **changes) -> None:
        super().reconfigure(**changes)
        self.corruption = make_corruption(self.config.corruption, self.config.noise)

    def _conditional(self, x_tilde: Tensor) -> tuple[Tensor, Tensor | None]:
        """Logits (bernoulli) or means (gaussian) of P(x | x~), and log sigma where it is learned."""
        raw = self.decoder(self.encoder(x_tilde))
        if not self.learned_sigma:
            return raw, None
        mean, log_sigma = raw.chunk(2, dim=1)
        return mean, log_sigma.clamp(*LOG_SIGMA_RANGE)

    def nll(self, x: Tensor, x_tilde: Tensor) -> Tensor:
        """-log P(x | x~) per example, in nats."""
        raw, log_sigma = self._conditional(x_tilde)
        if log_sigma is None:
            return reconstruction_nll(raw, x, self.config.likelihood, self.config.obs_sigma,
                                      learned_log_sigma(self.decoder))
        z = (x.reshape(raw.shape) - raw) * torch.exp(-log_sigma)
        return (0.5 * z * z + log_sigma + 0.5 * math.log(2 * math.pi)).sum(1)

    def denoise(self, x_tilde: Tensor, sample: bool = True, generator: torch.Generator | None = None) -> Tensor:
        """A draw from P(x | x~) (sample=True) or its mean."""
        raw, log_sigma = self._conditional(x_tilde)
        if self.config.likelihood in ("bernoulli", "cbernoulli"):
            mean = decoder_mean(raw, self.config.likelihood)
            if not sample:
                return mean
            return (torch.bernoulli(mean, generator=generator) if self.config.likelihood == "bernoulli"
                    else cb_sample(raw, generator))
        if not sample:
            return raw
        if log_sigma is None:
            log_sigma = learned_log_sigma(self.decoder)
        sigma = torch.exp(log_sigma.clamp(*LOG_SIGMA_RANGE)) if log_sigma is not None else self.config.obs_sigma
        return raw + sigma * torch.randn(raw.shape, generator=generator, device=raw.device, dtype=raw.dtype)

    # -- the protocol ----------------------------------------------------------------------
    def encode(self, x: Tensor) -> Tensor:
        """The bottleneck code of a clean input."""
        return self.encoder(x)

    def decode(self, z: Tensor) -> Tensor:
        """The mean of P(x | code z): probabilities for images, means for points."""
        raw = self.decoder(z)
        if self.learned_sigma:
            raw = raw.chunk(2, dim=1)[0]
        return decoder_mean(raw, self.config.likelihood)

    def walkback_pairs(self, x: Tensor, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        """The training pairs (x, x~) for a batch: one corruption of each example plus its walkback walk."""
        c = self.config
        noisy = self.corruption(x, generator)
        clean_parts, noisy_parts = [x], [noisy]
        rows = torch.arange(len(x), device=x.device)
        with torch.no_grad():
            for _ in range(c.walkback):
                go_on = torch.rand(len(rows), generator=generator, device=x.device) < c.walkback_p
                rows, noisy = rows[go_on], noisy[go_on]
                if len(rows) == 0:
                    break
                noisy = self.corruption(self.denoise(noisy, sample=True, generator=generator), generator)
                clean_parts.append(x[rows])
                noisy_parts.append(noisy)
        return torch.cat(clean_parts), torch.cat(noisy_parts)

    def loss(self, batch: Tensor) -> LossTerms:
        if self.training:
            self._widen_data_box(batch)
        clean, noisy = self.walkback_pairs(batch)
        denoise = self.nll(clean, noisy).mean()
        return {"denoise": denoise, "total": denoise}

    @torch.no_grad()
    def metrics(self, batch: Tensor) -> dict[str, float]:
        """-log P(x | x~) for one corruption of each held-out example (walkback or not, so models compare)."""
        nll = float(self.nll(batch, self.corruption(batch)).mean())
        return {"denoise": nll, "total": nll}

    @torch.no_grad()
    def _widen_data_box(self, batch: Tensor) -> None:
        torch.fmin(self.data_low, batch.amin(0), out=self.data_low)
        torch.fmax(self.data_high, batch.amax(0), out=self.data_high)

    # -- sampling ----------------------------------------------------------------------------
    def start_noise(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Chain starting points: uniform over [0, 1] for images, over the data's bounding box for points."""
        u = torch.rand((n, *self.data_shape), generator=generator, device=self.device, dtype=self.dtype)
        if self.config.likelihood in ("bernoulli", "cbernoulli"):
            return u
        low = torch.nan_to_num(self.data_low, nan=-1.0)
        high = torch.nan_to_num(self.data_high, nan=1.0)
        return low + u * (high - low)

    @torch.no_grad()
    def chain_step(self, x: Tensor, sample: bool = True, generator: torch.Generator | None = None,
                   corruption: Corruption | None = None) -> tuple[Tensor, Tensor]:
        """One step of the sampling chain: x~ ~ C(. | x), then x' ~ P(x | x~) (or its mean). Returns (x~, x')."""
        x_tilde = (corruption or self.corruption)(x, generator)
        return x_tilde, self.denoise(x_tilde, sample=sample, generator=generator)

    @torch.no_grad()
    def chain(self, x0: Tensor, steps: int, sample: bool = True, generator: torch.Generator | None = None,
              corruption: Corruption | None = None) -> Chain:
        """The sampling chain from x0, every state kept."""
        x = x0.to(self.device, self.dtype)
        clean, noisy = [x], []
        for _ in range(steps):
            x_tilde, x = self.chain_step(x, sample, generator, corruption)
            noisy.append(x_tilde)
            clean.append(x)
        shape = (0, *x.shape)
        corrupted = torch.stack(noisy) if noisy else x.new_zeros(shape)
        return Chain(torch.stack(clean), corrupted)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """The state after config.chain_steps steps of chains started from noise."""
        return self.chain(self.start_noise(n, generator), self.config.chain_steps, generator=generator).clean[-1]
