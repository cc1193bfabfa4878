"""Every model family: shapes, named loss terms, and what each term does."""

import pytest
import torch

from latentlab.core.models import CapabilityError, build_model, families
from latentlab.core.models.vae import kl_to_standard_normal

IMAGE = dict(data_shape=(1, 28, 28), latent_dim=3, hidden=(64, 32))
POINTS = dict(data_shape=(2,), latent_dim=2, hidden=(16,), likelihood="gaussian")


@pytest.mark.parametrize("family", ["autoencoder", "vae", "mmdvae", "swae", "dae", "gmmn_ae"])
@pytest.mark.parametrize("config,batch", [(IMAGE, torch.rand(6, 1, 28, 28)), (POINTS, torch.randn(6, 2)),
                                          ({**IMAGE, "arch": "conv"}, torch.rand(6, 1, 28, 28))])
def test_protocol_shapes_and_terms(family, config, batch):
    torch.manual_seed(0)
    m = build_model(family, config)
    z = m.encode(batch)
    assert z.shape == (6, m.latent_dim)
    assert m.decode(z).shape == batch.shape
    assert m.sample(4).shape == (4, *m.data_shape)
    terms = m.loss(batch)
    assert set(terms) == set(m.loss_names) and "total" in terms
    assert all(t.dim() == 0 and torch.isfinite(t) for t in terms.values())
    terms["total"].backward()
    assert all(p.grad is not None for p in m.parameters())
    if m.data_shape == (1, 28, 28):
        out = m.decode(z)
        assert out.min() >= 0 and out.max() <= 1


def test_vae_encoder_gives_mean_and_logvar_and_kl_matches_formula():
    m = build_model("vae", IMAGE)
    mu, logvar = m.encode_dist(torch.rand(5, 1, 28, 28))
    assert mu.shape == logvar.shape == (5, 3)
    mu, logvar = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 2.0]])
    # KL(N(mu, s^2) || N(0, 1)) = 0.5 (mu^2 + s^2 - 1 - log s^2) per dimension
    want = 0.5 * (1 + 1 - 1 - 0) + 0.5 * (0 + torch.e**2 - 1 - 2)
    assert kl_to_standard_normal(mu, logvar).item() == pytest.approx(want, rel=1e-6)


def test_the_fused_gaussian_head_gives_the_unfused_numbers_exactly():
    """vae.gaussian_head replaces encode_dist + reparameterise + kl_to_standard_normal: same values, same gradients,
    bit for bit, including a log-variance outside LOGVAR_RANGE (its gradient is cut there, as clamp's is)."""
    from latentlab.core.models.vae import LOGVAR_RANGE, gaussian_head

    torch.manual_seed(0)
    h = torch.randn(64, 6) * 3
    h[0, 3], h[1, 4] = 30.0, -25.0
    eps, grad_z, grad_kl = torch.randn(64, 3), torch.randn(64, 3), torch.rand(64)
    a, b = h.clone().requires_grad_(), h.clone().requires_grad_()
    mu, logvar = a.chunk(2, dim=1)
    logvar = logvar.clamp(*LOGVAR_RANGE)
    z, kl = mu + eps * torch.exp(0.5 * logvar), kl_to_standard_normal(mu, logvar)
    torch.autograd.backward([z, kl], [grad_z, grad_kl])
    z2, kl2 = gaussian_head(b, eps)
    torch.autograd.backward([z2, kl2], [grad_z, grad_kl])
    assert torch.equal(z, z2) and torch.equal(kl, kl2) and torch.equal(a.grad, b.grad)
    assert a.grad[0, 3] == 0 and a.grad[1, 4] == 0


def test_vae_total_weights_the_terms():
    x = torch.rand(8, 1, 28, 28)
    for beta, rw in ((1.0, 1.0), (0.0, 1.0), (1.0, 0.0), (4.0, 0.5)):
        torch.manual_seed(0)
        m = build_model("vae", {**IMAGE, "beta": beta, "recon_weight": rw})
        torch.manual_seed(1)
        t = m.loss(x)
        assert t["total"].item() == pytest.approx(rw * t["recon"].item() + beta * t["kl"].item(), rel=1e-5)


def test_kl_only_vae_collapses_the_posterior_to_the_prior():
    torch.manual_seed(0)
    m = build_model("vae", {**POINTS, "recon_weight": 0.0})
    x = torch.randn(256, 2) * 2
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    for _ in range(300):
        opt.zero_grad()
        m.loss(x)["total"].backward()
        opt.step()
    mu, logvar = m.encode_dist(x)
    assert mu.abs().max() < 0.05 and logvar.abs().max() < 0.05


def test_invalid_configs_are_refused_with_reasons():
    with pytest.raises(ValueError, match="latent_dim"):
        build_model("vae", {**IMAGE, "latent_dim": 0})
    with pytest.raises(ValueError, match="both be 0"):
        build_model("vae", {**IMAGE, "beta": 0.0, "recon_weight": 0.0})
    with pytest.raises(ValueError, match="28x28"):
        build_model("autoencoder", {**POINTS, "arch": "conv"})
    with pytest.raises(ValueError, match="unknown model family"):
        build_model("gan", IMAGE)
    with pytest.raises(ValueError, match="unknown VAEConfig settings"):
        build_model("vae", {**IMAGE, "colour": "red"})


def test_capabilities_are_declared_not_guessed():
    ae = build_model("autoencoder", IMAGE)
    assert not ae.can("posterior") and "point" in ae.why_not("posterior")
    with pytest.raises(CapabilityError):
        ae.encode_dist(torch.rand(1, 1, 28, 28))
    assert build_model("vae", IMAGE).can("posterior")


def test_registry_lists_the_families():
    assert {"autoencoder", "vae", "mmdvae"} <= set(families())


def test_mmdvae_term_pulls_codes_toward_the_prior():
    torch.manual_seed(0)
    m = build_model("mmdvae", {**POINTS, "mmd_weight": 1000.0})
    x = torch.randn(256, 2) * 3 + 5
    first = m.loss(x)["mmd"].item()
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    for _ in range(200):
        opt.zero_grad()
        m.loss(x)["total"].backward()
        opt.step()
    assert m.loss(x)["mmd"].item() < 0.5 * first
