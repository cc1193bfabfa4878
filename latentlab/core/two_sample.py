"""Two-sample statistics beside MMD^2: the Wasserstein distance and the energy distance, with permutation tests.

  sliced Wasserstein (Rabin et al. 2011; SWAE, Kolouri et al. 2018)
      SW_2^2(P, Q) = mean over L random unit directions t of W_2^2(t'P, t'Q); in one dimension W_2^2
      compares sorted samples (equal sizes) or quantile functions (unequal sizes). Differentiable:
      it is the latent penalty of the `swae` family and an optional loss of the MMD net.
  exact Wasserstein W_2 (equal sample sizes)
      W_2^2 = min over one-to-one matchings pi of 1/n sum_i ||p_i - q_pi(i)||^2, solved by
      scipy.optimize.linear_sum_assignment (the optimal plan between two uniform n-point sets is a
      permutation, Birkhoff). O(n^3): used up to EXACT_MAX points per set, sliced above.
  energy distance (Szekely & Rizzo 2004), the V-statistic
      E^2 = 2 E|X - Y| - E|X - X'| - E|Y - Y'|; it is the biased MMD^2 with the kernel k = -|x - y|,
      so its permutation test reuses core/mmd.py's label-permutation algebra.

Every permutation test returns core.mmd.PermutationResult with p = (1 + #{null >= observed}) / (1 + B).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from latentlab.core.mmd import PermutationResult, PooledDistances, _check_pair, _statistics_for_labels
from latentlab.core.progress import IsCancelled, Report, check, tell

EXACT_MAX = 500  # points per set up to which the Wasserstein distance is exact (an assignment costs ~10 ms at 500)
N_PROJECTIONS = 50  # random directions of the sliced distance shown in the MMD panel
PROJECTIONS_HELP = ("Random directions per batch of the sliced Wasserstein distance (the SWAE's penalty; the MMD "
                    "net's generator loss when it is sliced Wasserstein)")


def random_directions(n: int, dim: int, generator: torch.Generator | None = None, dtype: torch.dtype = torch.float32,
                      device: torch.device | str = "cpu") -> Tensor:
    """n unit vectors uniform on the sphere S^(dim-1), as columns of a [dim, n] matrix."""
    if n < 1:
        raise ValueError(f"the number of projections must be at least 1, got {n}")
    t = torch.randn(dim, n, generator=generator, dtype=dtype)
    return (t / t.norm(dim=0, keepdim=True).clamp_min(1e-12)).to(device)


def _sorted_projections(a: Tensor, k: int) -> Tensor:
    """a [..., m, L] sorted along m; resampled to k quantile levels when m != k (linear interpolation)."""
    s = a.sort(dim=-2).values
    m = s.shape[-2]
    if m == k:
        return s
    pos = (torch.arange(k, dtype=s.dtype, device=s.device) + 0.5) * (m / k) - 0.5
    pos = pos.clamp(0, m - 1)
    lo = pos.floor().long()
    hi = (lo + 1).clamp(max=m - 1)
    w = (pos - lo.to(s.dtype))[:, None]
    return s[..., lo, :] * (1 - w) + s[..., hi, :] * w


def sliced_wasserstein2(x: Tensor, y: Tensor, n_projections: int = N_PROJECTIONS,
                        generator: torch.Generator | None = None, directions: Tensor | None = None) -> Tensor:
    """SW_2^2 between samples x [m, d] and y [n, d] over random (or given [d, L]) directions. Differentiable."""
    x, y = _check_pair(x.flatten(1) if x.dim() > 2 else x, y.flatten(1) if y.dim() > 2 else y)
    if directions is None:
        directions = random_directions(n_projections, x.shape[1], generator, x.dtype, x.device)
    directions = directions.to(dtype=x.dtype, device=x.device)
    k = max(x.shape[0], y.shape[0])
    px, py = _sorted_projections(x @ directions, k), _sorted_projections(y @ directions, k)
    return (px - py).pow(2).mean()


def wasserstein2_exact(x: Tensor, y: Tensor) -> float:
    """W_2 between two equal-size samples, by the optimal one-to-one matching."""
    x, y = _check_pair(x, y)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"the exact Wasserstein distance needs equal sample sizes, got {x.shape[0]} and {y.shape[0]}")
    return _assignment_w2(torch.cdist(x.double(), y.double()).pow(2).cpu().numpy())


def _assignment_w2(cost: np.ndarray) -> float:
    from scipy.optimize import linear_sum_assignment  # imported lazily: only this statistic needs scipy

    rows, cols = linear_sum_assignment(cost)
    return float(np.sqrt(max(cost[rows, cols].mean(), 0.0)))


def wasserstein_method(m: int, n: int) -> str:
    """'exact' when the distance is computed by assignment, else 'sliced'."""
    return "exact" if m == n and m <= EXACT_MAX else "sliced"


def wasserstein2(x: Tensor, y: Tensor, generator: torch.Generator | None = None,
                 n_projections: int = N_PROJECTIONS) -> tuple[float, str]:
    """(W_2, 'exact') for equal sizes up to EXACT_MAX, otherwise (sliced SW_2, 'sliced')."""
    x, y = _check_pair(x, y)
    if wasserstein_method(x.shape[0], y.shape[0]) == "exact":
        return wasserstein2_exact(x, y), "exact"
    with torch.no_grad():
        return float(sliced_wasserstein2(x, y, n_projections, generator).sqrt()), "sliced"


def energy_distance(x: Tensor | None, y: Tensor | None, distances: PooledDistances | None = None) -> float:
    """The energy distance E^2 = 2 E|X - Y| - E|X - X'| - E|Y - Y'| (V-statistic, squared form).
    `distances`: the pair's cached PooledDistances (then x and y are not read)."""
    if distances is None:
        if x is None or y is None:
            raise ValueError("energy_distance needs the two samples or their PooledDistances")
        distances = PooledDistances(x, y)
    d = _pooled_euclidean(distances)
    m = distances.m
    return float(2 * d[:m, m:].mean() - d[:m, :m].mean() - d[m:, m:].mean())


