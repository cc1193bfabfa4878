"""The parametric-fits panel's state: which model and data, how many points n, the prior's strength
(and, optionally, its mean and spread), and the fit (MLE, MAP and their curves; core/parametric.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from psygnal import evented

from latentlab.core.parametric import MODELS, SOURCES, Fit, Prior, default_prior, fit, grids, pool
from latentlab.core.settings import setting

MAX_N = 1000
MAX_STRENGTH = 100.0


@evented
@dataclass
class ParametricState:
    model: str = setting("gaussian", label="Model", choices=MODELS,
                         choice_labels=("Gaussian (μ, σ)", "Poisson (λ)"),
                         help="The parametric model fitted by maximum likelihood and by MAP: a Gaussian with a "
                              "Normal-Inverse-Gamma prior, or a Poisson with a Gamma prior")
    source: str = setting("generated", label="Data", choices=SOURCES,
                          choice_labels=("generated", "MNIST-5k on-pixel counts"),
                          help="Where the n points come from, a fixed pool, so a larger n adds points: a generated "
                               "set (Gaussian: N(3, 2²); Poisson: counts with λ = 4) or, for each MNIST-5k digit, "
                               "its number of on pixels (intensity > 0.5)")
    n: int = setting(10, label="Sample size n", minimum=2, maximum=MAX_N,
                     help="How many points of the pool the fits see (the first n)")
    strength: float = setting(5.0, label="Prior strength", minimum=0.0, maximum=MAX_STRENGTH,
                              unit="imaginary data points",
                              help="How many data points the prior is worth; 0 is a flat prior (MAP = MLE)")
    prior_mean: float | None = setting(None, label="Prior mean", kind="float", optional=True,
                                       help="The prior's guess of μ or λ (default: an off guess for the data: "
                                            "0 for the generated Gaussian, 1 for the generated counts, 50 for MNIST)")
    prior_sd: float | None = setting(None, label="Prior σ", kind="float", optional=True, minimum=1e-3,
                                     help="Gaussian only: the prior's guess of σ (default: 1, or 15 for MNIST)")
    result: Fit | None = field(default=None)
    message: str = field(default="")

    def prior(self) -> Prior:
        guess = default_prior(self.model, self.source, self.strength)
        mean = guess.mean if self.prior_mean is None else self.prior_mean
        sd = guess.sd if self.prior_sd is None else self.prior_sd
        return Prior(mean, self.strength, sd)

    def pool(self) -> np.ndarray:
        return pool(self.model, self.source)

    def data(self) -> np.ndarray:
        """The first n points of the pool."""
        return self.pool()[:self.n]

    def update(self) -> Fit | None:
        """Fit again (the model, data, n or prior changed); on the pool's fixed axes, so the curves move."""
        self.message = ""
        try:
            prior, everything = self.prior(), self.pool()
            self.result = fit(self.model, everything[:self.n], prior, grids(self.model, everything, prior))
        except (ValueError, OSError, ImportError) as e:
            self.result, self.message = None, f"cannot fit: {e}"
        return self.result
