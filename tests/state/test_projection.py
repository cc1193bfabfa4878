"""The scatter's UMAP/t-SNE fits, kept per codes (state/projection.py), and vectors explored with no model."""

import numpy as np
import pytest
import torch

from latentlab.core.projections import ProjectionParams, fit_projection
from latentlab.state.model_settings import ModelSettings
from latentlab.state.projection import ProjectionCache, explored_codes, wanted
from latentlab.state.schema import schema


@pytest.fixture
def vectors(tmp_path):
    rng = np.random.default_rng(0)
    x = (rng.normal(0, 5, (3, 8))[np.arange(150) % 3] + rng.normal(0, 0.5, (150, 8))).astype(np.float32)
    path = tmp_path / "vectors.npy"
    np.save(path, x)
    return path


def test_the_projection_choice_is_a_setting():
    assert schema()["scatter.projection"].choices == ("axes", "pca", "umap", "tsne")


def test_a_fit_is_found_again_for_the_same_codes_and_never_for_new_weights_or_data(app, vectors):
    s, cache = app.session, ProjectionCache()
    s.model_settings = ModelSettings("vae", hidden=(16,), latent_dim=4)
    assert s.set_dataset(str(vectors))
    assert wanted(s, "pca", cache) is None  # PCA needs no fit
    key, fit = wanted(s, "tsne", cache)
    assert fit is None
    fit = fit_projection(s.codes().train, ProjectionParams("tsne", epochs=20))
    cache.put(key, fit)
    assert wanted(s, "tsne", cache) == (key, fit)  # switching back: at once
    assert wanted(s, "umap", cache)[1] is None  # another projection, another fit
    s.reset()  # the same seed, so the same weights and codes: the fit holds
    assert wanted(s, "tsne", cache)[1] is fit
    with torch.no_grad():  # the weights move in place, as a training run's snapshots do
        for p in s.snapshot.parameters():
            p.add_(0.05)
    s.forget_codes()
    assert wanted(s, "tsne", cache)[1] is None
    assert s.configure_model(ModelSettings("vae", hidden=(8,), latent_dim=4))  # another model
    assert wanted(s, "tsne", cache)[1] is None
    assert s.set_dataset("ring8")  # new data
    assert wanted(s, "tsne", cache)[1] is None
    s.explore_without_model()  # and with no model its 2-D points need no projection
    assert wanted(s, "tsne", cache) is None
    assert len(cache) == 1


def test_with_no_model_the_vectors_are_explored_and_their_neighbours_found(app, vectors):
    s = app.session
    assert s.set_dataset(str(vectors))
    s.explore_without_model()
    assert s.snapshot is None and s.trainer is None and s.codes() is None
    codes = explored_codes(s)
    assert codes.dim == 8 and len(codes.train) == len(s.dataset.train_x)
    key, fit = wanted(s, "tsne", ProjectionCache())
    assert fit is None and key[0].kind == "tsne"
    app.set_text("neighbours.example", "4")
    found = app.neighbours.search(s)
    assert found is not None and 4 not in found.indices and len(found.indices) == app.neighbours.k
