"""Distances, affinities and kernels: the lecture's path from distance to affinity.

Everything is pure torch and works on any device and dtype. Squared Euclidean
distances use ||x||^2 + ||y||^2 - 2 x.y (one matrix multiply) after centring
both sets on their pooled mean, which keeps float32 cancellation small; the
result is clamped at zero and the diagonal of a self-distance matrix is exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

METRICS = ("euclidean", "sqeuclidean", "minkowski", "mahalanobis", "cosine", "correlation")
KERNELS = ("gaussian", "laplacian", "imq")

Bandwidth = float | Sequence[float] | Tensor


class SingularCovarianceError(ValueError):
    """The covariance for a Mahalanobis distance cannot be inverted."""


def _as_2d(x: Tensor, name: str) -> Tensor:
    if x.dim() == 1:
        return x.unsqueeze(1)
    if x.dim() != 2:
        x = x.reshape(x.shape[0], -1)
    if x.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    return x


SYMMETRIC_TILE = 2048  # above this many points, a self-distance matrix is built from its upper tiles


def _symmetric_sq_euclidean(xc: Tensor, norms: Tensor) -> Tensor:
    """Self-distances from the upper-triangular tiles only, mirrored: ~3/4 of the multiply work or less."""
    n, t = xc.shape[0], SYMMETRIC_TILE
    out = torch.empty(n, n, dtype=xc.dtype, device=xc.device)
    for i in range(0, n, t):
        for j in range(i, n, t):
            tile = torch.addmm(norms[i:i + t, None] + norms[None, j:j + t], xc[i:i + t], xc[j:j + t].T, alpha=-2.0)
            out[i:i + t, j:j + t] = tile
            if j != i:
                out[j:j + t, i:i + t] = tile.T
    return out


REFINE_CHUNK = 1 << 20


def _refine_near_pairs(d2: Tensor, xc: Tensor, yc: Tensor, xn: Tensor, yn: Tensor) -> Tensor:
    """Recompute exactly the pairs whose distance is tiny next to their norms.

    The Gram formula's absolute error is about eps * (|x|^2 + |y|^2), so for near-duplicate
    points it can swamp the distance itself (and break the triangle inequality). Those pairs,
    where d^2 < sqrt(eps) * (|x|^2 + |y|^2), are few; they get the direct sum of squares.
    """
    if torch.is_grad_enabled() and (xc.requires_grad or yc.requires_grad):
        return d2  # autograd through the Gram formula is fine; leave the graph alone
    eps = torch.finfo(d2.dtype).eps
    near = (d2 < eps**0.5 * (xn[:, None] + yn[None, :])).nonzero()
    for chunk in near.split(REFINE_CHUNK):
        i, j = chunk[:, 0], chunk[:, 1]
        d2[i, j] = ((xc[i] - yc[j]) ** 2).sum(1)
    return d2


def sq_euclidean(x: Tensor, y: Tensor | None = None) -> Tensor:
    """Squared Euclidean distances ||x_i - y_j||^2 through one matrix multiply."""
    x = _as_2d(x, "x")
    same = y is None
    y = x if y is None else _as_2d(y, "y")
    centre = torch.cat([x, y]).mean(0) if not same else x.mean(0)
    xc = x - centre
    yc = xc if same else y - centre
    xn = (xc * xc).sum(1)
    yn = xn if same else (yc * yc).sum(1)
    if same and len(xc) > SYMMETRIC_TILE and not (torch.is_grad_enabled() and xc.requires_grad):
        d2 = _symmetric_sq_euclidean(xc, xn).clamp_(min=0.0)
    else:
        d2 = torch.addmm(xn[:, None] + yn[None, :], xc, yc.T, alpha=-2.0).clamp_(min=0.0)
    d2 = _refine_near_pairs(d2, xc, yc, xn, yn)
    if same:
        d2.fill_diagonal_(0.0)
    return d2


def pooled_covariance(x: Tensor, y: Tensor | None = None, shrinkage: float = 0.0) -> Tensor:
    """Covariance of the pooled sample, optionally shrunk toward (trace/d) I (Ledoit-Wolf style)."""
    z = _as_2d(x, "x") if y is None else torch.cat([_as_2d(x, "x"), _as_2d(y, "y")])
    if z.shape[0] < 2:
        raise ValueError("need at least two points to estimate a covariance")
    zc = z - z.mean(0)
    cov = zc.T @ zc / (z.shape[0] - 1)
    if shrinkage:
        if not 0.0 <= shrinkage <= 1.0:
            raise ValueError(f"shrinkage must be in [0, 1], got {shrinkage}")
        d = cov.shape[0]
        target = torch.eye(d, dtype=cov.dtype, device=cov.device) * (torch.trace(cov) / d)
        cov = (1 - shrinkage) * cov + shrinkage * target
    return cov


def _whiten(x: Tensor, y: Tensor | None, cov: Tensor | None, shrinkage: float) -> tuple[Tensor, Tensor | None]:
    if cov is None:
        cov = pooled_covariance(x, y, shrinkage)
    cov = cov.to(dtype=x.dtype, device=x.device)
    chol, info = torch.linalg.cholesky_ex(cov)
    pivots = torch.diagonal(chol) ** 2  # residual variances; a tiny one means a (nearly) dependent feature
    ill = int(info) != 0 or not bool(pivots.min() > 100 * torch.finfo(cov.dtype).eps * pivots.max())
    if ill:
        raise SingularCovarianceError(
            "the covariance is singular (or not positive definite), so the Mahalanobis distance "
            "is undefined; pass shrinkage > 0 (e.g. 0.1) or a covariance of your own"
        )
    def solve(a: Tensor) -> Tensor:
        return torch.linalg.solve_triangular(chol, a.T, upper=False).T

    return solve(x), None if y is None else solve(y)


def _unit_rows(x: Tensor) -> Tensor:
    return x / x.norm(dim=1, keepdim=True).clamp_min(torch.finfo(x.dtype).tiny)


def affinity(x: Tensor, y: Tensor | None = None, kind: str = "cosine") -> Tensor:
    """Similarities in [-1, 1]: cosine of the angle, or Pearson correlation of the rows."""
    x = _as_2d(x, "x")
    y = x if y is None else _as_2d(y, "y")
    if kind == "correlation":
        x = x - x.mean(1, keepdim=True)
        y = y - y.mean(1, keepdim=True)
    elif kind != "cosine":
        raise ValueError(f"unknown affinity {kind!r}; choose 'cosine' or 'correlation'")
    return (_unit_rows(x) @ _unit_rows(y).T).clamp_(-1.0, 1.0)


def pairwise_distances(
    x: Tensor,
    y: Tensor | None = None,
    metric: str = "euclidean",
    p: float = 2.0,
    cov: Tensor | None = None,
    shrinkage: float = 0.0,
) -> Tensor:
    """Distance matrix D[i, j] = d(x_i, y_j) for one of METRICS.

    minkowski takes p >= 1 (math.inf allowed); mahalanobis uses `cov`, or the
    pooled sample covariance shrunk by `shrinkage`; cosine and correlation are
    returned as distances, 1 - similarity.
    """
    x = _as_2d(x, "x")
    if y is not None:
        y = _as_2d(y, "y")
        if y.shape[1] != x.shape[1]:
            raise ValueError(f"x has {x.shape[1]} features but y has {y.shape[1]}")
    if metric == "sqeuclidean":
        return sq_euclidean(x, y)
    if metric == "euclidean":
        return sq_euclidean(x, y).sqrt_()
    if metric == "mahalanobis":
        xw, yw = _whiten(x, y, cov, shrinkage)
        return sq_euclidean(xw, yw).sqrt_()
    if metric == "minkowski":
        if not p >= 1:
            raise ValueError(f"minkowski needs p >= 1 (a metric), got p={p}")
        return torch.cdist(x, x if y is None else y, p=p)
    if metric in ("cosine", "correlation"):
        d = 1.0 - affinity(x, y, metric)
        if y is None:
            d.fill_diagonal_(0.0)
        return d.clamp_(min=0.0)
    raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")


def bandwidths(sigma: Bandwidth, like: Tensor) -> Tensor:
    """A 1-D tensor of bandwidths on `like`'s device and dtype, all checked positive."""
    s = torch.as_tensor(sigma, dtype=like.dtype, device=like.device).reshape(-1)
    if s.numel() == 0 or not bool((s > 0).all()) or not bool(torch.isfinite(s).all()):
        raise ValueError(f"bandwidths must be positive and finite, got {sigma}")
    return s


