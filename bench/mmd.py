"""MMD^2 speed: against a naive cdist implementation and the machine's matrix-multiply floor."""

from __future__ import annotations

import statistics
import time

import torch

from bench.report import Figure, best_of, figure, sync
from latentlab.core.mmd import PooledDistances, mmd2, permutation_test


def naive_mmd2(x, y, sigma):
    """What one writes first: the three kernel matrices materialised with torch.cdist."""
    k = lambda a, b: torch.exp(-torch.cdist(a, b).pow(2) / (2 * sigma**2))  # noqa: E731
    return k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean()


def matmul_rate(d: int, device: str) -> float:
    """Measured FLOP/s of a 2048 x d by d x 2048 float32 product, the shape of one Gram tile."""
    a = torch.randn(2048, d, device=device)
    b = torch.randn(2048, d, device=device)
    torch.mm(a, b.T)
    reps = 20 if device == "cpu" else 200

    def go():
        for _ in range(reps):
            torch.mm(a, b.T)
        sync(device)

    return 2 * 2048 * 2048 * d * reps / best_of(go, 3)


def run(quick: bool, device: str) -> list[Figure]:
    g = torch.Generator().manual_seed(0)
    n, d = (3000 if quick else 10_000), 784
    x = torch.rand(n, d, generator=g).to(device)
    y = (torch.rand(n, d, generator=g) * 0.9).to(device)
    sigma = 10.0
    rate = matmul_rate(d, device)
    floor = 3 * 2 * n * n * d / rate  # the three Gram products X X^T, X Y^T, Y Y^T

    def ours():
        mmd2(x, y, sigma=sigma).item()

    def naive():
        naive_mmd2(x, y, sigma).item()

    ours()
    t_ours = best_of(ours, 2 if quick else 3)
    t_naive = best_of(naive, 1 if quick else 2)
    agree = abs(mmd2(x, y, sigma=sigma).item() - naive_mmd2(x.double(), y.double(), sigma).item())

    # bandwidth re-evaluation with cached distances, n = 2,000 per sample
    m = 2000
    xs, ys = x[:m], y[:m]
    cache = PooledDistances(xs, ys)
    sigmas = [2.0 + 0.5 * i for i in range(10)]
    cache.mmd2(sigma=1.0).item()
    per_sigma = []
    for s in sigmas:
        start = time.perf_counter()
        cache.mmd2("gaussian", s, "unbiased").item()
        sync(device)
        per_sigma.append(time.perf_counter() - start)
    reeval_ms = statistics.median(per_sigma) * 1e3

    # 1,000-permutation test against one MMD^2 evaluation at n = 2,000
    def one():
        mmd2(xs, ys, sigma=sigma, estimator="unbiased").item()

    def perm():
        permutation_test(xs, ys, sigma=sigma, n_permutations=1000, generator=torch.Generator().manual_seed(1))

    one()
    t_one = best_of(one, 3)
    t_perm = best_of(perm, 1 if quick else 2)
    return [
        figure("mmd_vs_floor", t_ours / floor, "x",
               f"matmul floor {floor:.2f} s at {rate / 1e9:.0f} GFLOP/s; ours {t_ours:.2f} s", "<= 1.5",
               f"n = {n} per sample, d = {d}; |ours - float64 naive| = {agree:.1e}"),
        figure("mmd_vs_naive", t_naive / t_ours, "x", f"torch.cdist version {t_naive:.2f} s", ">= 1.0"),
        figure("bandwidth_reeval_ms", reeval_ms, "ms", "cached pooled distances, n = 2,000 per sample", "< 30"),
        figure("permtest_vs_one", t_perm / t_one, "x",
               f"one MMD^2 {t_one * 1e3:.0f} ms; 1,000 permutations {t_perm * 1e3:.0f} ms", "<= 2.5"),
    ]
