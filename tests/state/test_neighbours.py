"""The neighbours panel's state with no window: search in latent or data space, reset with the data and model."""

import pytest
import torch

from latentlab.core.neighbours import nearest
from latentlab.state.schema import schema


def test_k_space_and_example_are_settings_and_example_is_not_remembered():
    settings = schema()
    assert settings["neighbours.k"].default == 8 and settings["neighbours.space"].choices == ("latent", "data")
    assert settings["neighbours.example"].optional and not settings["neighbours.example"].remember


def test_search_in_latent_then_data_space_excludes_the_example_and_orders_by_distance(app):
    nb, s = app.neighbours, app.session
    app.set_text("neighbours.example", "5")
    app.set("neighbours.k", 4)
    found = nb.search(s)
    assert found is not None and found.space == "latent" and found.example == 5
    assert len(found.indices) == 4 and 5 not in found.indices
    assert list(found.distances) == sorted(found.distances)
    codes = s.codes()
    ref, dist = nearest(torch.from_numpy(codes.train), torch.from_numpy(codes.train[5:6]), 4,
                        exclude_self_rows=torch.tensor([5]))
    assert found.indices == tuple(codes.train_index[ref[0].numpy()].tolist())
    assert found.distances == pytest.approx(dist[0].tolist())

    app.set("neighbours.space", "data")
    found = nb.search(s)
    x = s.dataset.train_x
    d = (x - x[5]).norm(dim=1)
    d[5] = float("inf")
    assert found.space == "data" and found.indices == tuple(torch.argsort(d, stable=True)[:4].tolist())
    assert found.distances == pytest.approx(d[list(found.indices)].tolist())


def test_an_example_beyond_the_data_is_a_message(app):
    app.neighbours.pick(10**6)
    assert app.neighbours.search(app.session) is None and "no training example" in app.neighbours.message


def test_new_data_or_a_new_model_clears_the_example_and_its_neighbours(app):
    nb = app.neighbours
    nb.pick(3)
    assert nb.search(app.session) is not None
    app.session.configure_model(app.session.model_settings)  # a new model: its latent space is new
    assert nb.example is None and nb.found is None
    nb.pick(3)
    nb.search(app.session)
    assert app.session.set_dataset("moons")
    assert nb.example is None and nb.found is None
