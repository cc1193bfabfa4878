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


# -- interpolation paths -----------------------------------------------------------------
from latentlab.core.latent import lerp, nearest_data_distance, path_points, slerp  # noqa: E402


@pytest.mark.parametrize("kind", ["linear", "slerp"])
def test_paths_start_and_end_exactly_at_the_endpoints(kind):
    a, b = torch.tensor([1.0, 2.0, -1.0]), torch.tensor([-3.0, 0.5, 2.0])
    pts = path_points(torch.stack([a, b]), torch.tensor([0.0, 0.5, 1.0]), kind)
    assert torch.allclose(pts[0], a, atol=1e-6) and torch.allclose(pts[-1], b, atol=1e-6)


def test_linear_midpoint_and_slerp_keeps_equal_norms():
    a, b = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    assert torch.allclose(lerp(a, b, torch.tensor([0.5]))[0], torch.tensor([1.5, 1.5]))
    t = torch.linspace(0, 1, 11)
    norms = slerp(a, b, t).norm(dim=1)
    assert torch.allclose(norms, torch.full_like(norms, 3.0), atol=1e-5)
    assert lerp(a, b, t).norm(dim=1)[5] < 2.2  # the straight line cuts inside the shell
    # parallel endpoints: the circle is undefined, slerp falls back to the line
    assert torch.allclose(slerp(a, 2 * a, t), lerp(a, 2 * a, t))


def test_multi_point_paths_visit_every_anchor_in_order():
    anchors = torch.tensor([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    t = torch.tensor([0.0, 1 / 3, 2 / 3, 1.0, 1 / 6])
    pts = path_points(anchors, t, "linear")
    assert torch.allclose(pts[:4], anchors, atol=1e-6)
    assert torch.allclose(pts[4], torch.tensor([0.5, 0.0]), atol=1e-6)
    with pytest.raises(ValueError, match="two points"):
        path_points(anchors[:1], t)


def test_data_path_runs_through_the_codes_and_keeps_its_ends():
    codes = torch.tensor([[0.0, 0.0], [1.0, 0.2], [2.0, 0.0], [1.0, 5.0]])
    anchors = torch.tensor([[0.0, 0.0], [2.0, 0.0]])
    pts = path_points(anchors, torch.linspace(0, 1, 41), "data", codes)
    assert torch.allclose(pts[0], anchors[0]) and torch.allclose(pts[-1], anchors[1])
    assert torch.allclose(pts[20], torch.tensor([1.0, 0.2]), atol=1e-5)  # through the nearby code
    assert float(pts[:, 1].max()) <= 0.2 + 1e-6  # never towards the far one


def test_nearest_data_distance():
    data = torch.tensor([[0.0, 0.0], [10.0, 0.0]])
    frames = torch.tensor([[1.0, 0.0], [10.0, 3.0], [0.0, 0.0]])
    assert torch.allclose(nearest_data_distance(frames, data), torch.tensor([1.0, 3.0, 0.0]))
