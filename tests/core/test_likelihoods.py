"""Continuous-pixel likelihoods (continuous Bernoulli, Gaussian with fixed or learned σ) and the conv nets for
28x28, 32x32 and 64x64 images of any channel count."""

import math

import pytest
import torch

from latentlab.core.data.base import Dataset
from latentlab.core.models import build_model
from latentlab.core.models.base import cb_log_norm, cb_mean, cb_sample, reconstruction_nll
from latentlab.core.recipes import model_for_dataset


def test_continuous_bernoulli_is_a_normalised_density_with_a_stable_normaliser():
    eta = torch.tensor([-40.0, -3.0, -0.2, -1e-3, 0.0, 1e-4, 5e-3, 0.02, 2.0, 40.0], dtype=torch.float64)
    log_c = cb_log_norm(eta)
    assert torch.isfinite(log_c).all()
    away = eta.abs() > 1e-2
    assert torch.allclose(log_c[away], torch.log(eta[away] / torch.tanh(eta[away] / 2)))
    assert log_c[4] == pytest.approx(math.log(2))  # lambda = 0.5: the uniform density, C = 2
    x = torch.linspace(0, 1, 2001, dtype=torch.float64)
    for e in (-4.0, -0.005, 0.0, 0.3, 6.0):
        raw = torch.full((len(x), 1), e, dtype=torch.float64)
        density = torch.exp(-reconstruction_nll(raw, x[:, None], "cbernoulli", 0.1))
        assert torch.trapezoid(density, x).item() == pytest.approx(1.0, abs=1e-5)
        assert torch.trapezoid(density * x, x).item() == pytest.approx(cb_mean(torch.tensor(e)).item(), abs=1e-5)
    draws = cb_sample(torch.full((20000,), 3.0), torch.Generator().manual_seed(0))
    assert draws.min() >= 0 and draws.max() <= 1 and draws.mean().item() == pytest.approx(cb_mean(torch.tensor(3.0)).item(),
                                                                                      abs=0.01)


def test_the_learned_gaussian_sigma_is_trained_and_saved_with_the_model():
    m = build_model("vae", dict(data_shape=(3, 8, 8), latent_dim=2, hidden=(16,), likelihood="gaussian-learned"))
    assert "decoder.log_sigma" in m.state_dict()
    m.loss(torch.rand(4, 3, 8, 8))["total"].backward()
    assert m.decoder.log_sigma.grad is not None and m.decoder.log_sigma.grad != 0
    fixed = build_model("vae", dict(data_shape=(3, 8, 8), latent_dim=2, hidden=(16,), likelihood="gaussian"))
    assert "decoder.log_sigma" not in fixed.state_dict()


@pytest.mark.parametrize("shape,likelihood", [((1, 28, 28), "bernoulli"), ((3, 32, 32), "cbernoulli"),
                                              ((3, 64, 64), "gaussian-learned")])
def test_conv_nets_take_grey_and_colour_images_of_each_size(shape, likelihood):
    m = build_model("vae", dict(data_shape=shape, latent_dim=3, hidden=(8,), arch="conv", likelihood=likelihood))
    x = torch.rand(2, *shape)
    loss = m.loss(x)["total"]
    assert torch.isfinite(loss)
    out = m.decode(torch.zeros(2, 3))
    assert out.shape == (2, *shape) and (likelihood == "gaussian-learned" or 0 <= out.min() <= out.max() <= 1)


def test_conv_shape_errors_are_one_clear_line():
    with pytest.raises(ValueError) as e:
        build_model("vae", dict(data_shape=(3, 30, 30), arch="conv"))
    assert "\n" not in str(e.value) and "28x28, 32x32, 64x64" in str(e.value) and "3x30x30" in str(e.value)


def test_auto_likelihood_is_the_datasets_default():
    images = Dataset("t", "image", torch.rand(6, 3, 8, 8), torch.rand(2, 3, 8, 8))
    assert model_for_dataset("vae", images, likelihood="auto", hidden=(8,)).config.likelihood == "bernoulli"
    assert model_for_dataset("vae", images, likelihood="cbernoulli", hidden=(8,)).config.likelihood == "cbernoulli"


def test_the_bernoulli_loss_and_its_gradient_match_torch_binary_cross_entropy():
    g = torch.Generator().manual_seed(0)
    logits = (torch.randn(6, 1, 4, 5, generator=g, dtype=torch.float64) * 8).index_fill_(3, torch.tensor([0]), 90.0)
    x = torch.rand(6, 1, 4, 5, generator=g, dtype=torch.float64)
    for dtype, tol in ((torch.float64, 1e-10), (torch.float32, 1e-4)):
        ours = logits.to(dtype).detach().clone().requires_grad_()
        ref = logits.to(dtype).detach().clone().requires_grad_()
        got = reconstruction_nll(ours, x.to(dtype), "bernoulli", 0.1)
        want = torch.nn.functional.binary_cross_entropy_with_logits(ref, x.to(dtype), reduction="none").flatten(1).sum(1)
        torch.testing.assert_close(got, want, rtol=tol, atol=tol)
        (got * torch.arange(6.0, dtype=dtype)).sum().backward()
        (want * torch.arange(6.0, dtype=dtype)).sum().backward()
        torch.testing.assert_close(ours.grad, ref.grad, rtol=tol, atol=tol)
    small_logits = logits[:2, :, :2, :2].clone().requires_grad_()
    small_x = x[:2, :, :2, :2].clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: reconstruction_nll(a, b, "bernoulli", 0.1), (small_logits, small_x))