def _sum_over_bandwidths(d2: Tensor, sigma: Bandwidth, one) -> Tensor:
    s = bandwidths(sigma, d2)
    out = one(d2, s[0])
    for si in s[1:]:
        out = out + one(d2, si)
    return out


def gaussian_kernel(d2: Tensor, sigma: Bandwidth) -> Tensor:
    """Gaussian kernel from squared distances: s_ij = exp(-d_ij^2 / (2 sigma^2)), summed over sigmas."""
    return _sum_over_bandwidths(d2, sigma, lambda d, s: (d * (-0.5 / (s * s))).exp_())


def laplacian_kernel(d2: Tensor, sigma: Bandwidth) -> Tensor:
    """Laplacian kernel exp(-d_ij / sigma), from squared distances, summed over sigmas."""
    d = d2.clamp(min=0).sqrt()
    return _sum_over_bandwidths(d, sigma, lambda dd, s: (dd * (-1.0 / s)).exp_())


def imq_kernel(d2: Tensor, sigma: Bandwidth) -> Tensor:
    """Inverse multiquadric kernel sigma / sqrt(sigma^2 + d_ij^2), summed over sigmas (value 1 at d=0)."""
    return _sum_over_bandwidths(d2, sigma, lambda d, s: s * torch.rsqrt(s * s + d))


KERNEL_FUNCTIONS = {"gaussian": gaussian_kernel, "laplacian": laplacian_kernel, "imq": imq_kernel}


def kernel_from_sqdist(d2: Tensor, kernel: str, sigma: Bandwidth) -> Tensor:
    try:
        fn = KERNEL_FUNCTIONS[kernel]
    except KeyError:
        raise ValueError(f"unknown kernel {kernel!r}; choose one of {', '.join(KERNELS)}") from None
    return fn(d2, sigma)


def median_heuristic(x: Tensor, y: Tensor | None = None, max_points: int = 1000) -> float:
    """Bandwidth = median Euclidean distance between distinct points of the pooled sample.

    At most `max_points` points (an evenly spaced subsample) are used, so the cost stays bounded.
    """
    z = _as_2d(x, "x") if y is None else torch.cat([_as_2d(x, "x"), _as_2d(y, "y")])
    if z.shape[0] > max_points:
        z = z[torch.linspace(0, z.shape[0] - 1, max_points, device=z.device).long()]
    d2 = sq_euclidean(z)
    iu = torch.triu_indices(z.shape[0], z.shape[0], offset=1, device=z.device)
    med = d2[iu[0], iu[1]].median().sqrt().item() if z.shape[0] > 1 else 0.0
    return med if med > 0 and math.isfinite(med) else 1.0
