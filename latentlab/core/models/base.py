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
LIKELIHOODS = ("bernoulli", "cbernoulli", "gaussian", "gaussian-learned")
LIKELIHOOD_LABELS = ("Bernoulli (binary or grey pixels)", "Continuous Bernoulli (pixels in [0, 1])",
                     "Gaussian, fixed σ", "Gaussian, learned σ")
ARCHS = ("mlp", "conv")
CONV_SIZES = (28, 32, 64)  # square image sides the conv nets take, with any number of channels
LOG_SIGMA_LIMITS = (-7.0, 2.0)  # a learned Gaussian σ stays within e^-7 .. e^2


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
                        help="mlp: fully connected; conv: a small conv net (DCGAN-style strided convolutions) "
                             "for square 28x28, 32x32 or 64x64 images, grey or colour")
    likelihood: str = setting("bernoulli", label="Likelihood", choices=("auto", *LIKELIHOODS),
                              choice_labels=("The data's default", *LIKELIHOOD_LABELS), user_default="auto",
                              help="p(x | z) of the decoder. auto: Bernoulli for images, Gaussian for points; "
                                   "cbernoulli: the continuous Bernoulli (a proper density on [0, 1], for grey or "
                                   "colour pixels); gaussian: fixed σ = 0.1; gaussian-learned: one σ "
                                   "learned with the model")
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
        elif self.arch == "conv" and not conv_shape_ok(self.data_shape):
            shape = "x".join(str(s) for s in self.data_shape)
            out.append(f"the conv architecture needs square images of {', '.join(f'{n}x{n}' for n in CONV_SIZES)} "
                       f"pixels (any channel count), not data shaped {shape}")
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


def conv_shape_ok(shape: tuple[int, ...]) -> bool:
    """Whether the conv nets take data of this shape: [C, S, S] with S in CONV_SIZES."""
    return len(shape) == 3 and shape[1] == shape[2] and shape[1] in CONV_SIZES and shape[0] >= 1


def cb_log_norm(logits: Tensor) -> Tensor:
    """log C of the continuous Bernoulli with natural parameter eta = logit(lambda), elementwise.

    C(lambda) = 2 atanh(1 - 2 lambda) / (1 - 2 lambda), which is eta / tanh(eta / 2) in terms of eta. It is
    0/0 at lambda = 0.5 (eta = 0), so there its Taylor series log 2 + eta^2/12 - eta^4/720 is used; elsewhere
    log|eta| - log tanh(|eta| / 2), with log tanh(a) = log1p(-e^-2a) - log1p(e^-2a) (stable for large |eta|).
    """
    a = logits.abs()
    near = a < 1e-2
    safe = torch.where(near, torch.ones_like(a), a)
    e = torch.exp(-safe)
    far = torch.log(safe) - torch.log1p(-e) + torch.log1p(e)
    eta2 = logits * logits
    taylor = math.log(2.0) + eta2 / 12 - eta2 * eta2 / 720
    return torch.where(near, taylor, far)


def cb_mean(logits: Tensor) -> Tensor:
    """The mean of the continuous Bernoulli: 1/(1 - e^-eta) - 1/eta, and 1/2 + eta/12 near eta = 0."""
    near = logits.abs() < 1e-2
    safe = torch.where(near, torch.ones_like(logits), logits)
    far = -1.0 / torch.expm1(-safe) - 1.0 / safe
    return torch.where(near, 0.5 + logits / 12, far).clamp(0, 1)


def cb_sample(logits: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """A draw from the continuous Bernoulli by its inverse CDF: log(1 + u (e^eta - 1)) / eta (u near eta = 0)."""
    u = torch.rand(logits.shape, generator=generator, device=logits.device, dtype=logits.dtype)
    near = logits.abs() < 1e-3
    safe = torch.where(near, torch.ones_like(logits), logits)
    far = torch.log1p(u * torch.expm1(safe)) / safe
    return torch.where(near, u, far).clamp(0, 1)


def decoder_mean(raw: Tensor, likelihood: str) -> Tensor:
    """The data-space mean of p(x | decoder output `raw`): what decode() shows."""
    if likelihood == "bernoulli":
        return torch.sigmoid(raw)
    if likelihood == "cbernoulli":
        return cb_mean(raw)
    return raw


class _BernoulliNLL(torch.autograd.Function):
    """Binary cross-entropy with logits l, summed over each example's data dimensions, one pass each way.

    torch's binary_cross_entropy_with_logits goes through log1p, which the CPU build runs one element at a
    time: ~1 ms for 128 MNIST images, as long as the step's largest matrix product. Here the loss is
    max(l, 0) - l x + log(1 + e^-|l|) (log, not log1p: e^-|l| <= 1, so the error stays below float eps), and
    the gradient sigmoid(l) - x comes from the saved logits."""

    @staticmethod
    def forward(ctx, logits: Tensor, x: Tensor) -> Tensor:
        nll = torch.exp(logits.abs().neg_()).add_(1.0).log_()
        nll.add_(logits.clamp(min=0.0)).addcmul_(logits, x, value=-1.0)
        ctx.save_for_backward(logits, x)
        return nll.flatten(1).sum(1)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        logits, x = ctx.saved_tensors
        g = grad.reshape(-1, *[1] * (logits.dim() - 1))
        grad_logits = torch.sigmoid(logits).sub_(x).mul_(g) if ctx.needs_input_grad[0] else None
        grad_x = logits.neg().mul_(g) if ctx.needs_input_grad[1] else None
        return grad_logits, grad_x


def bernoulli_nll(logits: Tensor, x: Tensor) -> Tensor:
    """-log p(x | logits) of independent Bernoullis per example (binary cross-entropy, summed over dims)."""
    return _BernoulliNLL.apply(logits, x.to(logits.dtype))


def reconstruction_nll(raw: Tensor, x: Tensor, likelihood: str, obs_sigma: float,
                       log_sigma: Tensor | None = None) -> Tensor:
    """-log p(x | decoder output) per example, in nats, summed over data dimensions.

    bernoulli: `raw` are logits (binary cross-entropy, valid for grey levels in [0, 1]);
    cbernoulli: `raw` are logits of the continuous Bernoulli (Loaiza-Ganem & Cunningham 2019), a normalised
    density on [0, 1]: the binary cross-entropy minus log C;
    gaussian: `raw` are means with a fixed standard deviation obs_sigma;
    gaussian-learned: `raw` are means, `log_sigma` the learned log standard deviation (obs_sigma if None).
    """
    x = x.reshape(raw.shape)
    if likelihood == "bernoulli":
        return bernoulli_nll(raw, x)
    if likelihood == "cbernoulli":
        return bernoulli_nll(raw, x) - cb_log_norm(raw).flatten(1).sum(1)
    if likelihood == "gaussian-learned" and log_sigma is not None:
        log_sigma = log_sigma.clamp(*LOG_SIGMA_LIMITS)
        nll = 0.5 * ((x - raw) * torch.exp(-log_sigma)) ** 2 + log_sigma + 0.5 * math.log(2 * math.pi)
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

    @property
    def dtype(self) -> torch.dtype:
        """The floating-point type of the parameters: inputs are cast to it (a float64 model takes float64)."""
        return next(self.parameters()).dtype

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
