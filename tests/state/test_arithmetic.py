"""Latent arithmetic, headless: the attribute vector is the difference of the groups' mean codes, the
amount moves the focus along it, and the groups are reset with the data."""

import numpy as np
import pytest
import torch

from latentlab.core.arithmetic import attribute_vector, steps


def test_the_vector_runs_from_a_mean_to_b_mean():
    a, b = torch.tensor([[0.0, 0.0], [2.0, 0.0]]), torch.tensor([[1.0, 3.0]])
    origin, v = attribute_vector(a, b)
    assert origin.tolist() == [1.0, 0.0] and v.tolist() == [0.0, 3.0]
    assert steps(origin, v, [0, 1]).tolist() == [[1.0, 0.0], [1.0, 3.0]]
    with pytest.raises(ValueError):
        attribute_vector(a[:0], b)


def test_the_slider_decodes_along_the_vector_and_the_selection_moves(app):
    s, ar = app.session, app.arithmetic
    y = s.dataset.train_y.numpy()
    ar.take("a", np.flatnonzero(y == 0)[:20])
    assert ar.point(s) is None  # B not set yet
    ar.take("b", np.flatnonzero(y == 1)[:20])
    with torch.no_grad():
        mean_a = s.snapshot.encode(s.dataset.train_x[list(ar.a)]).mean(0)
        mean_b = s.snapshot.encode(s.dataset.train_x[list(ar.b)]).mean(0)
    app.set("arithmetic.amount", 1.0)
    assert torch.allclose(ar.point(s), mean_b, atol=1e-5)
    app.set("arithmetic.amount", 0.0)
    assert torch.allclose(ar.point(s), mean_a, atol=1e-5)
    moved = ar.moved(s, np.arange(5))
    assert moved.shape == (5, *s.dataset.data_shape)
    assert s.set_dataset("ring8")
    assert ar.a == () and ar.b == ()
