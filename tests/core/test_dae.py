"""The denoising autoencoder: walkback pairs, the sampling chain, and the walkback result on the ring."""

import pytest
import torch

from latentlab.core.checkpoints import load_checkpoint, save_checkpoint
from latentlab.core.data import load_dataset
from latentlab.core.models import build_model
from latentlab.core.models.dae import DenoisingAutoencoder
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import TrainConfig
from latentlab.core.walkback import ChainRun, chain_mmd_curve, train_walkback_pair

POINTS = dict(data_shape=(2,), latent_dim=2, hidden=(16,), likelihood="gaussian", noise=0.3)


def dae(**settings) -> DenoisingAutoencoder:
    torch.manual_seed(0)
    return build_model("dae", {**POINTS, **settings})


def test_without_walkback_each_example_gives_one_corrupted_pair():
    x = torch.randn(50, 2)
    clean, noisy = dae(walkback=0).walkback_pairs(x, torch.Generator().manual_seed(0))
    assert torch.equal(clean, x)
    assert (noisy - x).std().item() == pytest.approx(0.3, rel=0.2)


def test_walkback_adds_one_pair_per_step_from_the_models_own_samples(monkeypatch):
    m = dae(walkback=3, walkback_p=1.0)
    # A model whose every sample is the point (5, 5): walkback's x~ are corruptions of it, its x the originals.
    monkeypatch.setattr(m, "denoise", lambda x_tilde, sample=True, generator=None: torch.full_like(x_tilde, 5.0))
    x = torch.randn(2000, 2)
    clean, noisy = m.walkback_pairs(x, torch.Generator().manual_seed(0))
    assert clean.shape == noisy.shape == (4 * 2000, 2)
    assert torch.equal(clean, x.repeat(4, 1))
    walked = noisy[2000:]
    assert walked.mean().item() == pytest.approx(5.0, abs=0.02)
    assert walked.std().item() == pytest.approx(0.3, rel=0.03)


def test_walkback_continues_with_the_set_probability():
    x = torch.randn(20_000, 2)
    assert len(dae(walkback=4, walkback_p=0.0).walkback_pairs(x)[0]) == 20_000
    n = len(dae(walkback=2, walkback_p=0.5).walkback_pairs(x, torch.Generator().manual_seed(0))[0])
    assert n / 20_000 == pytest.approx(1 + 0.5 + 0.25, abs=0.02)


def test_chain_keeps_every_state_with_the_right_shapes():
    m = build_model("dae", {"data_shape": (1, 28, 28), "latent_dim": 3, "hidden": (32,),
                            "corruption": "salt_pepper", "noise": 0.2})
    x0 = torch.rand(5, 1, 28, 28)
    chain = m.chain(x0, 7, generator=torch.Generator().manual_seed(0))
    assert chain.clean.shape == (8, 5, 1, 28, 28) and chain.corrupted.shape == (7, 5, 1, 28, 28)
    assert torch.equal(chain.clean[0], x0) and chain.steps == 7
    assert set(chain.clean[1:].unique().tolist()) <= {0.0, 1.0}  # Bernoulli samples
    assert m.sample(3).shape == (3, 1, 28, 28)


def test_chains_with_the_same_seed_are_identical_and_chainrun_matches_chain():
    m = dae()
    x0 = torch.randn(10, 2)
    a = m.chain(x0, 20, generator=torch.Generator().manual_seed(3))
    b = m.chain(x0, 20, generator=torch.Generator().manual_seed(3))
    c = m.chain(x0, 20, generator=torch.Generator().manual_seed(4))
    assert torch.equal(a.clean, b.clean) and not torch.equal(a.clean, c.clean)
    run = ChainRun(m, x0, seed=3)
    run.advance(20)
    assert run.t == 20 and torch.equal(torch.stack(run.clean), a.clean)
    mean_run = ChainRun(m, x0, seed=3, sample=False)
    mean_run.advance(1)
    assert torch.equal(mean_run.current, m.denoise(mean_run.corrupted[0], sample=False))


def test_impossible_settings_are_refused():
    for bad, why in [({"corruption": "masking"}, "for images"), ({"walkback": -1}, "walkback steps"),
                     ({"walkback_p": 1.5}, "probability"), ({"noise": -1.0}, "sigma")]:
        with pytest.raises(ValueError, match=why):
            build_model("dae", {**POINTS, **bad})


def test_a_checkpoint_keeps_the_data_box_the_chain_starts_from(tmp_path):
    m = dae()
    m.loss(torch.randn(64, 2) * 3)
    save_checkpoint(tmp_path / "dae.safetensors", m, {"name": "ring8"}, 1, 0, {})
    loaded = load_checkpoint(tmp_path / "dae.safetensors").model
    assert torch.equal(loaded.data_low, m.data_low) and torch.isfinite(loaded.data_low).all()


def test_points_have_a_fixed_sigma_unless_asked_to_learn_it():
    """A learned per-input σ can run away under walkback (issue 27): it is off by default."""
    fixed, learned = dae(), dae(learn_sigma=True)
    assert not fixed.learned_sigma and learned.learned_sigma
    x, x_tilde = torch.zeros(3, 2), torch.zeros(3, 2)
    mean = fixed.denoise(x_tilde, sample=False)
    expected = (0.5 * (mean / 0.1) ** 2 + torch.log(torch.tensor(0.1)) + 0.5 * torch.log(torch.tensor(2 * torch.pi)))
    assert torch.allclose(fixed.nll(x, x_tilde), expected.sum(1))  # the likelihood's σ = obs_sigma = 0.1
    draws = fixed.denoise(x_tilde.repeat(2000, 1), generator=torch.Generator().manual_seed(0)) - mean[:1]
    assert draws.std().item() == pytest.approx(0.1, rel=0.05)


def test_walkback_keeps_the_ring_chains_on_the_data():
    """The issue's measured result: 1,000 chains from data, 100 steps, same budget; MMD^2 to held-out data."""
    d = load_dataset("ring8")
    config = model_for_dataset("dae", d).config
    pair = train_walkback_pair(config, d, TrainConfig(epochs=30, seed=0, device="cpu"), walkback=2, walkback_p=1.0)
    assert pair.message == ""
    start = d.train_x[torch.randperm(len(d.train_x), generator=torch.Generator().manual_seed(0))[:1000]]
    scores = []
    for model in (pair.without, pair.with_walkback):
        run = ChainRun(model, start, seed=0)
        run.advance(100)
        scores.append(chain_mmd_curve([run.current], d.test_x)[1][0])
    without, with_walkback = scores
    print(f"MMD^2 at step 100: without walkback {without:.4f}, with {with_walkback:.4f}; "
          f"training {pair.seconds[0]:.1f} s / {pair.seconds[1]:.1f} s")
    assert with_walkback < without


@pytest.mark.parametrize("corruption", ["gaussian", "salt_pepper"])
def test_a_float64_model_chains_in_float64(corruption):
    settings = dict(data_shape=(4,), likelihood="bernoulli", noise=0.2) if corruption != "gaussian" else {}
    m = dae(corruption=corruption, **settings).double()
    start = torch.rand(5, *m.data_shape)  # float32 data: the chain follows the model
    chain = m.chain(start, 3)
    assert chain.clean.dtype == torch.float64 and chain.corrupted.dtype == torch.float64
    run = ChainRun(m, start, seed=0)
    run.advance(2)
    assert run.current.dtype == torch.float64
    assert m.sample(3).dtype == torch.float64
