"""Parametric fits by maximum likelihood (MLE) and by maximum a posteriori (MAP), with conjugate priors.

Two models, as in the lecture:
- Gaussian (μ, σ) with a Normal-Inverse-Gamma prior over (μ, σ²);
- Poisson (λ) with a Gamma prior.

Each prior is written in "pseudo-observations": a prior of strength s with mean m (and, for the
Gaussian, spread s0) is exactly the likelihood of s imaginary data points with that mean (and
variance s0²). So the MAP estimate is the MLE of the real points plus the imaginary ones:

    Poisson:  λ_MAP = (Σ x_i + s m) / (n + s)                 (Gamma prior: shape s m + 1, rate s)
    Gaussian: μ_MAP = (n x̄ + s m) / (n + s)
              σ²_MAP = (Σ (x_i − x̄)² + s s0² + n s / (n + s) (x̄ − m)²) / (n + s)
              (Normal-Inverse-Gamma: κ0 = s, α0 = (s − 3) / 2, β0 = s s0² / 2)

Strength 0 is a flat prior (MAP = MLE); as n grows the real points outweigh the s imaginary
ones and the MAP moves to the MLE. The Normal-Inverse-Gamma prior is chosen over a Normal prior
on μ with σ known because σ is estimated too: both parameters get an MLE and a MAP, and both
shrink toward the prior.

The curves (log-likelihood, log-prior, log-posterior, unnormalised) are over one parameter at a
time; for the Gaussian each is a profile (the other parameter at its best value for that curve),
so each curve peaks at its own estimate: the likelihood at the MLE, the posterior at the MAP.
Pure numpy; no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

MODELS = ("gaussian", "poisson")
SOURCES = ("generated", "mnist")
POOL_SIZE = 2000  # the fixed pool the first n points are taken from (growing n adds points)
GAUSSIAN_TRUTH = (3.0, 2.0)  # the generated Gaussian set's μ and σ
POISSON_TRUTH = 4.0  # the generated counts' λ
ON = 0.5  # an MNIST pixel is "on" above this intensity (pixels are in [0, 1])
TINY = 1e-12


@dataclass(frozen=True)
class Prior:
    """A conjugate prior in pseudo-observations: `strength` imaginary points with mean `mean` (and, for
    the Gaussian, standard deviation `sd`). Strength 0 is a flat prior."""

    mean: float
    strength: float
    sd: float = 1.0

    def __post_init__(self) -> None:
        if not self.strength >= 0 or not self.sd > 0 or not math.isfinite(self.mean):
            raise ValueError(f"a prior needs strength >= 0, sd > 0 and a finite mean, got {self}")


# -- data --------------------------------------------------------------------------------------
def generated_pool(model: str, size: int = POOL_SIZE, seed: int = 0) -> np.ndarray:
    """A fixed generated set: N(3, 2²) draws for the Gaussian, Poisson(4) counts for the Poisson."""
    rng = np.random.default_rng(seed)
    if model == "gaussian":
        mu, sigma = GAUSSIAN_TRUTH
        return rng.normal(mu, sigma, size)
    if model == "poisson":
        return rng.poisson(POISSON_TRUTH, size).astype(np.float64)
    raise ValueError(f"unknown model {model!r}; known: {', '.join(MODELS)}")


def on_pixel_counts(images: np.ndarray, threshold: float = ON) -> np.ndarray:
    """The number of "on" pixels (intensity above `threshold`) of each image (one per row)."""
    images = np.asarray(images)
    return (images.reshape(len(images), -1) > threshold).sum(1).astype(np.float64)


@cache
def mnist_pool(size: int = POOL_SIZE) -> np.ndarray:
    """On-pixel counts of the shipped MNIST-5k digits, in the loader's shuffled order (its labels come sorted)."""
    from latentlab.core.data.builtin import load_mnist5k

    d = load_mnist5k(seed=0)
    images = np.concatenate([d.floats("train").numpy(), d.floats("test").numpy()])[:size]
    return on_pixel_counts(images)


