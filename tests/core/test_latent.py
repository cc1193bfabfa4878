"""Projections to the plane and back, projected posteriors, and point-in-polygon."""

import numpy as np
import pytest
import torch

from latentlab.core.latent import (
    AxesProjection,
    PCAProjection,
    ellipse_outline,
    points_in_polygon,
    prior_centre,
    projected_covariances,
)


def test_axes_projection_round_trips_and_fills_the_other_axes_with_the_mean():
    codes = torch.randn(100, 4) + torch.tensor([1.0, 2.0, 3.0, 4.0])
    proj = AxesProjection.fit(codes, 2, 0)
    plane = torch.tensor([[0.5, -1.0], [2.0, 3.0]])
    z = proj.from_2d(plane)
    assert torch.allclose(proj.to_2d(z), plane)
    assert torch.allclose(z[:, 1], codes.mean(0)[1].expand(2)) and torch.allclose(z[:, 3], codes.mean(0)[3].expand(2))
    assert torch.equal(proj.to_2d(codes), codes[:, [2, 0]])
    with pytest.raises(ValueError, match="two different axes"):
        AxesProjection.fit(codes, 1, 1)


def test_pca_projection_round_trips_points_of_the_plane_and_recovers_planar_codes():
    g = torch.Generator().manual_seed(0)
    basis = torch.linalg.qr(torch.randn(5, 2, generator=g))[0]
    coords = torch.randn(300, 2, generator=g) * torch.tensor([3.0, 1.0])
    codes = coords @ basis.T + 7.0  # codes that lie exactly in a plane
    proj = PCAProjection.fit(codes)
    assert torch.allclose(proj.from_2d(proj.to_2d(codes)), codes, atol=1e-4)
    plane = torch.randn(10, 2, generator=g)
    assert torch.allclose(proj.to_2d(proj.from_2d(plane)), plane, atol=1e-5)
    assert proj.explained[0] > 0.8 and sum(proj.explained) == pytest.approx(1.0, abs=1e-5)
    # variance along PC1 is the largest
    p = proj.to_2d(codes)
    assert p[:, 0].var() > p[:, 1].var()


def test_pca_sign_is_stable_between_refits():
    codes = torch.randn(200, 3) * torch.tensor([3.0, 1.0, 0.5])
    a, b = PCAProjection.fit(codes), PCAProjection.fit(codes.flip(0))
    assert torch.allclose(a.components, b.components, atol=1e-5)


def test_projected_covariance_of_a_diagonal_gaussian():
    proj = AxesProjection.fit(torch.zeros(3, 3), 0, 2)
    logvar = torch.log(torch.tensor([[1.0, 4.0, 9.0]]))
    assert torch.allclose(projected_covariances(proj, logvar)[0], torch.diag(torch.tensor([1.0, 9.0])))


def test_ellipse_points_are_k_sigma_away():
    cov = np.array([[4.0, 1.0], [1.0, 1.0]])
    pts = ellipse_outline(np.array([1.0, -1.0]), cov, 2.0)
    diff = pts - [1.0, -1.0]
    maha = np.sqrt(np.einsum("ni,ij,nj->n", diff, np.linalg.inv(cov), diff))
    assert np.allclose(maha, 2.0)


def test_prior_centre_under_pca_is_the_image_of_zero():
    codes = torch.randn(50, 3) + 5
    proj = PCAProjection.fit(codes)
    assert np.allclose(prior_centre(proj), proj.to_2d(torch.zeros(1, 3)).numpy()[0])
    assert np.allclose(prior_centre(AxesProjection.fit(codes)), [0, 0])


def test_points_in_polygon():
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)
    pts = np.array([[1, 1], [3, 1], [-0.1, 1], [1.9, 1.9], [1, 2.5]], float)
    assert points_in_polygon(pts, square).tolist() == [True, False, False, True, False]
    l_shape = np.array([[0, 0], [3, 0], [3, 1], [1, 1], [1, 3], [0, 3]], float)
    assert points_in_polygon(np.array([[2, 2], [0.5, 2], [2, 0.5]]), l_shape).tolist() == [False, True, True]
