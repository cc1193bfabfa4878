"""A user's own model (a plug-in, see core/plugins.py) seen through latentlab's protocol.

PluginModel wraps the user's nn.Module (`encode(x)` -> a code or (mu, logvar); `decode(z)`; optional
`loss(x)` and `sample(n)`) so the rest of the application sees an ordinary LatentModel. Its config
records where the code came from (file, sha256, class) and what probing the module found: which
input shape its encode takes, the shape of its code, whether it has a posterior, whether its decode
gives values in [0, 1], and how it trains. The family is not in the registry: a plug-in model is
built only from code the user named (core/plugins.py), never from a checkpoint's metadata alone.
"""

from __future__ import annotations

import copy
import json
import math
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from latentlab.core.corruption import Corruption, make_corruption
from latentlab.core.models.base import CapabilityError, LatentModel, LossTerms, ModelConfig
from latentlab.core.models.vae import LOGVAR_RANGE, kl_to_standard_normal

PLUGIN_FAMILY = "plugin"
INPUT_FORMS = ("data", "flat")
TRAINING = ("loss", "elbo", "reconstruction", "")


class PluginError(ValueError):
    """A plug-in cannot be loaded or used; the message is one line that says what and where."""


def plugin_error_in(error: BaseException | None) -> PluginError | None:
    """The PluginError `error` is or was raised from (`raise ... from`): psygnal wraps what a listener raises
    (EmitLoopError), so a plug-in failing in a panel that heard of a change arrives wrapped. Only causes count:
    an error raised while a PluginError was being handled (its __context__) is a bug of its own."""
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, PluginError):
            return error
        error, seen = error.__cause__, seen + 1
    return None


def where_in(error: BaseException, path: Path) -> str:
    """`, line N` of the deepest frame of the plug-in's own file in the error's traceback."""
    lines = [f.lineno for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == path]
    return f", line {lines[-1]}" if lines else ""


def one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or "(no message)"
    return f"{type(error).__name__}: {text[:300]}"


@dataclass(frozen=True)
class PluginConfig(ModelConfig):
    """Where the plug-in came from and what probing it found; enough to rebuild it from the same code."""

    source: str = ""  # as given: FILE.py:CLASS or entry:NAME
    file: str = ""  # the absolute path of the file that defines the class
    class_name: str = ""
    sha256: str = ""  # of that file, when it was opened
    entry_point: str = ""  # the entry point's name, for an installed plug-in
    arguments: str = "{}"  # JSON: the constructor's keyword arguments
    input_form: str = "data"  # "data": encode takes x as the data's shape; "flat": as [N, prod(shape)]
    latent_shape: tuple[int, ...] = ()  # the code of one example as encode gives it (flattened for latentlab)
    posterior: bool = False  # encode gives (mu, logvar)
    unit_decode: bool = False  # decode's values were in [0, 1] when probed
    training: str = ""  # "loss": the plug-in's own; "elbo" / "reconstruction": latentlab's; "": cannot train
    loss_terms: tuple[str, ...] = ("total",)
    not_trainable: str = ""  # why it cannot train, when training is ""
    corruption: str = ""  # a corruption the plug-in declares (its walkback chain), or ""
    noise: float = 0.0  # that corruption's level

    def __post_init__(self) -> None:
        object.__setattr__(self, "latent_shape", tuple(int(s) for s in self.latent_shape))
        object.__setattr__(self, "loss_terms", tuple(str(s) for s in self.loss_terms))
        super().__post_init__()

    def problems(self) -> list[str]:
        out = super().problems()
        if self.input_form not in INPUT_FORMS:
            out.append(f"input_form must be one of {INPUT_FORMS}, got {self.input_form!r}")
        if self.training not in TRAINING:
            out.append(f"training must be one of {TRAINING}, got {self.training!r}")
        if self.latent_shape and math.prod(self.latent_shape) != self.latent_dim:
            out.append(f"latent_shape {self.latent_shape} does not hold latent_dim {self.latent_dim} values")
        return out

    @property
    def title(self) -> str:
        """How the window and the commands name the model: `VAE (vae.py)`."""
        where = self.entry_point and f"entry point {self.entry_point}" or self.file.rsplit("/", 1)[-1]
        return f"{self.class_name} ({where})"

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(json.loads(self.arguments or "{}"))

    def shape_note(self) -> str:
        """Which shapes were used: said to the user once, when the model opens."""
        n = "x".join(str(s) for s in self.data_shape)
        if self.input_form == "flat":
            how = f"encode takes x flattened to [N, {self.data_size}] (the data's shape [N, {n}] did not fit)"
        else:
            how = f"encode takes x as the data's shape [N, {n}]"
        code = "(mu, logvar)" if self.posterior else "a code"
        shape = "x".join(str(s) for s in self.latent_shape)
        latent = f"it returns {code} of {shape} values" + (f" (flattened to {self.latent_dim})"
                                                             if len(self.latent_shape) > 1 else "")
        return f"{how}; {latent}; decode's output is reshaped to [N, {n}]"

    def training_note(self) -> str:
        if self.training == "loss":
            return f"trains with its own loss(x): {', '.join(self.loss_terms)}"
        if self.training == "elbo":
            what = "Bernoulli" if self.likelihood == "bernoulli" else f"Gaussian (sigma {self.obs_sigma:g})"
            return (f"it has no loss(x): latentlab trains it on the ELBO (its (mu, logvar) and a {what} "
                    "reconstruction term through its decode: recon + KL)")
        if self.training == "reconstruction":
            return "it has no loss(x) and its code is a point: latentlab trains it on the reconstruction error"
        return f"it cannot train here: {self.not_trainable}"


