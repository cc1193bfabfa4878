"""MMD^2 estimators and the permutation test against float64 references."""

import numpy as np
import pytest
import torch

from latentlab.core import mmd as mmd_module
from latentlab.core.mmd import PooledDistances, mmd2, mmd_loss, permutation_test

KERNELS = {
    "gaussian": lambda d2, s: np.exp(-d2 / (2 * s * s)),
    "laplacian": lambda d2, s: np.exp(-np.sqrt(d2) / s),
    "imq": lambda d2, s: s / np.sqrt(s * s + d2),
}


def ref_k(a, b, kernel, sigmas):
    d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    return sum(KERNELS[kernel](d2, s) for s in sigmas)


def ref_mmd2(x, y, kernel="gaussian", sigmas=(1.0,), estimator="biased"):
    """The lecture's formula, term by term, in float64."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    m, n = len(x), len(y)
    kxx, kyy, kxy = ref_k(x, x, kernel, sigmas), ref_k(y, y, kernel, sigmas), ref_k(x, y, kernel, sigmas)
    if estimator == "biased":
        return kxx.sum() / m**2 - 2 * kxy.sum() / (m * n) + kyy.sum() / n**2
    if estimator == "unbiased":
        return ((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) - 2 * kxy.sum() / (m * n)
                + (kyy.sum() - np.trace(kyy)) / (n * (n - 1)))
    half = min(m, n) // 2
    h = 0.0
    for i in range(half):
        x1, x2, y1, y2 = x[2 * i], x[2 * i + 1], y[2 * i], y[2 * i + 1]
        k = lambda a, b: ref_k(a[None], b[None], kernel, sigmas)[0, 0]  # noqa: E731
        h += k(x1, x2) + k(y1, y2) - k(x1, y2) - k(x2, y1)
    return h / half


def samples(m, n, d, shift, dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(m, d, generator=g, dtype=torch.float64)
    y = torch.randn(n, d, generator=g, dtype=torch.float64) + shift
    return x.to(dtype), y.to(dtype)


TOL = {torch.float64: 1e-5, torch.float32: 1e-4}


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("estimator", ["biased", "unbiased", "linear"])
@pytest.mark.parametrize("kernel", ["gaussian", "laplacian", "imq"])
@pytest.mark.parametrize("shape", [(20, 30, 2), (50, 40, 7), (64, 64, 20)])
def test_mmd2_matches_reference(shape, kernel, estimator, dtype):
    x, y = samples(*shape, shift=0.5, dtype=dtype)
    sigmas = (0.7, 2.0) if kernel == "gaussian" else (1.5,)
    got = float(mmd2(x, y, kernel=kernel, sigma=list(sigmas), estimator=estimator))
    want = ref_mmd2(x.double().numpy(), y.double().numpy(), kernel, sigmas, estimator)
    # relative to the size of the kernel sums the estimator is made of (it can be near 0 or negative)
    assert abs(got - want) <= TOL[dtype] * max(abs(want), 1e-3 * len(sigmas)), (got, want)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_blocked_path_equals_dense_path(dtype, monkeypatch):
    x, y = samples(300, 257, 5, shift=0.3, dtype=dtype)
    dense = mmd_module._dense_sums(x, y, "gaussian", 1.3)
    monkeypatch.setattr(mmd_module, "BLOCK", 64)  # force several tiles, including ragged edges
    blocked = mmd_module._blocked_sums(x, y, "gaussian", 1.3, block=64)
    for est in ("biased", "unbiased"):
        assert float(blocked.mmd2(est)) == pytest.approx(float(dense.mmd2(est)), rel=TOL[dtype], abs=1e-7)


def test_large_input_takes_the_blocked_path(monkeypatch):
    calls = []
    original = mmd_module._blocked_sums
    monkeypatch.setattr(mmd_module, "_blocked_sums", lambda *a, **k: calls.append(1) or original(*a, **k))
    x, y = samples(1500, 1500, 3, shift=0.0, dtype=torch.float32)
    value = mmd2(x, y, sigma=1.0)
    assert calls, "n + m > BLOCK must not build the whole matrix"
    assert float(value) == pytest.approx(ref_mmd2(x[:1500].double().numpy(), y.double().numpy()), rel=1e-3, abs=1e-6)


def test_mmd2_is_differentiable_and_decreases_under_gradient_descent(one_thread):
    x = torch.randn(64, 2)
    y = (torch.randn(64, 2) + 3).requires_grad_()
    opt = torch.optim.Adam([y], lr=0.05)
    first = mmd_loss(x, y).item()
    for _ in range(200):
        opt.zero_grad()
        mmd_loss(x, y).backward()
        opt.step()
    assert mmd_loss(x, y).item() < 0.1 * first


def test_unbiased_estimate_can_be_negative_and_is_reported_as_is():
    values = [float(mmd2(*samples(10, 10, 2, 0.0, torch.float64, seed=s), sigma=1.0, estimator="unbiased"))
              for s in range(30)]
    assert min(values) < 0


def test_cached_distances_give_the_same_answer_for_any_bandwidth():
    x, y = samples(60, 50, 4, shift=0.4, dtype=torch.float64)
    cache = PooledDistances(x, y)
    for sigma in (0.3, 1.0, [0.5, 4.0]):
        for est in ("biased", "unbiased"):
            assert float(cache.mmd2("gaussian", sigma, est)) == pytest.approx(float(mmd2(x, y, sigma=sigma, estimator=est)))


def test_bad_inputs_are_clear_errors():
    x = torch.randn(5, 2)
    with pytest.raises(ValueError, match="different dimensions"):
        mmd2(x, torch.randn(5, 3))
    with pytest.raises(ValueError, match="estimator"):
        mmd2(x, x, estimator="best")
    with pytest.raises(ValueError, match="at least two"):
        mmd2(x[:1], x, estimator="unbiased")


def test_permutation_null_is_the_statistic_of_relabelled_samples():
    x, y = samples(15, 12, 2, shift=0.5, dtype=torch.float64)
    result = permutation_test(x, y, sigma=1.0, n_permutations=50, generator=torch.Generator().manual_seed(3))
    assert result.statistic == pytest.approx(float(mmd2(x, y, sigma=1.0, estimator="unbiased")))
    # Each null value must be the unbiased MMD^2 of some split of the pooled sample into 15 + 12.
    z = torch.cat([x, y])
    g = torch.Generator().manual_seed(3)
    for i in range(5):
        members = torch.randperm(27, generator=g) < 15
        want = float(mmd2(z[members], z[~members], sigma=1.0, estimator="unbiased"))
        assert float(result.null[i]) == pytest.approx(want, rel=1e-9, abs=1e-12)
    assert 0 < result.p_value <= 1 and result.n_permutations == 50


@pytest.mark.parametrize("labels", ["randperm", "uniform keys"])
def test_permutation_test_is_calibrated_under_the_null(labels, monkeypatch, one_thread):
    monkeypatch.setattr(mmd_module, "PERM_TILE", 32)  # 80 points: three tiles, the last ragged
    if labels == "uniform keys":  # the GPU's relabelling, run here on the CPU
        monkeypatch.setattr(mmd_module, "_random_labels", mmd_module._labels_from_uniform_keys)
    g = torch.Generator().manual_seed(0)
    p_values = []
    for _ in range(200):
        x, y = torch.randn(40, 2, generator=g), torch.randn(40, 2, generator=g)
        p_values.append(permutation_test(x, y, n_permutations=200, generator=g).p_value)
    rate = np.mean(np.array(p_values) < 0.05)
    assert 0.02 <= rate <= 0.09, rate


def test_relabelling_by_uniform_keys_picks_m_points_uniformly_and_reproducibly():
    labels = mmd_module._labels_from_uniform_keys(4000, 10, 3, torch.Generator().manual_seed(5), torch.device("cpu"))
    assert labels.shape == (4000, 10) and bool((labels.sum(1) == 3).all())
    assert np.allclose(labels.float().mean(0).numpy(), 0.3, atol=0.03)  # each point is in "P" 3 times in 10
    again = mmd_module._labels_from_uniform_keys(4000, 10, 3, torch.Generator().manual_seed(5), torch.device("cpu"))
    assert torch.equal(labels, again)


def test_permutation_test_detects_different_distributions():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(200, 2, generator=g)
    y = torch.randn(200, 2, generator=g) * torch.tensor([1.0, 2.0]) + torch.tensor([0.5, 0.0])
    assert permutation_test(x, y, n_permutations=1000, generator=g).p_value < 0.01


@pytest.mark.parametrize("sigma", [1.0, None])
@pytest.mark.parametrize("estimator", ["biased", "unbiased"])
def test_permutation_test_over_ragged_tiles_equals_the_whole_matrix_one(sigma, estimator, monkeypatch):
    """The test multiplies only the tiles of the pooled kernel matrix on and above its diagonal; with many tiles
    and ragged edges it must give what the whole matrix (one tile, from cached distances) gives."""
    x, y = samples(15, 12, 2, shift=0.5, dtype=torch.float64)
    whole = permutation_test(x, y, sigma=sigma, estimator=estimator, n_permutations=40,
                             generator=torch.Generator().manual_seed(5), distances=PooledDistances(x, y))
    monkeypatch.setattr(mmd_module, "PERM_TILE", 5)
    tiled = permutation_test(x, y, sigma=sigma, estimator=estimator, n_permutations=40, batch=15,
                             generator=torch.Generator().manual_seed(5))
    assert tiled.statistic == pytest.approx(whole.statistic, rel=1e-9, abs=1e-12)
    torch.testing.assert_close(tiled.null, whole.null, rtol=1e-9, atol=1e-12)
    assert tiled.p_value == whole.p_value


def test_a_float32_null_is_close_to_the_float64_one():
    """Null MMD^2 values are tiny differences of large kernel sums; the test takes the kernel's mean off first
    (it leaves MMD^2 unchanged), so float32 rounding stays far below the spread of the null."""
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(300, 50, generator=g), torch.rand(300, 50, generator=g) * 0.98
    exact = permutation_test(x.double(), y.double(), n_permutations=100, generator=torch.Generator().manual_seed(1))
    single = permutation_test(x, y, n_permutations=100, generator=torch.Generator().manual_seed(1))
    assert float((single.null.double() - exact.null).abs().max()) < 1e-3 * float(exact.null.abs().max())
    assert single.p_value == exact.p_value


def test_permutation_test_of_inputs_that_require_grad_builds_no_graph():
    x, y = torch.randn(20, 2, requires_grad=True), torch.randn(20, 2)
    result = permutation_test(x, y, n_permutations=20, generator=torch.Generator().manual_seed(0))
    assert not result.null.requires_grad and result.null.numpy().shape == (20,)
