"""MLE and MAP for a Gaussian (Normal-Inverse-Gamma prior) and a Poisson (Gamma prior): the closed forms
are the argmax of the curves, a flat prior gives the MLE, the MAP moves to the MLE as n grows."""

import numpy as np
import pytest

from latentlab.core import parametric as p

PRIOR = p.Prior(mean=0.0, strength=5.0, sd=1.0)


def test_closed_forms_are_the_argmax_of_the_log_posterior_and_likelihood():
    x = p.generated_pool("gaussian")[:12]
    mu, sigma = np.meshgrid(np.linspace(-2, 6, 801), np.linspace(0.05, 5, 991))
    post = p.gaussian_log_likelihood(x, mu, sigma) + p.gaussian_log_prior(mu, sigma, PRIOR)
    at = np.unravel_index(np.argmax(post), post.shape)
    assert (mu[at], sigma[at]) == pytest.approx(p.gaussian_map(x, PRIOR), abs=0.01)
    lik = p.gaussian_log_likelihood(x, mu, sigma)
    at = np.unravel_index(np.argmax(lik), lik.shape)
    assert (mu[at], sigma[at]) == pytest.approx(p.gaussian_mle(x), abs=0.01)
    assert p.gaussian_mle(x)[1] == pytest.approx(np.std(x, ddof=0))  # the MLE divides by n

    counts = p.generated_pool("poisson")[:7]
    lam = np.linspace(0.01, 12, 12000)
    prior = p.Prior(mean=1.0, strength=3.0)
    assert lam[np.argmax(p.poisson_log_likelihood(counts, lam))] == pytest.approx(counts.mean(), abs=1e-3)
    best = lam[np.argmax(p.poisson_log_likelihood(counts, lam) + p.poisson_log_prior(lam, prior))]
    assert best == pytest.approx(p.poisson_map(counts, prior), abs=1e-3)
    assert np.trapezoid(p.poisson_posterior_density(counts, lam, prior), lam) == pytest.approx(1.0, abs=1e-6)


def test_each_curve_peaks_at_its_own_estimate():
    for model, source in (("gaussian", "generated"), ("poisson", "generated")):
        x = p.pool(model, source)[:8]
        prior = p.default_prior(model, source)
        fit = p.fit(model, x, prior)
        for curves in fit.curves:
            step = curves.grid[1] - curves.grid[0]
            assert curves.grid[np.argmax(curves.log_likelihood)] == pytest.approx(curves.mle, abs=step)
            assert curves.grid[np.argmax(curves.log_posterior)] == pytest.approx(curves.map, abs=step)


def test_strength_zero_gives_the_mle_and_the_map_moves_to_the_mle_as_n_grows():
    for model in p.MODELS:
        data = p.generated_pool(model)
        flat = p.default_prior(model, "generated", strength=0.0)
        assert p.map_estimate(model, data[:5], flat) == pytest.approx(p.mle(model, data[:5]))
        prior = p.default_prior(model, "generated", strength=10.0)
        gaps = [abs(p.map_estimate(model, data[:n], prior)[0] - p.mle(model, data[:n])[0]) for n in (5, 50, 500)]
        assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 0.05 * gaps[0]
        # A stronger prior pulls the MAP further from the MLE, towards the prior's mean.
        weak, strong = (p.map_estimate(model, data[:20], p.default_prior(model, "generated", s))[0] for s in (1, 50))
        assert abs(strong - prior.mean) < abs(weak - prior.mean)


def test_the_gaussian_posterior_density_integrates_to_one_and_bad_input_is_refused():
    x = p.generated_pool("gaussian")[:6]
    mu, sigma = np.meshgrid(np.linspace(-4, 8, 600), np.linspace(0.02, 8, 800))
    density = p.gaussian_posterior_density(x, mu, sigma, PRIOR) * 2 * sigma  # over σ² -> over σ
    assert density.sum() * (mu[0, 1] - mu[0, 0]) * (sigma[1, 0] - sigma[0, 0]) == pytest.approx(1.0, abs=0.01)
    with pytest.raises(ValueError):
        p.Prior(0.0, -1.0)
    with pytest.raises(ValueError):
        p.fit("gaussian", x[:1], PRIOR)
    with pytest.raises(ValueError):
        p.pool("gaussian", "nowhere")
    with pytest.raises(ValueError):
        p.fit("poisson", np.array([1.0, 2.0]), p.Prior(-1.0, 1.0))


def test_the_fitted_models_densities_for_the_data_view():
    at = np.linspace(-0.5, 40.5, 41001)
    for model, params in (("gaussian", (3.0, 2.0)), ("poisson", (4.0,))):
        assert np.trapezoid(p.model_density(model, params, at - (10 if model == "gaussian" else 0)),
                            at) == pytest.approx(1.0, abs=1e-3)
    edges = p.histogram_bins(np.array([2.0, 3.0, 9.0]), bins=3, whole=True)
    assert edges[0] == 1.5 and edges[-1] >= 9.5 and np.all(np.diff(edges) == 3)


def test_on_pixel_counts():
    images = np.zeros((3, 1, 4, 4))
    images[1, 0, :2, :2] = 0.9
    images[2, 0, 0, 0] = 0.4
    assert p.on_pixel_counts(images).tolist() == [0, 4, 0]
