"""Maximum Mean Discrepancy between two samples, and its permutation test.

With kernel k, samples P = {p_1..p_m} and Q = {q_1..q_n}:

  biased (V-statistic, as in the lecture)
      MMD^2_b = 1/m^2 sum_ij k(p_i,p_j) - 2/(mn) sum_ij k(p_i,q_j) + 1/n^2 sum_ij k(q_i,q_j)
  unbiased (U-statistic, Gretton et al. 2012, eq. 3)
      MMD^2_u = 1/(m(m-1)) sum_{i!=j} k(p_i,p_j) - 2/(mn) sum_ij k(p_i,q_j)
                + 1/(n(n-1)) sum_{i!=j} k(q_i,q_j)
      It is unbiased and therefore can be negative when P = Q; it is reported as is.
  linear (Gretton et al. 2012, lemma 14), O(n) time for large samples
      MMD^2_l = mean_i h(p_{2i-1}, p_{2i}, q_{2i-1}, q_{2i}),
      h = k(p,p') + k(q,q') - k(p,q') - k(p',q)

Large inputs (no gradient needed) are processed in blocks of the pooled
Gram matrix, visiting only the upper triangle, so memory stays bounded and
the symmetric K_PP and K_QQ cost half their matrix multiplies.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from latentlab.core.kernels import (
    Bandwidth,
    _as_2d,
    _refine_near_pairs,
    bandwidths,
    kernel_from_sqdist,
    median_heuristic,
    sq_euclidean,
)
from latentlab.core.progress import IsCancelled, Report, check, tell

ESTIMATORS = ("biased", "unbiased", "linear")
BLOCK = 2048  # rows per block: a 2048 x 2048 float32 tile is 16 MiB
# On a GPU, kernel launches rather than memory bound 2,048-row tiles: fewer, larger ones (256 MiB each).
GPU_BLOCK = 8192


@dataclass(frozen=True)
class KernelSums:
    """Sums of the kernel over the three blocks of the pooled matrix, and their diagonals."""

    pp: Tensor
    pq: Tensor
    qq: Tensor
    trace_pp: Tensor
    trace_qq: Tensor
    m: int
    n: int

    def mmd2(self, estimator: str) -> Tensor:
        m, n = self.m, self.n
        if estimator == "biased":
            return self.pp / m**2 + self.qq / n**2 - 2 * self.pq / (m * n)
        if estimator == "unbiased":
            if m < 2 or n < 2:
                raise ValueError("the unbiased estimator needs at least two points in each sample")
            return ((self.pp - self.trace_pp) / (m * (m - 1)) + (self.qq - self.trace_qq) / (n * (n - 1))
                    - 2 * self.pq / (m * n))
        raise ValueError(f"unknown estimator {estimator!r}; choose one of {', '.join(ESTIMATORS)}")


def _check_pair(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    x, y = _as_2d(x, "x"), _as_2d(y, "y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"the samples have different dimensions: {x.shape[1]} and {y.shape[1]}")
    return x, y.to(dtype=x.dtype, device=x.device)


def _dense_sums(x: Tensor, y: Tensor, kernel: str, sigma: Bandwidth) -> KernelSums:
    """Differentiable path: the three kernel matrices held whole."""
    kxx = kernel_from_sqdist(sq_euclidean(x), kernel, sigma)
    kyy = kernel_from_sqdist(sq_euclidean(y), kernel, sigma)
    kxy = kernel_from_sqdist(sq_euclidean(x, y), kernel, sigma)
    return KernelSums(kxx.sum(), kxy.sum(), kyy.sum(), kxx.diagonal().sum(), kyy.diagonal().sum(),
                      x.shape[0], y.shape[0])


@torch.no_grad()
def _blocked_sums(x: Tensor, y: Tensor, kernel: str, sigma: Bandwidth, block: int = BLOCK) -> KernelSums:
    """Bounded-memory path: upper-triangular tiles of the pooled Gram matrix, kernel applied in place."""
    m, n = x.shape[0], y.shape[0]
    z = torch.cat([x, y])
    z = z - z.mean(0)  # centring keeps ||a||^2 + ||b||^2 - 2ab accurate in float32
    norms = (z * z).sum(1)
    # Indicator columns: one for P rows, one for Q rows; K_tile @ ind gives both block sums at once.
    ind = torch.zeros(m + n, 2, dtype=z.dtype, device=z.device)
    ind[:m, 0] = 1
    ind[m:, 1] = 1
    acc = torch.zeros(2, 2, dtype=torch.float64, device=z.device)
    trace = torch.zeros(2, dtype=torch.float64, device=z.device)
    starts = range(0, m + n, block)
    for i in starts:
        zi, ni, ind_i = z[i:i + block], norms[i:i + block], ind[i:i + block]
        for j in starts:
            if j < i:
                continue
            zj = z[j:j + block]
            tile = torch.mm(zi, zj.T)
            tile.mul_(-2.0).add_(ni[:, None]).add_(norms[j:j + block][None, :]).clamp_(min=0.0)
            if i == j:
                tile.fill_diagonal_(0.0)
            tile = kernel_from_sqdist(tile, kernel, sigma)
            part = (ind_i.T @ (tile @ ind[j:j + block])).double()
            if i == j:
                acc += part
                diag = tile.diagonal()
                trace += (ind_i * diag[:, None]).sum(0).double()
            else:
                acc += part + part.T  # the mirrored tile below the diagonal
    return KernelSums(acc[0, 0], acc[0, 1], acc[1, 1], trace[0], trace[1], m, n)


def kernel_sums(x: Tensor, y: Tensor, kernel: str = "gaussian", sigma: Bandwidth | None = None) -> KernelSums:
    x, y = _check_pair(x, y)
    if sigma is None:
        sigma = median_heuristic(x, y)
    needs_grad = torch.is_grad_enabled() and (x.requires_grad or y.requires_grad)
    small = (x.shape[0] + y.shape[0]) <= BLOCK
    if needs_grad or small:
        return _dense_sums(x, y, kernel, sigma)
    return _blocked_sums(x, y, kernel, sigma, block=BLOCK if x.device.type == "cpu" else GPU_BLOCK)


def _linear_mmd2(x: Tensor, y: Tensor, kernel: str, sigma: Bandwidth) -> Tensor:
    half = min(x.shape[0], y.shape[0]) // 2
    if half < 1:
        raise ValueError("the linear estimator needs at least two points in each sample")
    x1, x2 = x[0:2 * half:2], x[1:2 * half:2]
    y1, y2 = y[0:2 * half:2], y[1:2 * half:2]

    def k(a: Tensor, b: Tensor) -> Tensor:
        return kernel_from_sqdist(((a - b) ** 2).sum(1), kernel, sigma)

    return (k(x1, x2) + k(y1, y2) - k(x1, y2) - k(x2, y1)).mean()


def mmd2(
    x: Tensor,
    y: Tensor,
    kernel: str = "gaussian",
    sigma: Bandwidth | None = None,
    estimator: str = "biased",
) -> Tensor:
    """MMD^2 between samples x [m, d] and y [n, d] (see the module docstring for the formulas).

    `sigma` is a bandwidth or a list of them (the kernel is then their sum);
    None picks the median heuristic. Differentiable in x and y.
    """
    if estimator == "linear":
        x, y = _check_pair(x, y)
        return _linear_mmd2(x, y, kernel, median_heuristic(x, y) if sigma is None else sigma)
    if estimator not in ESTIMATORS:
        raise ValueError(f"unknown estimator {estimator!r}; choose one of {', '.join(ESTIMATORS)}")
    return kernel_sums(x, y, kernel, sigma).mmd2(estimator).to(x.dtype)


class PooledDistances:
    """Squared distances of the pooled sample, computed once, so a new bandwidth costs one pass of exp.

    The three blocks are also kept as flat vectors (each symmetric block's upper triangle only),
    so re-evaluating MMD^2 for a new bandwidth touches half the matrix, in preallocated buffers.
    """

    def __init__(self, x: Tensor, y: Tensor):
        x, y = _check_pair(x, y)
        self.m, self.n = x.shape[0], y.shape[0]
        with torch.no_grad():  # three blocks, not the whole pooled matrix: Y X' is X Y' transposed
            xy = sq_euclidean(x, y)
            self.d2 = torch.cat([torch.cat([sq_euclidean(x), xy], 1), torch.cat([xy.T, sq_euclidean(y)], 1)])
        self._flats: dict[str, Tensor] = {}
        self._median: float | None = None
        self._roots: dict[str, Tensor] = {}
        self._buffers: dict[str, Tensor] = {}

    @property
    def _flat(self) -> dict[str, Tensor]:
        """Built on first use: the permutation test and the heat map never need it."""
        if not self._flats:
            m, n, dev = self.m, self.n, self.d2.device
            iu_p = torch.triu_indices(m, m, offset=1, device=dev)
            iu_q = torch.triu_indices(n, n, offset=1, device=dev)
            self._flats = {"pp": self.d2[:m, :m][iu_p[0], iu_p[1]],
                           "qq": self.d2[m:, m:][iu_q[0], iu_q[1]],
                           "pq": self.d2[:m, m:].reshape(-1)}
            self._buffers = {k: torch.empty_like(v) for k, v in self._flats.items()}
        return self._flats

    def kernel(self, kernel: str, sigma: Bandwidth) -> Tensor:
        """The whole pooled kernel (affinity) matrix, ordered P then Q."""
        return kernel_from_sqdist(self.d2, kernel, sigma)

    def _block_sum(self, block: str, kernel: str, sigmas: Tensor) -> Tensor:
        src = self._flat[block]
        buf = self._buffers[block]
        if kernel == "laplacian":
            src = self._roots.setdefault(block, src.sqrt())
        total = torch.zeros((), dtype=torch.float64, device=src.device)
        for s in sigmas.tolist():
            if kernel == "gaussian":
                torch.mul(src, -0.5 / (s * s), out=buf).exp_()
            elif kernel == "laplacian":
                torch.mul(src, -1.0 / s, out=buf).exp_()
            elif kernel == "imq":
                torch.add(src, s * s, out=buf).rsqrt_().mul_(s)
            else:
                raise ValueError(f"unknown kernel {kernel!r}")
            total += buf.sum(dtype=torch.float64)
        return total

    @torch.no_grad()
    def sums(self, kernel: str, sigma: Bandwidth) -> KernelSums:
        sigmas = bandwidths(sigma, self.d2)
        # k(x, x) = k(0), the same for every point: the diagonal needs no pass over the data
        k0 = float(kernel_from_sqdist(torch.zeros(1, dtype=self.d2.dtype, device=self.d2.device), kernel, sigmas))
        trace_p, trace_q = k0 * self.m, k0 * self.n
        pp = 2 * self._block_sum("pp", kernel, sigmas) + trace_p
        qq = 2 * self._block_sum("qq", kernel, sigmas) + trace_q
        pq = self._block_sum("pq", kernel, sigmas)
        as_t = lambda v: torch.as_tensor(v, dtype=torch.float64)  # noqa: E731
        return KernelSums(pp, pq, qq, as_t(trace_p), as_t(trace_q), self.m, self.n)

    def mmd2(self, kernel: str = "gaussian", sigma: Bandwidth = 1.0, estimator: str = "biased") -> Tensor:
        return self.sums(kernel, sigma).mmd2(estimator).to(self.d2.dtype)

    def median_sigma(self) -> float:
        """Median heuristic from the cached distances (all distinct pairs of the pooled sample).

        Computed once: a bandwidth slider asks for it on every move, and at n = 2,000 per set the
        median over 8 million pairs costs more than the MMD^2 itself."""
        if self._median is None:
            n = self.d2.shape[0]
            iu = torch.triu_indices(n, n, offset=1, device=self.d2.device)
            med = self.d2[iu[0], iu[1]].median().sqrt().item()
            self._median = med if med > 0 else 1.0
        return self._median


@dataclass(frozen=True)
class PermutationResult:
    statistic: float
    p_value: float
    null: Tensor  # the statistic under each permutation, for a histogram
    estimator: str

    @property
    def n_permutations(self) -> int:
        return int(self.null.numel())


# Rows of a strip of the pooled kernel matrix in the permutation test. Only the part on and above the diagonal is
# built and multiplied, a strip of rows at a time from its diagonal block rightwards: narrower strips skip more
# of the mirrored half (512: 36 of 64 blocks at 4,000 points), wider ones make fewer, larger products; 512 was
# the fastest of 512, 1,024 and 2,048 at 2,000 points a sample (bench/mmd.py's permtest_vs_one case).
PERM_TILE = 512

# A symmetric matrix as its strips on and above the diagonal: (first row i, rows i.. of columns i..), in order.
Tiles = list[tuple[int, Tensor]]


def _tiles_of(k: Tensor, tile: int | None = None) -> Tiles:
    """Views of the strips of a whole symmetric matrix on and above its diagonal (PERM_TILE rows each)."""
    n, tile = k.shape[0], tile or PERM_TILE
    return [(i, k[i:i + tile, i:]) for i in range(0, n, tile)]


def _pooled_kernel_tiles(x: Tensor, y: Tensor, kernel: str, sigma: Bandwidth | None,
                         tile: int | None = None) -> Tiles:
    """The pooled sample's kernel matrix as its strips on and above the diagonal (all a quadratic form in a
    symmetric matrix needs), computed straight from the data, one product a strip, and no whole distance
    matrix. `sigma` None: the median heuristic over all distinct pairs, as PooledDistances.median_sigma gives it.
    `tile`: PERM_TILE rows a strip unless given."""
    tile = tile or PERM_TILE
    z = torch.cat([x, y])
    z = z - z.mean(0)  # centring keeps ||a||^2 + ||b||^2 - 2ab accurate in float32
    norms = (z * z).sum(1)
    total = z.shape[0]
    d2s = []
    for i in range(0, total, tile):
        zi, zj, ni, nj = z[i:i + tile], z[i:], norms[i:i + tile], norms[i:]
        d2 = torch.addmm(ni[:, None] + nj[None, :], zi, zj.T, alpha=-2.0).clamp_(min=0.0)
        d2 = _refine_near_pairs(d2, zi, zj, ni, nj)
        d2[:, :len(zi)].fill_diagonal_(0.0)
        d2s.append((i, d2))
    if sigma is None:
        pairs = []
        for _, d2 in d2s:
            rows = d2.shape[0]
            iu = torch.triu_indices(rows, rows, offset=1, device=d2.device)
            pairs += [d2[:, :rows][iu[0], iu[1]], d2[:, rows:].reshape(-1)]
        med = torch.cat(pairs).median().sqrt().item() if total > 1 else 0.0
        sigma = med if med > 0 else 1.0
    return [(i, kernel_from_sqdist(d2, kernel, sigma)) for i, d2 in d2s]


def _row_sums(tiles: Tiles, size: int) -> Tensor:
    """r = K1 from the upper strips: each adds its row sums and, mirrored, the column sums right of its diagonal
    block."""
    first = tiles[0][1]
    r = torch.zeros(size, dtype=first.dtype, device=first.device)
    for i, s in tiles:
        rows = s.shape[0]
        r[i:i + rows] += s.sum(1)
        r[i + rows:] += s[:, rows:].sum(0)
    return r


def _statistics_for_labels(k: Tensor | Tiles, a: Tensor, m: int, n: int, estimator: str, r: Tensor) -> Tensor:
    """MMD^2 for every column of the P-membership matrix a [N, B] at once; `k`: the pooled kernel matrix,
    whole or as its upper strips.

    Only s_pp = a'Ka is quadratic: with r = K1 (the caller's, computed once) and T = 1'K1,
    s_qq = T - 2a'r + s_pp and s_pq = a'r - s_pp.
    K is symmetric, so over its blocks a'Ka = sum_i a_i'K_ii a_i + 2 sum_{i<j} a_i'K_ij a_j: only the part on and
    above the diagonal is multiplied (36 of 64 blocks at 4,000 points; measured: bench/mmd.py permtest_vs_one)."""
    tiles = _tiles_of(k) if isinstance(k, Tensor) else k
    s_pp = torch.zeros(a.shape[1], dtype=torch.float64, device=a.device)
    for i, s in tiles:
        rows = s.shape[0]
        acc = s[:, :rows] @ a[i:i + rows]  # K_ii a_i + 2 sum_{j>i} K_ij a_j
        if s.shape[1] > rows:
            acc.addmm_(s[:, rows:], a[i + rows:], alpha=2.0)
        s_pp += (a[i:i + rows] * acc).sum(0, dtype=torch.float64)
    total = r.sum(dtype=torch.float64)
    ar = (r @ a).to(torch.float64)  # a matrix-vector product: a float64 copy of a cost 50 ms
    s_qq = total - 2 * ar + s_pp
    s_pq = ar - s_pp
    if estimator == "biased":
        stat = s_pp / m**2 + s_qq / n**2 - 2 * s_pq / (m * n)
    else:
        stat = s_pp / (m * (m - 1)) + s_qq / (n * (n - 1)) - 2 * s_pq / (m * n)  # k has a zero diagonal
    return stat.to(a.dtype)


def _random_labels(count: int, total: int, m: int, generator: torch.Generator | None,
                   device: torch.device) -> Tensor:
    """[count, total] booleans, each row a uniformly random choice of m of the total points (the relabelled "P").

    Row i of `ranks` is a random permutation; the points ranked below m form "P". On the CPU the permutations
    come from `generator` itself. On another device, one seed drawn from it drives the device's own generator,
    and each row is the argsort of uniform keys there: a thousand randperm calls on the CPU and their copy
    cost a GPU twenty times one MMD^2 (bench --device cuda)."""
    if device.type != "cpu":
        return _labels_from_uniform_keys(count, total, m, generator, device)
    ranks = torch.stack([torch.randperm(total, generator=generator) for _ in range(count)])
    return ranks < m


def _labels_from_uniform_keys(count: int, total: int, m: int, generator: torch.Generator | None,
                              device: torch.device) -> Tensor:
    seed = int(torch.randint(0, 2**62, (1,), generator=generator).item())
    device_generator = torch.Generator(device=device).manual_seed(seed)
    # float64 keys: float32 has 2^24 values, and argsort breaks the ties it would make by index
    keys = torch.rand(count, total, device=device, generator=device_generator, dtype=torch.float64)
    return keys.argsort(dim=1) < m


@torch.no_grad()
def permutation_test(
    x: Tensor,
    y: Tensor,
    kernel: str = "gaussian",
    sigma: Bandwidth | None = None,
    estimator: str = "unbiased",
    n_permutations: int = 1000,
    generator: torch.Generator | None = None,
    distances: PooledDistances | None = None,
    batch: int = 1000,
    report: Report | None = None,
    cancelled: IsCancelled | None = None,
) -> PermutationResult:
    """Two-sample test of P = Q: the pooled kernel matrix is computed once and labels are permuted.

    p-value = (1 + #{null >= observed}) / (1 + n_permutations), which is never 0 and keeps the test valid.
    `report` hears the fraction done after each batch of permutations; `cancelled` stops it (Cancelled).
    """
    if estimator not in ("biased", "unbiased"):
        raise ValueError("the permutation test takes the 'biased' or 'unbiased' estimator")
    if n_permutations < 1:
        raise ValueError("n_permutations must be at least 1")
    if distances is not None:
        m, n = distances.m, distances.n
    else:
        x, y = _check_pair(x, y)
        m, n = x.shape[0], y.shape[0]
    if estimator == "unbiased" and (m < 2 or n < 2):
        raise ValueError("the unbiased estimator needs at least two points in each sample")
    if distances is not None:
        k = distances.kernel(kernel, distances.median_sigma() if sigma is None else sigma)  # a fresh tensor
        tiles = _tiles_of(k)
    else:
        tiles = _pooled_kernel_tiles(x, y, kernel, sigma)
    # MMD^2 is unchanged by a constant added to every kernel value (off the diagonal for the unbiased estimator,
    # whose diagonal is left out): taking off the mean leaves sums of small values instead of large ones that
    # cancel, so a float32 null lands much nearer the float64 one (tests/core/test_mmd.py checks it).
    shift = torch.stack([t.mean(dtype=torch.float64) for _, t in tiles]).mean().item()
    for _, t in tiles:
        t.sub_(shift)
        if estimator == "unbiased":
            t[:, :t.shape[0]].fill_diagonal_(0.0)
    dtype, device = tiles[0][1].dtype, tiles[0][1].device
    total = m + n
    observed_labels = torch.zeros(total, 1, dtype=dtype, device=device)
    observed_labels[:m] = 1
    row_sums = _row_sums(tiles, total)
    observed = _statistics_for_labels(tiles, observed_labels, m, n, estimator, row_sums)[0]
    nulls = []
    done = 0
    while done < n_permutations:
        check(cancelled)
        count = min(batch, n_permutations - done)
        labels = _random_labels(count, total, m, generator, device).to(dtype).T.contiguous()
        nulls.append(_statistics_for_labels(tiles, labels, m, n, estimator, row_sums))
        done += count
        tell(report, done / n_permutations)
    null = torch.cat(nulls).cpu()
    stat = observed.item()
    p = (1 + int((null >= stat).sum())) / (1 + n_permutations)
    return PermutationResult(stat, p, null, estimator)


def mmd_loss(x: Tensor, y: Tensor, sigmas: Bandwidth = (0.5, 1.0, 2.0, 5.0, 10.0)) -> Tensor:
    """The batch-level training loss of MMD nets and the MMD-VAE: biased MMD^2 with a sum of Gaussian kernels."""
    return mmd2(x, y, kernel="gaussian", sigma=bandwidths(sigmas, x), estimator="biased")
