"""The neighbours panel's state with no window: search in latent or data space, reset with the data and model."""

import numpy as np
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


class ExactGraph:
    """Stands in for pynndescent's graph (whose first build in a process compiles for a minute): exact answers."""

    def __init__(self, base):
        self.base = torch.from_numpy(base)

    def query(self, q, k, epsilon):
        d = torch.cdist(torch.from_numpy(q), self.base, compute_mode="donot_use_mm_for_euclid_dist")
        d, i = torch.sort(d, dim=1, stable=True)
        i, d = i[:, :k], d[:, :k]
        return i.numpy().astype("int32"), d.numpy()


@pytest.fixture
def small_limit(monkeypatch):
    """Exact search up to 10 points: the toy data needs an index, built here by ExactGraph."""
    from latentlab.core import neighbours as core

    def build(cls, base, report=None, cancelled=None):
        report(0.5)
        data = base.numpy().astype("float32")
        return cls(ExactGraph(data), len(data), data.shape[1])

    monkeypatch.setattr(core, "EXACT_LIMIT", 10)
    monkeypatch.setattr(core.ApproximateIndex, "build", classmethod(build))


def test_above_the_exact_limit_an_index_is_asked_for_then_searched(app, small_limit):
    from latentlab.core.neighbours import APPROXIMATE

    nb, s = app.neighbours, app.session
    nb.pick(5)
    assert nb.search(s) is None and nb.found is None and "approximate index" in nb.message
    request = nb.request
    progress = []
    index = request.build(progress.append, lambda: False)  # what the panel's job runs
    assert progress == [0.5] and nb.index_built(request.key, index)
    found = nb.search(s)
    codes = torch.from_numpy(s.codes().train)
    d = (codes - codes[5]).norm(dim=1)
    d[5] = float("inf")
    ref = torch.argsort(d, stable=True)[:8]
    assert found.method == APPROXIMATE and nb.request is None
    assert found.indices == tuple(s.codes().train_index[ref.numpy()].tolist())
    assert found.distances == pytest.approx(d[ref].tolist(), rel=1e-4, abs=1e-5)
    keep = np.zeros(len(s.dataset.train_x), dtype=bool)
    keep[::4] = True  # a filter: more than 10 kept, searched in the same index among those only
    found = nb.search(s, keep)
    assert found.method == APPROXIMATE and all(keep[j] for j in found.indices)
    keep[:] = False
    keep[:8] = True  # 8 kept: an exact search
    assert nb.search(s, keep).method == "exact" and set(nb.found.indices) <= set(range(8)) - {5}


def test_an_index_answered_after_the_space_model_or_data_moved_on_is_dropped(app, small_limit):
    nb, s = app.neighbours, app.session
    nb.pick(5)
    nb.search(s)
    latent = nb.request
    app.set("neighbours.space", "data")
    nb.search(s)
    data = nb.request
    assert data.key != latent.key and data.what == "examples"
    assert not nb.index_built(latent.key, latent.build(lambda f: None, lambda: False))  # the space moved on
    assert not nb.indexes and nb.request is data
    index = data.build(lambda f: None, lambda: False)
    s.configure_model(s.model_settings)  # a new model (and codes) while the data index was being built
    assert nb.request is None and not nb.index_built(data.key, index) and not nb.indexes
    app.set("neighbours.space", "latent")
    nb.pick(5)
    nb.search(s)
    assert nb.request.key != latent.key  # new codes: a new index, never the old one's answers
    assert nb.index_built(nb.request.key, nb.request.build(lambda f: None, lambda: False)) and nb.indexes
    assert s.set_dataset("moons")
    assert not nb.indexes and nb.request is None and nb.found is None
