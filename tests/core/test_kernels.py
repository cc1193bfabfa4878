"""Distances, affinities and kernels against straightforward float64 references."""

import math

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from latentlab.core.kernels import (
    SingularCovarianceError,
    affinity,
    gaussian_kernel,
    imq_kernel,
    laplacian_kernel,
    median_heuristic,
    pairwise_distances,
    pooled_covariance,
)

SHAPES = [(5, 7, 1), (13, 9, 3), (40, 33, 10), (64, 17, 50)]


def ref_distance(a, b, metric, p=2.0, vi=None):
    """One pair at a time, in float64 numpy: the definition, not the fast formula."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if metric == "euclidean":
        return math.sqrt(((a - b) ** 2).sum())
    if metric == "sqeuclidean":
        return ((a - b) ** 2).sum()
    if metric == "minkowski":
        return np.abs(a - b).max() if p == math.inf else (np.abs(a - b) ** p).sum() ** (1 / p)
    if metric == "mahalanobis":
        diff = a - b
        return math.sqrt(max(diff @ vi @ diff, 0.0))
    if metric == "cosine":
        return 1 - a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    if metric == "correlation":
        a, b = a - a.mean(), b - b.mean()
        return 1 - a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    raise AssertionError(metric)


def ref_matrix(x, y, metric, **kw):
    return np.array([[ref_distance(a, b, metric, **kw) for b in y] for a in x])


def data(shape, dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    m, n, d = shape
    return torch.randn(m, d, generator=g, dtype=torch.float64).to(dtype), \
        (torch.randn(n, d, generator=g, dtype=torch.float64) * 1.3 + 0.2).to(dtype)


TOL = {torch.float64: 1e-5, torch.float32: 1e-4}


def assert_close(got, want, dtype, atol_scale=1.0):
    got = got.double().numpy()
    # relative error against the matrix's scale (entries of 0 have no relative error of their own)
    scale = max(np.abs(want).max(), 1e-12) * atol_scale
    err = np.abs(got - want).max() / scale
    assert err <= TOL[dtype], f"relative error {err:.2e}"


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean", "cosine", "correlation"])
def test_metrics_match_reference(metric, shape, dtype):
    if metric == "correlation" and shape[2] == 1:
        pytest.skip("correlation of one feature is undefined")
    x, y = data(shape, dtype)
    assert_close(pairwise_distances(x, y, metric), ref_matrix(x.double().numpy(), y.double().numpy(), metric), dtype)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("p", [1.0, 1.5, 3.0, math.inf])
def test_minkowski_matches_reference(p, dtype):
    x, y = data((20, 15, 6), dtype)
    want = ref_matrix(x.double().numpy(), y.double().numpy(), "minkowski", p=p)
    assert_close(pairwise_distances(x, y, "minkowski", p=p), want, dtype)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_mahalanobis_with_pooled_and_given_covariance(dtype):
    x, y = data((30, 25, 4), dtype)
    pooled = np.cov(np.concatenate([x.double().numpy(), y.double().numpy()]).T)
    want = ref_matrix(x.double().numpy(), y.double().numpy(), "mahalanobis", vi=np.linalg.inv(pooled))
    assert_close(pairwise_distances(x, y, "mahalanobis"), want, dtype)
    cov = torch.diag(torch.tensor([1.0, 4.0, 9.0, 0.25], dtype=torch.float64))
    want = ref_matrix(x.double().numpy(), y.double().numpy(), "mahalanobis", vi=np.linalg.inv(cov.numpy()))
    assert_close(pairwise_distances(x, y, "mahalanobis", cov=cov), want, dtype)


def test_mahalanobis_singular_covariance_is_a_clear_error_and_shrinkage_fixes_it():
    x = torch.randn(10, 3, dtype=torch.float64)
    x[:, 2] = x[:, 0]  # rank deficient
    with pytest.raises(SingularCovarianceError, match="shrinkage"):
        pairwise_distances(x, metric="mahalanobis")
    d = pairwise_distances(x, metric="mahalanobis", shrinkage=0.1)
    assert torch.isfinite(d).all()


def test_shrinkage_moves_covariance_toward_scaled_identity():
    x = torch.randn(50, 3, dtype=torch.float64) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    full = pooled_covariance(x)
    shrunk = pooled_covariance(x, shrinkage=1.0)
    assert torch.allclose(shrunk, torch.eye(3, dtype=torch.float64) * torch.trace(full) / 3)


def test_self_distance_diagonal_is_exactly_zero_in_float32():
    x = torch.randn(200, 30) * 100 + 1000  # large offsets are where the fast formula loses digits
    for metric in ("euclidean", "sqeuclidean", "cosine", "correlation", "mahalanobis"):
        d = pairwise_distances(x, metric=metric)
        assert (d.diagonal() == 0).all(), metric
        assert (d >= 0).all(), metric


def test_affinities_are_one_minus_distances():
    x, y = data((8, 9, 5), torch.float64)
    for kind in ("cosine", "correlation"):
        assert torch.allclose(affinity(x, y, kind), 1 - pairwise_distances(x, y, kind))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_kernels_match_reference(dtype):
    x, y = data((12, 10, 3), dtype)
    d2 = pairwise_distances(x, y, "sqeuclidean")
    ref_d2 = ref_matrix(x.double().numpy(), y.double().numpy(), "sqeuclidean")
    for sigma in (0.5, 2.0):
        assert_close(gaussian_kernel(d2, sigma), np.exp(-ref_d2 / (2 * sigma**2)), dtype)
        assert_close(laplacian_kernel(d2, sigma), np.exp(-np.sqrt(ref_d2) / sigma), dtype)
        assert_close(imq_kernel(d2, sigma), sigma / np.sqrt(sigma**2 + ref_d2), dtype)
    both = np.exp(-ref_d2 / 2) + np.exp(-ref_d2 / 8)
    assert_close(gaussian_kernel(d2, [1.0, 2.0]), both, dtype)


def test_kernel_rejects_bad_bandwidths():
    d2 = torch.ones(2, 2)
    for bad in (0.0, -1.0, [1.0, 0.0], math.nan):
        with pytest.raises(ValueError, match="bandwidth"):
            gaussian_kernel(d2, bad)


def test_median_heuristic_is_median_pairwise_distance():
    x = torch.randn(40, 3, dtype=torch.float64)
    y = torch.randn(30, 3, dtype=torch.float64)
    z = torch.cat([x, y]).numpy()
    d = [np.linalg.norm(z[i] - z[j]) for i in range(len(z)) for j in range(i + 1, len(z))]
    assert median_heuristic(x, y) == pytest.approx(np.median(d), rel=1e-9)


def test_bad_arguments_are_clear_errors():
    x = torch.randn(4, 3)
    with pytest.raises(ValueError, match="p >= 1"):
        pairwise_distances(x, metric="minkowski", p=0.5)
    with pytest.raises(ValueError, match="unknown metric"):
        pairwise_distances(x, metric="hamming")
    with pytest.raises(ValueError, match="features"):
        pairwise_distances(x, torch.randn(4, 2))


points = arrays(np.float64, st.tuples(st.integers(2, 8), st.integers(1, 4)),
                elements=st.floats(-100, 100, allow_nan=False, allow_infinity=False))


@settings(max_examples=60, deadline=None)
@given(points, st.sampled_from(["euclidean", "minkowski-1", "minkowski-3", "minkowski-inf", "mahalanobis"]))
@example(np.array([[12.0], [5.96046448e-08], [0.0]]), "euclidean")  # near-duplicates: the Gram trick's weak spot
def test_true_metrics_satisfy_the_axioms(a, name):
    metric, _, p = name.partition("-")
    kw = {"p": math.inf if p == "inf" else float(p)} if p else {}
    if metric == "mahalanobis":
        kw = {"cov": torch.diag(torch.arange(1, a.shape[1] + 1, dtype=torch.float64))}
    x = torch.from_numpy(a)
    d = pairwise_distances(x, metric=metric, **kw)
    scale = 1e-9 * (1 + float(d.max()))
    assert (d >= 0).all()
    assert torch.allclose(d, d.T, atol=scale)
    assert (d.diagonal() == 0).all() or torch.allclose(d.diagonal(), torch.zeros(len(x), dtype=d.dtype), atol=scale)
    # triangle inequality d(i,k) <= d(i,j) + d(j,k) for all triples
    assert (d[:, None, :] <= d[:, :, None] + d[None, :, :] + scale).all()


@settings(max_examples=40, deadline=None)
@given(points, st.sampled_from(["cosine", "correlation", "sqeuclidean"]))
def test_dissimilarities_are_nonnegative_symmetric_with_zero_diagonal(a, metric):
    d = pairwise_distances(torch.from_numpy(a), metric=metric)
    assert (d >= 0).all()
    assert torch.allclose(d, d.T, atol=1e-9 * (1 + float(d.max())))
    assert (d.diagonal() == 0).all()
