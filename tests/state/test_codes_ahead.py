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
    moved = {k: v + 1.0 for k, v in s.snapshot.state_dict().items()}
    s._on_snapshot(moved, None)  # a run's snapshot, weights without codes, loaded in place
    assert s._ahead is None
    assert torch.equal(next(iter(s.snapshot.state_dict().values())), next(iter(moved.values())))
    assert np.array_equal(s.codes().train, _in_place(s)[0])


def test_codes_encoded_ahead_for_other_data_are_not_taken(app):
    s = app.session
    s.encode_ahead()
    assert s.set_dataset("moons")  # new data and a new model
    assert np.array_equal(s.codes().train, _in_place(s)[0])


def test_stopping_at_quit_cancels_the_codes_being_encoded():
    from latentlab.state.session import Session

    session = Session()
    assert session.set_dataset("ring8")
    session.encode_ahead()
    session.stop_encoding_ahead()
    assert session._ahead is None
    assert session.codes() is not None  # asked again afterwards, they are encoded in place
