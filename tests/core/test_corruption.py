"""Corruption processes: their noise has the statistics their setting names, and they are reproducible."""

import pytest
import torch

from latentlab.core.corruption import CORRUPTIONS, GaussianNoise, MaskingNoise, SaltAndPepper, make_corruption


def test_gaussian_noise_has_the_set_mean_and_variance():
    x = torch.full((200_000, 2), 3.0)
    noise = GaussianNoise(0.4)(x, torch.Generator().manual_seed(0)) - x
    assert noise.mean().item() == pytest.approx(0.0, abs=0.005)
    assert noise.std().item() == pytest.approx(0.4, rel=0.01)


def test_salt_and_pepper_hits_the_set_fraction_with_half_salt():
    x = torch.full((1000, 1, 28, 28), 0.5)
    out = SaltAndPepper(0.3)(x, torch.Generator().manual_seed(0))
    hit = out != 0.5
    assert hit.float().mean().item() == pytest.approx(0.3, abs=0.005)
    assert set(out[hit].unique().tolist()) == {0.0, 1.0}
    assert (out[hit] == 1).float().mean().item() == pytest.approx(0.5, abs=0.01)


def test_masking_zeroes_the_set_fraction_and_keeps_the_rest():
    x = torch.rand(500, 784) * 0.9 + 0.1
    out = MaskingNoise(0.25)(x, torch.Generator().manual_seed(0))
    zeroed = out == 0
    assert zeroed.float().mean().item() == pytest.approx(0.25, abs=0.005)
    assert torch.equal(out[~zeroed], x[~zeroed])


@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_same_seed_same_corruption(kind):
    c = make_corruption(kind, 0.3)
    x = torch.rand(10, 784)
    a = c(x, torch.Generator().manual_seed(5))
    b = c(x, torch.Generator().manual_seed(5))
    assert torch.equal(a, b) and not torch.equal(a, c(x, torch.Generator().manual_seed(6)))


def test_impossible_settings_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="fraction in \\[0, 1\\]"):
        make_corruption("masking", 1.5)
    with pytest.raises(ValueError, match="sigma"):
        make_corruption("gaussian", -0.1)
    with pytest.raises(ValueError, match="unknown corruption"):
        make_corruption("blur", 0.1)