def _pooled_euclidean(pooled: PooledDistances) -> Tensor:
    return pooled.d2.clamp_min(0).sqrt()


def _permutations(total: int, count: int, generator: torch.Generator | None) -> Tensor:
    return torch.stack([torch.randperm(total, generator=generator) for _ in range(count)])


def _p_value(stat: float, null: Tensor) -> float:
    # a relative tolerance: a relabelling equal to the observed split must count as ">=" despite rounding
    return (1 + int((null >= stat - 1e-12 * max(abs(stat), 1.0)).sum())) / (1 + null.numel())


@torch.no_grad()
def energy_permutation_test(x: Tensor, y: Tensor, n_permutations: int = 500,
                            generator: torch.Generator | None = None, distances: PooledDistances | None = None,
                            batch: int = 500, report: Report | None = None,
                            cancelled: IsCancelled | None = None) -> PermutationResult:
    """Permutation test of P = Q with the energy distance (the biased MMD^2 of the kernel -|x - y|)."""
    _check_permutations(n_permutations)
    pooled = distances or PooledDistances(x, y)
    m, n = pooled.m, pooled.n
    k = -_pooled_euclidean(pooled)
    row_sums = k.sum(1)
    labels = torch.zeros(m + n, 1, dtype=k.dtype, device=k.device)
    labels[:m] = 1
    stat = float(_statistics_for_labels(k, labels, m, n, "biased", row_sums)[0])
    nulls, done = [], 0
    while done < n_permutations:
        check(cancelled)
        count = min(batch, n_permutations - done)
        ranks = _permutations(m + n, count, generator).to(k.device)
        nulls.append(_statistics_for_labels(k, (ranks < m).to(k.dtype).T.contiguous(), m, n, "biased", row_sums))
        done += count
        tell(report, done / n_permutations)
    null = torch.cat(nulls).cpu()
    return PermutationResult(stat, _p_value(stat, null), null, "energy")


@torch.no_grad()
def wasserstein_permutation_test(x: Tensor, y: Tensor, n_permutations: int = 500,
                                 generator: torch.Generator | None = None, n_projections: int = N_PROJECTIONS,
                                 distances: PooledDistances | None = None, batch: int = 100,
                                 report: Report | None = None,
                                 cancelled: IsCancelled | None = None) -> PermutationResult:
    """Permutation test of P = Q with W_2: exact (an assignment per relabelling) or sliced, as wasserstein2 picks.

    The sliced statistic draws its directions once, so every relabelling is measured along the same ones.
    The result's `estimator` is 'wasserstein-exact' or 'wasserstein-sliced'."""
    _check_permutations(n_permutations)
    x, y = _check_pair(x, y)
    m, n = x.shape[0], y.shape[0]
    z = torch.cat([x, y])
    method = wasserstein_method(m, n)
    nulls: list[Tensor] = []
    if method == "exact":
        cost = (distances.d2 if distances is not None else torch.cdist(z.double(), z.double()).pow(2))
        cost_np = cost.double().clamp_min(0).cpu().numpy()
        stat = _assignment_w2(cost_np[:m, m:])
        done = 0
        while done < n_permutations:
            check(cancelled)
            count = min(batch, n_permutations - done)
            orders = _permutations(m + n, count, generator).numpy()
            nulls.append(torch.tensor([_assignment_w2(cost_np[np.ix_(p[:m], p[m:])]) for p in orders]))
            done += count
            tell(report, done / n_permutations)
    else:
        proj = z @ random_directions(n_projections, z.shape[1], generator, z.dtype, z.device)  # [m + n, L]
        k = max(m, n)

        def sw(a: Tensor, b: Tensor) -> Tensor:  # a [B, m, L], b [B, n, L] -> [B]
            return (_sorted_projections(a, k) - _sorted_projections(b, k)).pow(2).mean((-2, -1)).sqrt()

        stat = float(sw(proj[None, :m], proj[None, m:])[0])
        done = 0
        while done < n_permutations:
            check(cancelled)
            count = min(batch, n_permutations - done)
            perms = _permutations(m + n, count, generator).to(z.device)
            shuffled = proj[perms]  # [B, m + n, L]
            nulls.append(sw(shuffled[:, :m], shuffled[:, m:]).cpu())
            done += count
            tell(report, done / n_permutations)
    null = torch.cat(nulls).to(torch.float64)
    return PermutationResult(stat, _p_value(stat, null), null, f"wasserstein-{method}")


def _check_permutations(n_permutations: int) -> None:
    if n_permutations < 1:
        raise ValueError("n_permutations must be at least 1")
