"""Density estimates: a parametric Gaussian fit, kernel density estimates and Parzen-window likelihoods."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from latentlab.core.kernels import _as_2d, pooled_covariance, sq_euclidean

BLOCK = 4096  # query rows per block, so n_query x n_points never lives whole


@dataclass(frozen=True)
class GaussianFit:
    """Maximum-likelihood multivariate Gaussian: the parametric density the lecture contrasts with a KDE.

    μ = (1/n) Σ z_i and Σ = (1/n) Σ (z_i − μ)(z_i − μ)^T, as lesson 3's formula says; `unbiased=True`
    divides by n − 1 instead (the unbiased covariance, which is not the maximum-likelihood one)."""

    mean: Tensor
    cov: Tensor

    @classmethod
    def fit(cls, points: Tensor, shrinkage: float = 1e-6, unbiased: bool = False) -> GaussianFit:
        points = _as_2d(points, "points")
        n = points.shape[0]
        cov = pooled_covariance(points, shrinkage=shrinkage)  # divides by n - 1
        return cls(points.mean(0), cov if unbiased else cov * ((n - 1) / n))

    def log_prob(self, query: Tensor) -> Tensor:
        dist = torch.distributions.MultivariateNormal(self.mean, covariance_matrix=self.cov)
        return dist.log_prob(_as_2d(query, "query").to(self.mean.dtype))


def bandwidth_factor(rule: str, n: int, d: int) -> float:
    """Scott's n^(-1/(d+4)) or Silverman's (n (d+2) / 4)^(-1/(d+4)), as in scipy.stats.gaussian_kde."""
    if rule == "scott":
        return n ** (-1.0 / (d + 4))
    if rule == "silverman":
        return (n * (d + 2) / 4.0) ** (-1.0 / (d + 4))
    raise ValueError(f"unknown bandwidth rule {rule!r}; choose 'scott', 'silverman' or a number")


def _logsumexp_gaussian(points: Tensor, query: Tensor, sigma: float) -> Tensor:
    """log sum_i exp(-||q - p_i||^2 / (2 sigma^2)) for every query, in blocks of queries."""
    out = []
    for i in range(0, query.shape[0], BLOCK):
        d2 = sq_euclidean(query[i:i + BLOCK], points)
        out.append(torch.logsumexp(d2 * (-0.5 / sigma**2), dim=1))
    return torch.cat(out)


def kde_log_density(points: Tensor, query: Tensor, bandwidth: str | float = "scott", scale: float = 1.0) -> Tensor:
    """Log density of a Gaussian KDE at `query`.

    A rule ("scott", "silverman") scales the data covariance, like scipy's gaussian_kde, and
    `scale` multiplies the rule's width (to show a too narrow or too wide kernel);
    a number is an isotropic kernel width in data units.
    """
    points, query = _as_2d(points, "points"), _as_2d(query, "query").to(points.dtype)
    n, d = points.shape
    if isinstance(bandwidth, str):
        if not scale > 0:
            raise ValueError(f"the bandwidth scale must be positive, got {scale}")
        cov = pooled_covariance(points, shrinkage=1e-6) if n > 1 else torch.eye(d, dtype=points.dtype)
        chol = torch.linalg.cholesky(cov * (scale * bandwidth_factor(bandwidth, n, d)) ** 2)
        whiten = lambda a: torch.linalg.solve_triangular(chol, a.T, upper=False).T  # noqa: E731
        log_det = 2 * torch.log(torch.diagonal(chol)).sum()
        pw, qw = whiten(points), whiten(query)
        sigma = 1.0
    else:
        if not bandwidth > 0:
            raise ValueError(f"the bandwidth must be positive, got {bandwidth}")
        pw, qw, sigma = points, query, float(bandwidth)
        log_det = torch.tensor(2 * d * math.log(sigma), dtype=points.dtype)
    log_norm = math.log(n) + 0.5 * d * math.log(2 * math.pi) + 0.5 * log_det
    return _logsumexp_gaussian(pw, qw, sigma) - log_norm


def kde(points: Tensor, query: Tensor, bandwidth: str | float = "scott", scale: float = 1.0) -> Tensor:
    """Densities of a Gaussian kernel density estimate at `query` (see kde_log_density)."""
    return kde_log_density(points, query, bandwidth, scale).exp()


@dataclass(frozen=True)
class FitComparison:
    """Mean held-out log-density (nats per point) under a parametric fit and under a KDE."""

    gaussian: float
    kde: float


def compare_fits(train: Tensor, test: Tensor, scale: float = 1.0) -> FitComparison:
    """Fit a Gaussian and a KDE (Scott's width times `scale`) to `train`; score both on `test`."""
    train, test = _as_2d(train, "train").double(), _as_2d(test, "test").double()
    gaussian = GaussianFit.fit(train).log_prob(test).mean()
    return FitComparison(float(gaussian), float(kde_log_density(train, test, "scott", scale).mean()))


@dataclass(frozen=True)
class ParzenResult:
    mean: float  # mean log-likelihood of the test points, in nats
    std_err: float
    sigma: float


PARZEN_CANDIDATES = tuple(10 ** (k / 4) for k in range(-8, 5))  # window widths tried, 0.01 to 10


def parzen_log_likelihood(
    samples: Tensor,
    test: Tensor,
    sigma: float | None = None,
    validation: Tensor | None = None,
    candidates: tuple[float, ...] = PARZEN_CANDIDATES,
) -> ParzenResult:
    """Parzen-window estimate of log p(test) under a model's samples (isotropic Gaussian window).

    This is the score used by the GSN and GMMN papers. With sigma=None the window
    is the candidate that maximises the likelihood of `validation` (default: the first
    fifth of `test`, which is then not scored).
    """
    samples, test = _as_2d(samples, "samples"), _as_2d(test, "test").to(samples.dtype)
    if sigma is None:
        if validation is None:
            cut = max(1, test.shape[0] // 5)
            validation, test = test[:cut], test[cut:]
        validation = _as_2d(validation, "validation").to(samples.dtype)
        scores = [kde_log_density(samples, validation, s).mean().item() for s in candidates]
        sigma = candidates[max(range(len(candidates)), key=scores.__getitem__)]
    ll = kde_log_density(samples, test, float(sigma))
    std_err = ll.std().item() / math.sqrt(ll.numel()) if ll.numel() > 1 else 0.0
    return ParzenResult(ll.mean().item(), std_err, float(sigma))
