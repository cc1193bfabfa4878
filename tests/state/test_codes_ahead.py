"""Codes encoded ahead in a thread (Session.encode_ahead) are the codes encoded in place, and never those of
weights or data that have changed since."""

import numpy as np
import torch

from latentlab.core.latent import encode_in_batches


def _in_place(session):
    d = session.dataset
    return encode_in_batches(session.snapshot, d.train_x), encode_in_batches(session.snapshot, d.test_x)


def test_codes_encoded_ahead_are_the_codes_encoded_in_place(app):
    s = app.session
    s.encode_ahead()
    assert s._ahead is not None
    codes = s.codes()
    train, test = _in_place(s)
    assert np.array_equal(codes.train, train) and np.array_equal(codes.test, test)
    assert s._ahead is None
    s.encode_ahead()  # the codes are complete: nothing to do
    assert s._ahead is None


def test_codes_encoded_ahead_are_dropped_when_the_weights_move(app):
    s = app.session
    s.encode_ahead()
    with torch.no_grad():
        for p in s.snapshot.parameters():
            p.add_(1.0)  # as a followed run's checkpoint or a stopped run's weights are loaded in place
    s.forget_codes()  # which every such load does
    assert s._ahead is None
    assert np.array_equal(s.codes().train, _in_place(s)[0])


def test_codes_encoded_ahead_for_other_data_are_not_taken(app):
    s = app.session
    s.encode_ahead()
    assert s.set_dataset("moons")  # new data and a new model
    assert np.array_equal(s.codes().train, _in_place(s)[0])
