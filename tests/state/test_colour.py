"""Colour by any per-example value and the cross-filter, headless: choices follow the data and model,
values are right, the filter's verdict follows its settings and is reset with the data."""

import numpy as np
import pytest
import torch

from latentlab.core.example_values import column_values, model_values, passing, text_values
from latentlab.core.settings import SettingError
from latentlab.state.model_settings import ModelSettings
from latentlab.state.schema import schema


def test_colour_and_filter_are_settings_not_remembered():
    s = schema()
    assert s["scatter.colour_by"].default == "label" and not s["scatter.colour_by"].remember
    assert {"filter.by", "filter.low", "filter.high", "filter.keep"} <= set(s)


def test_choices_depend_on_model_and_data_and_reset_when_they_change(app, tmp_path):
    choices = app.values.choices()
    assert {"label", "recon", "kl", "elbo", "z0", "z1"} <= set(choices)
    app.set("scatter.colour_by", "kl")
    with pytest.raises(SettingError):
        app.set("scatter.colour_by", "meta:colour")
    csv = tmp_path / "t.csv"
    rows = ["a,b,label,colour"] + [f"{i % 7},{i % 5},{i % 2},{'red' if i % 3 else 'blue'}" for i in range(40)]
    csv.write_text("\n".join(rows) + "\n")
    assert app.session.set_dataset(str(csv))
    assert "meta:colour" in app.values.choices()
    app.set("scatter.colour_by", "meta:colour")
    train, _ = app.values.get("meta:colour")
    assert train.categories == ("blue", "red")
    app.set("filter.by", "meta:colour")
    app.session.model_settings = ModelSettings("autoencoder", hidden=(8,))
    app.session.reset()  # a model without a posterior: no KL; metadata still there
    assert "kl" not in app.values.choices() and app.scatter.colour_by == "meta:colour"
    assert app.filter.by == "meta:colour"
    assert app.session.set_dataset("ring8")  # other data: its columns are gone, so are the choices
    assert app.scatter.colour_by == "label" and app.filter.by == ""


def test_text_columns_are_categories_numbers_are_continuous():
    v = text_values("meta:c", "c", ["red", "blue", "red"])
    assert v.categorical and v.categories == ("blue", "red") and v.numbers.tolist() == [1, 0, 1]
    n = text_values("meta:n", "n", ["1.5", "", "-2"])
    assert not n.categorical and n.numbers[0] == 1.5 and np.isnan(n.numbers[1])
    assert passing(v, keep=frozenset({"red"})).tolist() == [True, False, True]
    assert passing(n, low=0).tolist() == [True, False, False]


def test_model_values_match_the_models_own_terms(app):
    model = app.session.snapshot
    x = app.session.dataset.train_x[:50]
    got = model_values(model, x, ("recon", "kl", "elbo"), batch=16)
    with torch.no_grad():
        mu, logvar = model.encode_dist(x)
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)
        recon = (model.decode(mu) - x).pow(2).mean(1)
    assert got["kl"] == pytest.approx(kl.double().numpy(), rel=1e-5)
    assert got["recon"] == pytest.approx(recon.double().numpy(), rel=1e-5, abs=1e-7)
    assert (got["elbo"] <= -got["kl"] + 1e3).all() and len(got["elbo"]) == 50
    again = model_values(model, x, ("elbo",), batch=16)  # the same seeded draw every time
    assert again["elbo"] == pytest.approx(got["elbo"], rel=1e-4)


def test_the_filter_follows_its_settings_and_the_values(app):
    f, values = app.cross_filter, app.values
    assert not f.active and f.passes(3)
    app.set("filter.by", "label")
    wanted = column_values(app.session.dataset, "label").categories[0]
    app.set_text("filter.keep", wanted)
    y = app.session.dataset.train_y.numpy()
    assert f.mask.tolist() == (y == 0).tolist()
    assert f.keep(np.arange(20)).tolist() == np.flatnonzero(y[:20] == 0).tolist()
    app.set("filter.by", "kl")  # a model value: no verdict until it is computed
    app.filter.keep = frozenset()
    assert values.pending("kl") and not f.active
    values.ensure("kl")
    assert f.active and f.mask.all()
    app.set("filter.low", float(np.nanmedian(values.get("kl")[0].numbers)))
    assert 0.3 < f.mask.mean() < 0.7
    app.session.reset()  # new weights: the computed values are dropped
    assert values.pending("kl")



def test_neighbours_are_searched_among_the_examples_the_filter_keeps(app):
    y = app.session.dataset.train_y.numpy()
    app.neighbours.pick(int(np.flatnonzero(y == 0)[0]))
    for space in ("latent", "data"):
        app.neighbours.space = space
        found = app.neighbours.search(app.session, keep=y == 0)
        assert found is not None and all(y[j] == 0 for j in found.indices)