def pool(model: str, source: str) -> np.ndarray:
    if source == "generated":
        return generated_pool(model)
    if source == "mnist":
        return mnist_pool()
    raise ValueError(f"unknown data source {source!r}; known: {', '.join(SOURCES)}")


def default_prior(model: str, source: str, strength: float = 5.0) -> Prior:
    """A deliberately off guess, so the pull of the prior shows: below the data's mean, narrower spread."""
    if source == "mnist":
        return Prior(50.0, strength, 15.0)
    return Prior(0.0, strength, 1.0) if model == "gaussian" else Prior(1.0, strength)


# -- estimates ---------------------------------------------------------------------------------
def _sample(x: np.ndarray, least: int = 1) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64).ravel()
    if len(x) < least or not np.all(np.isfinite(x)):
        raise ValueError(f"need at least {least} finite data points, got {len(x)}")
    return x


def gaussian_mle(x: np.ndarray) -> tuple[float, float]:
    """μ = x̄, σ² = (1/n) Σ (x_i − x̄)² (the maximum-likelihood variance divides by n, not n − 1)."""
    x = _sample(x)
    return float(x.mean()), float(np.sqrt(np.mean((x - x.mean()) ** 2)))


def gaussian_map(x: np.ndarray, prior: Prior) -> tuple[float, float]:
    """The joint mode of the Normal-Inverse-Gamma posterior over (μ, σ²) (module docstring)."""
    x = _sample(x)
    n, s, m = len(x), prior.strength, prior.mean
    mean = x.mean()
    ss = float(np.sum((x - mean) ** 2))
    mu = (n * mean + s * m) / (n + s)
    var = (ss + s * prior.sd ** 2 + n * s / (n + s) * (mean - m) ** 2) / (n + s)
    return float(mu), float(np.sqrt(var))


def poisson_mle(x: np.ndarray) -> float:
    return float(_sample(x).mean())


def poisson_map(x: np.ndarray, prior: Prior) -> float:
    """The mode of the Gamma(s m + 1 + Σ x, s + n) posterior: (Σ x + s m) / (n + s)."""
    x = _sample(x)
    if prior.mean < 0 or np.any(x < 0):
        raise ValueError("a Poisson's counts and its prior's mean are at least 0")
    return float((x.sum() + prior.strength * prior.mean) / (len(x) + prior.strength))


def mle(model: str, x: np.ndarray) -> tuple[float, ...]:
    return gaussian_mle(x) if model == "gaussian" else (poisson_mle(x),)


def map_estimate(model: str, x: np.ndarray, prior: Prior) -> tuple[float, ...]:
    return gaussian_map(x, prior) if model == "gaussian" else (poisson_map(x, prior),)


# -- log densities (up to constants that do not depend on the parameters) --------------------
def gaussian_log_likelihood(x: np.ndarray, mu, sigma) -> np.ndarray:
    """Σ_i log N(x_i; μ, σ²), broadcast over arrays of μ and σ."""
    x = _sample(x)
    mu, var = np.asarray(mu, dtype=np.float64), np.maximum(np.asarray(sigma, dtype=np.float64) ** 2, TINY)
    n, mean = len(x), x.mean()
    spread = np.sum((x - mean) ** 2) + n * (mean - mu) ** 2
    return -0.5 * n * np.log(2 * np.pi * var) - spread / (2 * var)


def gaussian_log_prior(mu, sigma, prior: Prior) -> np.ndarray:
    """The Normal-Inverse-Gamma prior as the likelihood of `strength` imaginary points (0 when flat)."""
    mu, var = np.asarray(mu, dtype=np.float64), np.maximum(np.asarray(sigma, dtype=np.float64) ** 2, TINY)
    s = prior.strength
    return -0.5 * s * np.log(2 * np.pi * var) - s * (prior.sd ** 2 + (mu - prior.mean) ** 2) / (2 * var)


