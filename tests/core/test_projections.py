"""UMAP and t-SNE with inverses (core/projections.py): t-SNE for real on a few points, UMAP's plumbing
through a stand-in reducer (umap-learn's first fit compiles for tens of seconds: bench/ runs the real one)."""

import numpy as np
import pytest
import torch

from latentlab.core.progress import Cancelled
from latentlab.core.projections import (
    NEIGHBOURS,
    ProjectionParams,
    fingerprint,
    fit_projection,
    fit_umap,
    unreliable_mask,
)


def blobs(n=120, d=6, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 6, (3, d))
    return (centres[np.arange(n) % 3] + rng.normal(0, 0.5, (n, d))).astype(np.float32)


class StandIn:
    """umap.UMAP's interface: the first two coordinates, and back with zeros."""

    def __init__(self, d):
        self.d = d

    def fit_transform(self, x):
        return x[:, :2] * 2

    def inverse_transform(self, p):
        return np.concatenate([p / 2, np.zeros((len(p), self.d - 2), np.float32)], 1)


def test_tsne_embeds_reports_and_inverts_by_the_nearest_codes():
    codes, seen = blobs(), []
    p = fit_projection(codes, ProjectionParams("tsne", epochs=40), report=seen.append)
    assert p.embedding.shape == (120, 2) and p.dim == 6 and seen[-1] == 1.0
    assert p.labels == ("t-SNE 1", "t-SNE 2") and f"{NEIGHBOURS} nearest" in p.inverse
    # A fitted code lands on its own position; a position decodes to its own code (an exact hit wins).
    assert torch.allclose(p.to_2d(torch.from_numpy(codes[:5])), p.embedding[:5], atol=1e-4)
    assert torch.allclose(p.from_2d(p.embedding[:5]), torch.from_numpy(codes[:5]), atol=1e-4)
    far = p.embedding.abs().max() * 10
    assert p.reliable(p.embedding[:3]).all() and not p.reliable(torch.tensor([[far, far]])).any()
    with pytest.raises(Cancelled):
        fit_projection(codes, ProjectionParams("tsne", epochs=40), cancelled=lambda: True)


def test_umap_goes_through_the_reducer_both_ways_and_shades_far_areas():
    codes = blobs()
    made = []

    def factory(params, n, report, cancelled):
        made.append(params.umap_arguments(n))
        return StandIn(codes.shape[1])

    p = fit_umap(codes, ProjectionParams("umap", neighbours=200, epochs=10), reducer_factory=factory)
    assert made[0]["n_neighbors"] == 119 and made[0]["n_epochs"] == 10  # clipped to the points there are
    assert torch.allclose(p.embedding, torch.from_numpy(codes[:, :2] * 2))
    z = p.from_2d(torch.tensor([[2.0, 4.0]]))
    assert torch.allclose(z[0, :2], torch.tensor([1.0, 2.0])) and "inverse_transform" in p.inverse
    (x0, y0), (x1, y1) = p.embedding.min(0).values.tolist(), p.embedding.max(0).values.tolist()
    mask = unreliable_mask(p, (x0 - 10, x1 + 10), (y0 - 10, y1 + 10), size=64)
    assert mask.shape == (64, 64) and mask[0, 0] and not mask.all()


def test_bad_input_is_a_clear_error_and_the_fingerprint_follows_the_content():
    with pytest.raises(ValueError, match="at least 5"):
        fit_projection(blobs()[:3], ProjectionParams("tsne"))
    with pytest.raises(ValueError, match="unknown projection"):
        fit_projection(blobs(), ProjectionParams("pca"))
    a = blobs()
    assert fingerprint(a) == fingerprint(a.copy()) != fingerprint(a + 1e-3)