class PluginModel(LatentModel):
    """The user's module as a LatentModel; `net` holds it (its weights are `net.*` in a checkpoint)."""

    config: PluginConfig
    net: Any  # the user's module: its encode, decode, loss and sample are whatever it defines
    family = PLUGIN_FAMILY
    config_class = PluginConfig
    description = "A model of your own, loaded from a plug-in (see docs/plugins.md)."

    def __init__(self, config: PluginConfig, net: nn.Module):
        super().__init__(config)
        self.net = net
        self.loss_names = config.loss_terms  # type: ignore[misc]  # per model, not per class
        self._missing: dict[str, str] = {}
        if not config.posterior:
            self._missing["posterior"] = f"{config.class_name}.encode gives a point, not (mu, logvar)"
        if not config.training:
            self._missing["train"] = config.not_trainable or f"{config.class_name} cannot be trained here"
        if not config.corruption:
            self._missing["walkback"] = (f"{config.class_name} declares no corruption (a class attribute "
                                         "`corruption`, see docs/plugins.md), so it has no walkback chain")
        self.corruption: Corruption | None = make_corruption(config.corruption, config.noise) \
            if config.corruption else None

    def can(self, capability: str) -> bool:
        return capability not in self._missing

    def why_not(self, capability: str) -> str | None:
        return self._missing.get(capability)

    def _require(self, capability: str) -> None:
        if capability in self._missing:
            raise CapabilityError(self._missing[capability])

    def notes(self) -> str:
        return f"{self.config.title}: {self.config.training_note()}."

    def fresh(self) -> PluginModel:
        """The same model with new weights (each submodule's reset_parameters): the window's Reset."""
        model = copy.deepcopy(self)
        for module in model.net.modules():
            reset = getattr(module, "reset_parameters", None)
            if callable(reset):
                reset()
        return model

    def reconfigure(self, **changes: Any) -> None:
        super().reconfigure(**changes)
        if self.config.corruption:
            self.corruption = make_corruption(self.config.corruption, self.config.noise)

    # -- shapes -----------------------------------------------------------------------------------
    def net_input(self, x: Tensor) -> Tensor:
        """x [N, *data_shape] in the shape the plug-in's encode takes."""
        return x.reshape(len(x), -1) if self.config.input_form == "flat" else x

    def _user(self, what: str, fn: Any, *args: Any) -> Any:
        """The plug-in's own method called: an error in its code becomes one PluginError line naming the file,
        line and method (a batch size or device it was not probed with can still break it)."""
        try:
            return fn(*args)
        except (PluginError, CapabilityError, torch.OutOfMemoryError, KeyboardInterrupt):
            raise
        except Exception as e:  # noqa: BLE001 (the user's code)
            c = self.config
            # The frames name the file the module was imported from: the first of several files of the same code
            # (core/plugins.py imports identical code once), so the line is looked for there.
            ran = getattr(sys.modules.get(type(self.net).__module__), "__file__", None) or c.file
            raise PluginError(f"{c.file or c.entry_point}{where_in(e, Path(ran)) if ran else ''}: "
                              f"{c.class_name}.{what} failed: {one_line(e)}") from None

    def _encoded(self, x: Tensor) -> tuple[Tensor, Tensor | None]:
        mu, logvar = split_encoding(self._user("encode", self.net.encode, self.net_input(x)))
        if mu.dim() == 0 or len(mu) != len(x):
            raise PluginError(f"{self.config.class_name}.encode gave {list(mu.shape)} for {len(x)} examples: "
                              "it must give one code per example")
        mu = mu.reshape(len(x), -1)
        if logvar is not None:
            logvar = logvar.reshape(len(x), -1).clamp(*LOGVAR_RANGE)
        return mu, logvar

    def to_data(self, out: Any, n: int, method: str = "decode") -> Tensor:
        """What the plug-in's decode or sample gave, as [n, *data_shape]; a PluginError naming the method when
        it is not a tensor of n examples of the data's size."""
        if isinstance(out, (tuple, list)) and out:
            out = out[0]
        name = f"{self.config.class_name}.{method}"
        if not isinstance(out, Tensor):
            raise PluginError(f"{name} returned a {type(out).__name__}: it must return a tensor of {n} examples")
        size = math.prod(self.data_shape)
        if out.numel() != n * size:
            raise PluginError(f"{name} gave {list(out.shape)} for {n} examples, but the data's examples are "
                              f"{'x'.join(map(str, self.data_shape))} ({size} values each)")
        return out.reshape(n, *self.data_shape)

    # -- the protocol -------------------------------------------------------------------------------
    def encode(self, x: Tensor) -> Tensor:
        return self._encoded(x)[0]

    def encode_dist(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._require("posterior")
        mu, logvar = self._encoded(x)
        assert logvar is not None
        return mu, logvar

    def decode(self, z: Tensor) -> Tensor:
        shape = self.config.latent_shape or (self.latent_dim,)
        return self.to_data(self._user("decode", self.net.decode, z.reshape(len(z), *shape)), len(z))

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        own = getattr(self.net, "sample", None)
        if not callable(own):
            return super().sample(n, generator)
        if generator is None:
            return self.to_data(self._user("sample", own, n), n, "sample")
        # The plug-in's sample(n) draws from the global generator: seed it from ours, and leave it as it was.
        seed = int(torch.randint(0, 2**62, (1,), generator=generator))
        devices = [self.device] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            return self.to_data(self._user("sample", own, n), n, "sample")

    def loss(self, batch: Tensor) -> LossTerms:
        self._require("train")
        c = self.config
        if c.training == "loss":
            return loss_terms(self._user("loss(x)", self.net.loss, self.net_input(batch)), c.class_name)
        terms = self._latentlab_terms(batch)
        return {k: v.mean() for k, v in terms.items()}

    def _latentlab_terms(self, batch: Tensor) -> dict[str, Tensor]:
        """Per-example terms of latentlab's loss for a plug-in without its own: recon (+ KL), total."""
        mu, logvar = self._encoded(batch)
        if self.config.training == "elbo":
            assert logvar is not None
            z = mu + self.example_noise(mu) * torch.exp(0.5 * logvar)
            recon = self._recon(self.decode(z), batch)
            kl = kl_to_standard_normal(mu, logvar)
            return {"recon": recon, "kl": kl, "total": recon + kl}
        recon = self._recon(self.decode(mu), batch)
        return {"recon": recon, "total": recon}

    def _recon(self, decoded: Tensor, x: Tensor) -> Tensor:
        """-log p(x | decoded) per example: Bernoulli on probabilities for images, Gaussian for points."""
        if self.config.likelihood == "bernoulli":
            nll = nn.functional.binary_cross_entropy(decoded.clamp(0, 1), x.reshape(decoded.shape), reduction="none")
        else:
            sigma = self.config.obs_sigma
            nll = 0.5 * ((x.reshape(decoded.shape) - decoded) / sigma) ** 2 + math.log(sigma) \
                + 0.5 * math.log(2 * math.pi)
        return nll.flatten(1).sum(1)

    @torch.no_grad()
    def metrics(self, batch: Tensor) -> dict[str, float]:
        if self.config.training in ("elbo", "reconstruction"):
            terms = {k: float(v.mean()) for k, v in self._latentlab_terms(batch).items()}
            if "kl" in terms:
                terms["elbo"] = -(terms["recon"] + terms["kl"])
            return terms
        return super().metrics(batch)

    # -- a walkback chain, for plug-ins that declare a corruption ----------------------------------------
    def start_noise(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return torch.rand((n, *self.data_shape), generator=generator, device=self.device)

    @torch.no_grad()
    def chain_step(self, x: Tensor, sample: bool = True, generator: torch.Generator | None = None,
                   corruption: Corruption | None = None) -> tuple[Tensor, Tensor]:
        """x~ ~ C(. | x), then the reconstruction decode(encode(x~)) (a Bernoulli draw of it if `sample`
        and the data are images)."""
        self._require("walkback")
        corrupt = corruption or self.corruption
        assert corrupt is not None
        x_tilde = corrupt(x, generator)
        clean = self.decode(self.encode(x_tilde))
        if sample and self.config.likelihood == "bernoulli":
            clean = torch.bernoulli(clean.clamp(0, 1), generator=generator)
        return x_tilde, clean


def split_encoding(out: Any) -> tuple[Tensor, Tensor | None]:
    """encode's result as (code, None) or (mu, logvar); a torch Normal counts as (loc, 2 log scale)."""
    if isinstance(out, Tensor):
        return out, None
    if isinstance(out, torch.distributions.Normal):
        return out.loc, 2 * out.scale.log()
    if isinstance(out, (tuple, list)) and len(out) == 2 and all(isinstance(t, Tensor) for t in out):
        mu, logvar = out
        if mu.shape != logvar.shape:
            raise PluginError(f"encode returned two tensors of different shapes, {tuple(mu.shape)} and "
                              f"{tuple(logvar.shape)}: a posterior is (mu, logvar) of one shape")
        return mu, logvar
    what = type(out).__name__ + (f" of {len(out)}" if isinstance(out, (tuple, list)) else "")
    raise PluginError(f"encode returned a {what}: it must return a code (a tensor) or (mu, logvar)")


def loss_terms(out: Any, class_name: str) -> LossTerms:
    """The plug-in's loss(x) as named scalar terms with "total" (a lone tensor is the total)."""
    if isinstance(out, Tensor):
        out = {"total": out}
    if not isinstance(out, dict) or not all(isinstance(v, Tensor) for v in out.values()):
        raise PluginError(f"{class_name}.loss(x) must return a dict of tensors (with 'total'), "
                          f"not a {type(out).__name__}")
    if "total" not in out:
        raise PluginError(f"{class_name}.loss(x) returned {', '.join(map(str, out)) or 'no terms'} but no 'total'")
    return {str(k): (v if v.dim() == 0 else v.mean()) for k, v in out.items()}