def poisson_log_likelihood(x: np.ndarray, lam) -> np.ndarray:
    x = _sample(x)
    lam = np.maximum(np.asarray(lam, dtype=np.float64), TINY)
    log_factorials = float(sum(math.lgamma(v + 1) for v in x))
    return x.sum() * np.log(lam) - len(x) * lam - log_factorials


def poisson_log_prior(lam, prior: Prior) -> np.ndarray:
    """The Gamma(s m + 1, s) prior, unnormalised: s m log λ − s λ (0 when flat)."""
    lam = np.maximum(np.asarray(lam, dtype=np.float64), TINY)
    return prior.strength * (prior.mean * np.log(lam) - lam)


def poisson_posterior_density(x: np.ndarray, lam, prior: Prior) -> np.ndarray:
    """The normalised posterior density of λ: Gamma(shape s m + 1 + Σ x, rate s + n)."""
    x = _sample(x)
    shape, rate = prior.strength * prior.mean + 1 + x.sum(), prior.strength + len(x)
    lam = np.maximum(np.asarray(lam, dtype=np.float64), TINY)
    return np.exp(shape * math.log(rate) - math.lgamma(shape) + (shape - 1) * np.log(lam) - rate * lam)


def gaussian_posterior_density(x: np.ndarray, mu, sigma, prior: Prior) -> np.ndarray:
    """The normalised Normal-Inverse-Gamma posterior density over (μ, σ²), at σ² = sigma²
    (proper once n + strength > 3)."""
    x = _sample(x)
    n, s = len(x), prior.strength
    kappa, alpha = n + s, (n + s - 3) / 2
    if alpha <= 0:
        raise ValueError("the posterior is proper only once n + strength > 3")
    mean = x.mean()
    m = (n * mean + s * prior.mean) / kappa
    beta = 0.5 * (np.sum((x - mean) ** 2) + s * prior.sd ** 2 + n * s / kappa * (mean - prior.mean) ** 2)
    mu, var = np.asarray(mu, dtype=np.float64), np.maximum(np.asarray(sigma, dtype=np.float64) ** 2, TINY)
    log = (0.5 * math.log(kappa / (2 * math.pi)) + alpha * math.log(beta) - math.lgamma(alpha)
           - (alpha + 1.5) * np.log(var) - (2 * beta + kappa * (mu - m) ** 2) / (2 * var))
    return np.exp(log)


# -- curves over one parameter -----------------------------------------------------------------
@dataclass(frozen=True, eq=False)  # arrays inside: compared by identity
class Curves:
    """Log-likelihood, log-prior and log-posterior (unnormalised) over a grid of one parameter."""

    parameter: str  # "μ", "σ" or "λ"
    grid: np.ndarray
    log_likelihood: np.ndarray
    log_prior: np.ndarray
    log_posterior: np.ndarray
    mle: float
    map: float


@dataclass(frozen=True, eq=False)
class Fit:
    model: str
    n: int
    prior: Prior
    mle: tuple[float, ...]  # (μ, σ) or (λ,)
    map: tuple[float, ...]
    curves: tuple[Curves, ...]  # one per parameter


def grids(model: str, data: np.ndarray, prior: Prior, points: int = 801) -> tuple[np.ndarray, ...]:
    """Fixed axes for a pool and prior (they do not move with n, so the estimates are seen to move)."""
    data = _sample(data)
    mean, sd = float(data.mean()), float(data.std()) or 1.0
    if model == "gaussian":
        lo, hi = min(mean, prior.mean) - 1.5 * sd, max(mean, prior.mean) + 1.5 * sd
        top = 2.5 * max(sd, prior.sd) + abs(mean - prior.mean)
        return np.linspace(lo, hi, points), np.linspace(top / points, top, points)
    width = 4 * math.sqrt(max(mean, prior.mean, 1.0))
    lo, hi = max(min(mean, prior.mean) - width, 0.0), max(mean, prior.mean) + width
    return (np.linspace(lo + (hi - lo) / points if lo == 0 else lo, hi, points),)


