"""KDE, Parzen windows and the Gaussian fit against float64 references."""

import math

import numpy as np
import pytest
import torch

from latentlab.core.density import (
    GaussianFit,
    bandwidth_factor,
    compare_fits,
    kde,
    kde_log_density,
    parzen_log_likelihood,
)


def ref_kde(points, query, cov):
    """Gaussian KDE with kernel covariance `cov`, point by point (scipy.stats.gaussian_kde's definition)."""
    inv, det = np.linalg.inv(cov), np.linalg.det(cov)
    d = points.shape[1]
    out = []
    for q in query:
        diff = points - q
        e = np.exp(-0.5 * np.einsum("ij,jk,ik->i", diff, inv, diff))
        out.append(e.sum() / (len(points) * math.sqrt((2 * math.pi) ** d * det)))
    return np.array(out)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("rule", ["scott", "silverman"])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_kde_rules_match_reference(rule, d, dtype):
    g = torch.Generator().manual_seed(d)
    pts = torch.randn(80, d, generator=g, dtype=torch.float64) * torch.linspace(0.5, 2, d, dtype=torch.float64)
    q = torch.randn(30, d, generator=g, dtype=torch.float64)
    cov = np.cov(pts.numpy().T).reshape(d, d) * bandwidth_factor(rule, 80, d) ** 2
    want = ref_kde(pts.numpy(), q.numpy(), cov)
    got = kde(pts.to(dtype), q.to(dtype), rule).double().numpy()
    tol = 1e-5 if dtype == torch.float64 else 1e-4
    assert np.abs(got - want).max() <= tol * want.max()


def test_kde_with_a_number_is_an_isotropic_window():
    pts = torch.randn(50, 2, dtype=torch.float64)
    q = torch.randn(10, 2, dtype=torch.float64)
    want = ref_kde(pts.numpy(), q.numpy(), np.eye(2) * 0.3**2)
    assert np.allclose(kde(pts, q, 0.3).numpy(), want, rtol=1e-6)


def test_kde_integrates_to_one():
    pts = torch.randn(100, 1, dtype=torch.float64)
    grid = torch.linspace(-8, 8, 4001, dtype=torch.float64)[:, None]
    assert torch.trapezoid(kde(pts, grid).squeeze(), grid.squeeze()).item() == pytest.approx(1.0, abs=1e-4)


def test_gaussian_fit_is_maximum_likelihood_and_names_the_unbiased_option():
    """Lesson 3's formula: the covariance divides by n (maximum likelihood); unbiased=True by n - 1."""
    pts = torch.randn(5, 2, dtype=torch.float64)
    centred = (pts - pts.mean(0)).numpy()
    assert np.allclose(GaussianFit.fit(pts, shrinkage=0).cov.numpy(), centred.T @ centred / 5)
    assert np.allclose(GaussianFit.fit(pts, shrinkage=0, unbiased=True).cov.numpy(), centred.T @ centred / 4)


def test_gaussian_fit_log_prob():
    pts = torch.randn(500, 2, dtype=torch.float64) * torch.tensor([1.0, 3.0], dtype=torch.float64) + 2
    fit = GaussianFit.fit(pts)
    assert torch.allclose(fit.mean, pts.mean(0))
    q = torch.zeros(1, 2, dtype=torch.float64)
    cov = np.cov(pts.numpy().T, bias=True)
    diff = -fit.mean.numpy()
    want = -0.5 * diff @ np.linalg.inv(cov) @ diff - 0.5 * math.log(np.linalg.det(2 * math.pi * cov))
    assert fit.log_prob(q).item() == pytest.approx(want, rel=1e-4)


def test_parzen_picks_a_sensible_window_and_prefers_the_true_model():
    g = torch.Generator().manual_seed(0)
    test = torch.randn(600, 2, generator=g)
    good = torch.randn(2000, 2, generator=g)
    bad = torch.randn(2000, 2, generator=g) * 3
    r_good, r_bad = parzen_log_likelihood(good, test), parzen_log_likelihood(bad, test)
    assert r_good.mean > r_bad.mean
    true_ll = -math.log(2 * math.pi) - 1.0  # E[log N(x; 0, I)] in 2-D
    assert r_good.mean == pytest.approx(true_ll, abs=0.15)
    assert 0.05 < r_good.sigma < 1.0


def test_parzen_with_given_sigma_equals_kde_log_density():
    s, t = torch.randn(100, 3, dtype=torch.float64), torch.randn(20, 3, dtype=torch.float64)
    r = parzen_log_likelihood(s, t, sigma=0.5)
    assert r.mean == pytest.approx(kde_log_density(s, t, 0.5).mean().item())
    with pytest.raises(ValueError, match="positive"):
        kde(s, t, -1.0)


def test_a_scaled_rule_width_is_the_rule_s_width_times_the_scale():
    points = torch.randn(400, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    query = torch.linspace(-3, 3, 7, dtype=torch.float64)[:, None]
    width = points.std() * 400 ** (-1 / 5)  # Scott's rule in 1-D
    for scale in (0.2, 1.0, 3.0):
        assert torch.allclose(kde_log_density(points, query, "scott", scale=scale),
                              kde_log_density(points, query, float(scale * width)))
    with pytest.raises(ValueError, match="scale must be positive"):
        kde_log_density(points, query, "scott", scale=0.0)


def test_held_out_data_prefers_the_kde_on_two_clusters_and_the_gaussian_on_one():
    g = torch.Generator().manual_seed(0)
    two = torch.cat([torch.randn(400, 2, generator=g) * 0.2 - 3, torch.randn(400, 2, generator=g) * 0.2 + 3])
    rows = torch.randperm(800, generator=g)
    two = two[rows]
    c = compare_fits(two[:600], two[600:])
    assert c.kde > c.gaussian + 0.5
    one = torch.randn(800, 2, generator=g)
    c = compare_fits(one[:600], one[600:])
    assert c.gaussian > c.kde
    assert compare_fits(two[:600], two[600:], scale=0.05).kde < compare_fits(two[:600], two[600:]).kde
