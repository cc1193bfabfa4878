"""The protocol every latentlab model follows, and the config every model is rebuilt from."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from latentlab.core.settings import setting

LossTerms = dict[str, Tensor]  # named scalar tensors; always has "total"
LIKELIHOODS = ("bernoulli", "gaussian")
ARCHS = ("mlp", "conv")
CONV_SHAPE = (1, 28, 28)


class CapabilityError(RuntimeError):
    """The model cannot do this (e.g. an MMD net has no encoder); the message says why."""


@dataclass(frozen=True)
class ModelConfig:
    """Architecture shared by all families; families subclass it to add their own settings."""

    data_shape: tuple[int, ...]
    latent_dim: int = setting(2, label="Latent size", minimum=1, maximum=512,
                              help="Size of the latent code z; 2 is drawn as it is, more through a projection")
    hidden: tuple[int, ...] = setting((512, 256), label="Hidden sizes", minimum=1, maximum=65536, optional=True,
                                      user_default=None,
                                      help="Hidden layer sizes, e.g. 512,256; default: 512,256 for images, "
                                           "128,128 for points")
    arch: str = setting("mlp", label="Architecture", choices=ARCHS,
                        help="mlp: fully connected; conv: a small conv net (28x28 greyscale images only)")
    likelihood: str = "bernoulli"  # bernoulli for images in [0, 1]; gaussian for real-valued data
    obs_sigma: float = 0.1  # standard deviation of the gaussian likelihood

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_shape", tuple(int(s) for s in self.data_shape))
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self) -> list[str]:
        out = []
        if not self.data_shape or any(s < 1 for s in self.data_shape):
            out.append(f"data_shape must be positive sizes, got {self.data_shape}")
        if self.latent_dim < 1:
            out.append(f"latent_dim must be at least 1, got {self.latent_dim}")
        if any(h < 1 for h in self.hidden):
            out.append(f"hidden sizes must be at least 1, got {self.hidden}")
        if self.arch not in ARCHS:
            out.append(f"arch must be one of {ARCHS}, got {self.arch!r}")
        elif self.arch == "conv" and self.data_shape != CONV_SHAPE:
            out.append(f"the conv architecture needs 1x28x28 images, not {self.data_shape}")
        if self.likelihood not in LIKELIHOODS:
            out.append(f"likelihood must be one of {LIKELIHOODS}, got {self.likelihood!r}")
        if not self.obs_sigma > 0:
            out.append(f"obs_sigma must be positive, got {self.obs_sigma}")
        return out

    @property
    def data_size(self) -> int:
        return math.prod(self.data_shape)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ModelConfig:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - names
        if unknown:
            raise ValueError(f"unknown {cls.__name__} settings: {', '.join(sorted(unknown))}")
        return cls(**values)


def reconstruction_nll(raw: Tensor, x: Tensor, likelihood: str, obs_sigma: float) -> Tensor:
    """-log p(x | decoder output) per example, in nats, summed over data dimensions.

    bernoulli: `raw` are logits (binary cross-entropy, valid for grey levels in [0, 1]);
    gaussian: `raw` are means with a fixed standard deviation obs_sigma.
    """
    x = x.reshape(raw.shape)
    if likelihood == "bernoulli":
        nll = nn.functional.binary_cross_entropy_with_logits(raw, x, reduction="none")
    else:
        nll = 0.5 * ((x - raw) / obs_sigma) ** 2 + math.log(obs_sigma) + 0.5 * math.log(2 * math.pi)
    return nll.flatten(1).sum(1)


class LatentModel(nn.Module):
    """Base of every model: encode, decode, sample, loss -> named terms (see DESIGN.md)."""

    family: ClassVar[str]
    config_class: ClassVar[type[ModelConfig]] = ModelConfig
    description: ClassVar[str] = ""
    loss_names: ClassVar[tuple[str, ...]] = ("total",)
    # Capabilities the model lacks, mapped to the reason shown to the user.
    missing: ClassVar[dict[str, str]] = {}
    # Set by the Trainer while a global batch is split over processes (core/distributed.py): the rows of
    # that batch this process holds. Per-example noise is then drawn for the whole batch and these rows
    # kept, so each example meets the same noise as in a one-process run.
    batch_rows: slice | None = None

    def __init__(self, config: ModelConfig):
        super().__init__()
        if not isinstance(config, self.config_class):
            raise TypeError(f"{type(self).__name__} needs a {self.config_class.__name__}")
        self.config = config

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    @property
    def data_shape(self) -> tuple[int, ...]:
        return self.config.data_shape

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def reconfigure(self, **changes: Any) -> None:
        """New values for config fields that do not change the network (the schema's live settings)."""
        self.config = dataclasses.replace(self.config, **changes)

    def can(self, capability: str) -> bool:
        return capability not in self.missing

    def notes(self) -> str:
        """What the user should know about how latentlab uses this model (a plug-in's shapes and loss); "" if
        nothing."""
        return ""

    def why_not(self, capability: str) -> str | None:
        return self.missing.get(capability)

    def _require(self, capability: str) -> None:
        if capability in self.missing:
            raise CapabilityError(self.missing[capability])

    def encode(self, x: Tensor) -> Tensor:
        """Latent codes [N, latent_dim] (the posterior mean where there is a posterior)."""
        self._require("encode")
        raise NotImplementedError

    def encode_dist(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Posterior mean and log-variance, each [N, latent_dim]."""
        self._require("posterior")
        raise NotImplementedError

    def decode(self, z: Tensor) -> Tensor:
        """Data-space output: images [N, C, H, W] in [0, 1] or points [N, D]."""
        raise NotImplementedError

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n draws from the model's generative process: prior noise through the decoder."""
        z = torch.randn(n, self.latent_dim, generator=generator, device=self.device)
        return self.decode(z)

    def loss(self, batch: Tensor) -> LossTerms:
        raise NotImplementedError

    def example_noise(self, like: Tensor) -> Tensor:
        """N(0, I) noise shaped like `like` [N, ...], one row per example of the batch being trained on."""
        if self.batch_rows is None:
            return torch.randn_like(like)
        whole = torch.randn((self.batch_rows.stop, *like.shape[1:]), device=like.device, dtype=like.dtype)
        return whole[self.batch_rows]

    @torch.no_grad()
    def metrics(self, batch: Tensor) -> dict[str, float]:
        """Evaluation figures for a held-out batch; by default the loss terms."""
        return {k: float(v) for k, v in self.loss(batch).items()}
