"""Wasserstein and energy distances beside MMD^2, their permutation tests, and the penalties built on them."""

import numpy as np
import pytest
import torch

from latentlab.core import two_sample as ts
from latentlab.core.models import build_model


def gaussians(n, shift=0.0, seed=0, dim=2):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, dim, generator=g, dtype=torch.float64), torch.randn(n, dim, generator=g,
                                                                                dtype=torch.float64) + shift


def test_sliced_wasserstein_is_near_zero_for_one_distribution_and_grows_with_the_shift():
    u = ts.random_directions(200, 2, torch.Generator().manual_seed(0), torch.float64)
    values = [float(ts.sliced_wasserstein2(*gaussians(500, s), directions=u)) for s in (0.0, 1.0, 2.0)]
    assert values[0] < 0.02 < values[1] < values[2]
    # a shift s moves each projection t'x by t's: SW_2^2 is about the mean of (t's)^2
    assert values[2] == pytest.approx(float((torch.tensor([2.0, 2.0], dtype=torch.float64) @ u).pow(2).mean()),
                                      abs=0.4)
    x, _ = gaussians(50)
    assert float(ts.sliced_wasserstein2(x, x)) == 0.0


def test_sliced_wasserstein_takes_unequal_sizes_and_is_differentiable():
    x = torch.randn(30, 3, requires_grad=True)
    loss = ts.sliced_wasserstein2(x, torch.randn(47, 3) + 1.0, 20)
    loss.backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


def test_exact_wasserstein_is_the_optimal_matching():
    x = torch.tensor([[0.0, 0.0], [1.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([[1.0, 1.0], [0.0, 1.0]], dtype=torch.float64)
    assert ts.wasserstein2_exact(x, y) == pytest.approx(1.0)  # match straight up, not diagonally
    assert ts.wasserstein2(x, y) == (pytest.approx(1.0), "exact")
    big = torch.randn(ts.EXACT_MAX + 1, 2)
    assert ts.wasserstein2(big, big + 3.0)[1] == "sliced"
    with pytest.raises(ValueError, match="equal sample sizes"):
        ts.wasserstein2_exact(x, y[:1])


def test_energy_distance_matches_its_formula_and_grows_with_the_shift(one_thread):
    x, y = gaussians(40, 1.0)
    d = lambda a, b: torch.cdist(a, b).mean()  # noqa: E731
    assert ts.energy_distance(x, y) == pytest.approx(float(2 * d(x, y) - d(x, x) - d(y, y)))
    assert ts.energy_distance(*gaussians(200)) < 0.05 < ts.energy_distance(*gaussians(200, 1.0))


@pytest.mark.parametrize("test, n", [(ts.energy_permutation_test, 30), (ts.wasserstein_permutation_test, 20),
                                     (ts.wasserstein_permutation_test, ts.EXACT_MAX + 1)])
def test_the_null_is_the_statistic_of_relabelled_samples(test, n):
    x, y = gaussians(n, 0.3)
    result = test(x, y, n_permutations=40, generator=torch.Generator().manual_seed(1))
    assert result.n_permutations == 40 and 0 < result.p_value <= 1
    if test is ts.energy_permutation_test:
        assert result.statistic == pytest.approx(ts.energy_distance(x, y))
        z, g = torch.cat([x, y]), torch.Generator().manual_seed(1)
        members = torch.randperm(2 * n, generator=g) < n
        assert float(result.null[0]) == pytest.approx(ts.energy_distance(z[members], z[~members]))
    elif n <= ts.EXACT_MAX:
        assert result.statistic == pytest.approx(ts.wasserstein2_exact(x, y)) and result.estimator.endswith("exact")
    else:
        assert result.estimator.endswith("sliced")


@pytest.mark.parametrize("test", [ts.energy_permutation_test, ts.wasserstein_permutation_test])
def test_the_permutation_tests_are_calibrated_under_the_null(test, one_thread):
    g = torch.Generator().manual_seed(0)
    p_values = [test(torch.randn(12, 2, generator=g), torch.randn(12, 2, generator=g), n_permutations=99,
                     generator=g, batch=99).p_value for _ in range(200)]
    rate = np.mean(np.array(p_values) <= 0.05)
    assert 0.015 <= rate <= 0.095, rate


@pytest.mark.parametrize("test", [ts.energy_permutation_test, ts.wasserstein_permutation_test])
def test_the_permutation_tests_detect_a_shift(test):
    x, y = gaussians(100, 0.6)
    assert test(x, y, n_permutations=200, generator=torch.Generator().manual_seed(0)).p_value < 0.01


POINTS = dict(data_shape=(2,), latent_dim=2, hidden=(16,), likelihood="gaussian")


def test_swae_term_pulls_codes_toward_the_prior_and_a_training_step_lowers_the_loss(one_thread):
    torch.manual_seed(0)
    m = build_model("swae", {**POINTS, "sw_weight": 10.0, "projections": 20})
    x = torch.randn(64, 2) * 3 + 5
    terms = m.loss(x)
    assert terms["total"].item() == pytest.approx(terms["recon"].item() + 10.0 * terms["sw"].item(), rel=1e-5)
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    first = m.loss(x)["sw"].item()
    for _ in range(20):  # the penalty alone: it moves the codes toward N(0, I)
        opt.zero_grad()
        m.loss(x)["sw"].backward()
        opt.step()
    assert m.loss(x)["sw"].item() < 0.5 * first
    before = m.loss(x)["total"].item()
    for _ in range(5):
        opt.zero_grad()
        m.loss(x)["total"].backward()
        opt.step()
    assert m.loss(x)["total"].item() < before


def test_the_mmd_net_trains_with_the_sliced_wasserstein_loss(one_thread):
    torch.manual_seed(0)
    m = build_model("mmdnet", {**POINTS, "generator_loss": "sliced_wasserstein", "projections": 20})
    assert m.loss_names == ("sw", "total")
    x = torch.randn(64, 2) * 0.5 + 3
    first = m.loss(x)["sw"].item()
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    for _ in range(25):
        opt.zero_grad()
        m.loss(x)["total"].backward()
        opt.step()
    assert m.loss(x)["sw"].item() < 0.5 * first
    assert build_model("mmdnet", POINTS).loss_names == ("mmd", "total")


def test_bad_penalty_settings_are_refused():
    from latentlab.core.models.mmdnet import MMDNetConfig
    from latentlab.core.models.swae import SWAEConfig
    with pytest.raises(ValueError, match="sw_weight must be non-negative; projections must be at least 1"):
        SWAEConfig(data_shape=(2,), projections=0, sw_weight=-1)
    with pytest.raises(ValueError, match="generator_loss must be one of"):
        MMDNetConfig(data_shape=(2,), generator_loss="sinkhorn")
    with pytest.raises(ValueError, match="at least 1"):
        ts.random_directions(0, 2)