def fit(model: str, x: np.ndarray, prior: Prior, axes: tuple[np.ndarray, ...] | None = None) -> Fit:
    """MLE, MAP and the three curves over each parameter (on `axes`, default grids(model, x, prior))."""
    x = _sample(x, 2 if model == "gaussian" else 1)
    axes = axes or grids(model, x, prior)
    lik, mapped = mle(model, x), map_estimate(model, x, prior)
    if model == "poisson":
        lam = axes[0]
        ll, lp = poisson_log_likelihood(x, lam), poisson_log_prior(lam, prior)
        return Fit(model, len(x), prior, lik, mapped, (Curves("λ", lam, ll, lp, ll + lp, lik[0], mapped[0]),))
    n, s, mean = len(x), prior.strength, float(x.mean())
    ss = float(np.sum((x - mean) ** 2))
    mu, sigma = axes

    def posterior(m, sd):
        return gaussian_log_likelihood(x, m, sd) + gaussian_log_prior(m, sd, prior)

    # Profiles: over μ, each curve at its own best σ for that μ; over σ, at its own best μ.
    sd_lik = np.sqrt((ss + n * (mean - mu) ** 2) / n)
    sd_prior = np.sqrt(prior.sd ** 2 + (mu - prior.mean) ** 2)
    sd_post = np.sqrt((ss + n * (mean - mu) ** 2 + s * (prior.sd ** 2 + (mu - prior.mean) ** 2)) / (n + s))
    mu_post = (n * mean + s * prior.mean) / (n + s)
    over_mu = Curves("μ", mu, gaussian_log_likelihood(x, mu, sd_lik), gaussian_log_prior(mu, sd_prior, prior),
                     posterior(mu, sd_post), lik[0], mapped[0])
    over_sigma = Curves("σ", sigma, gaussian_log_likelihood(x, mean, sigma), gaussian_log_prior(prior.mean, sigma, prior),
                        posterior(mu_post, sigma), lik[1], mapped[1])
    return Fit(model, n, prior, lik, mapped, (over_mu, over_sigma))


def model_density(model: str, params: tuple[float, ...], at: np.ndarray) -> np.ndarray:
    """The fitted model's density at `at` (N(μ, σ²), or the Poisson pmf at the nearest whole number,
    which is a density per unit of x), to draw over the data's histogram."""
    at = np.asarray(at, dtype=np.float64)
    if model == "gaussian":
        mu, sigma = params
        sigma = max(sigma, 1e-6)
        return np.exp(-0.5 * ((at - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    lam = max(params[0], TINY)
    k = np.maximum(np.round(at), 0)
    log_factorials = np.array([math.lgamma(v + 1) for v in k.ravel()]).reshape(k.shape)
    return np.exp(k * math.log(lam) - lam - log_factorials)


def histogram_bins(data: np.ndarray, bins: int = 30, whole: bool = False) -> np.ndarray:
    """Fixed bin edges over a pool (whole numbers: edges at half-integers, at least 1 wide)."""
    data = _sample(data)
    lo, hi = float(data.min()), float(data.max())
    if not whole:
        return np.linspace(lo, hi if hi > lo else lo + 1, bins + 1)
    width = max(1, math.ceil((hi - lo + 1) / bins))
    return np.arange(lo - 0.5, hi + width + 0.5, width)


def scaled(log_curve: np.ndarray) -> np.ndarray:
    """exp(log − max): a curve scaled to peak 1, for drawing the three on one axis (flat when constant)."""
    log_curve = np.asarray(log_curve, dtype=np.float64)
    return np.exp(log_curve - np.max(log_curve))
