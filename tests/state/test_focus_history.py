"""Back/Forward through the decoded points, headless: steps, merged drags, and cleared with the data or model."""

import torch


def _ticking(session):
    t = [0.0]

    def clock():
        t[0] += 1.0  # a second between points: each is a step of its own
        return t[0]

    session.clock = clock
    return t


def test_back_and_forward_walk_the_decoded_points_and_a_new_point_drops_the_ones_ahead(app):
    s = app.session
    _ticking(s)
    assert not s.focus_back() and not s.can_go_back()
    for x in (0.0, 1.0, 2.0):
        s.set_focus(torch.tensor([x, 0.0]))
    assert s.focus_back() and s.focus.tolist() == [1.0, 0.0]
    assert s.focus_back() and s.focus.tolist() == [0.0, 0.0]
    assert not s.focus_back() and s.can_go_forward()
    assert s.focus_forward() and s.focus.tolist() == [1.0, 0.0]
    s.set_focus(torch.tensor([5.0, 5.0]))  # branches off: [2, 0] is gone
    assert not s.can_go_forward()
    assert [p.tolist() for p in s.focus_history] == [[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]]


def test_points_set_in_quick_succession_are_one_step(app):
    s = app.session
    t = [0.0]
    s.clock = lambda: t[0]
    s.set_focus(torch.tensor([0.0, 0.0]))
    t[0] = 5.0
    for x in (1.0, 1.5, 2.0):  # a drag: one step, ending where it ended
        s.set_focus(torch.tensor([x, 0.0]))
        t[0] += 0.05
    assert [p.tolist() for p in s.focus_history] == [[0.0, 0.0], [2.0, 0.0]]


def test_new_data_or_a_new_model_clears_the_history(app):
    s = app.session
    _ticking(s)
    s.set_focus(torch.zeros(2))
    s.set_focus(torch.ones(2))
    assert s.reset()
    assert s.focus_history == [] and not s.can_go_back() and not s.focus_back()
    s.set_focus(torch.zeros(2))
    assert s.set_dataset("moons")
    assert s.focus_history == [] and s.history_index == -1


def test_a_decode_that_fails_leaves_no_focus_of_the_last_point(app, monkeypatch):
    import pytest

    from latentlab.core.models.plugin import PluginError

    s = app.session
    s.set_focus(torch.zeros(2))
    heard = []
    s.focus_changed.connect(lambda z, x: heard.append((z, x)))
    monkeypatch.setattr(s.snapshot, "decode", lambda z: (_ for _ in ()).throw(PluginError("M.decode failed")))
    with pytest.raises(PluginError):
        s.set_focus(torch.ones(2))
    assert s.focus is None and heard == [(None, None)]
