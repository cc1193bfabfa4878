"""The generated colour-shapes dataset: deterministic per seed, 32 or 64 pixels, its factors as metadata."""

import numpy as np
import pytest
import torch

from latentlab.core.data import DataError, load_dataset
from latentlab.core.data.shapes import SHAPES, draw_shapes
from latentlab.core.example_values import column_values
from latentlab.core.recipes import dataset_from_record, dataset_record


def test_shapes_are_colour_images_with_their_factors():
    d = load_dataset("shapes", n=40, seed=3)
    assert d.kind == "image" and d.data_shape == (3, 32, 32) and d.class_names == SHAPES
    assert len(d.train_x) + len(d.test_x) == 40 and d.train_x.dtype == torch.uint8
    assert set(d.train_meta) == {"shape", "hue", "scale", "x", "y", "rotation"}
    assert [SHAPES[i] for i in d.train_y.tolist()] == d.train_meta["shape"]
    hue = column_values(d, "meta:hue")  # numeric: coloured continuously, like a CSV's number column
    assert not hue.categorical and np.all((hue.numbers >= 0) & (hue.numbers < 1))
    again = load_dataset("shapes", n=40, seed=3)
    assert torch.equal(d.train_x, again.train_x) and d.train_meta == again.train_meta
    assert not torch.equal(d.train_x, load_dataset("shapes", n=40, seed=4).train_x)
    back = dataset_from_record(dataset_record(load_dataset("shapes", n=10, size=64)))
    assert back.data_shape == (3, 64, 64) and len(back.train_x) + len(back.test_x) == 10


def test_a_drawn_shape_has_its_colour_position_and_size():
    def one(**f):
        return draw_shapes(*(np.array([f[k]]) for k in ("shape", "hue", "scale", "x", "y", "rotation")))[0]

    red = one(shape=1, hue=0.0, scale=1.0, x=0.3, y=0.7, rotation=0.0)  # a red circle, low left
    assert red[0].sum() > 5 * red[1].sum() and red[0].sum() > 5 * red[2].sum()
    rows, cols = np.nonzero(red[0] > 0.5)
    assert cols.mean() == pytest.approx(0.3 * 32 - 0.5, abs=1) and rows.mean() == pytest.approx(0.7 * 32 - 0.5, abs=1)
    small = one(shape=1, hue=0.0, scale=0.5, x=0.3, y=0.7, rotation=0.0)
    assert small[0].sum() == pytest.approx(red[0].sum() / 4, rel=0.15)


def test_bad_shapes_options_are_refused():
    with pytest.raises(DataError, match="32 or 64"):
        load_dataset("shapes", n=10, size=28)
    with pytest.raises(DataError, match="n from 2"):
        load_dataset("shapes", n=1)
