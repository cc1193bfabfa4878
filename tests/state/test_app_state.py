"""The window's state with no window: settings by name, and nothing stale after the data or model changes."""

import numpy as np
import pytest
import torch

from latentlab.core.leaderboard import Score
from latentlab.core.settings import SettingError
from latentlab.core.walkback import RECIPE_WALKBACK
from latentlab.state.app import AppState
from latentlab.state.interpolation import Anchor
from latentlab.state.model_settings import ModelSettings
from latentlab.state.schema import schema


def test_the_schema_declares_every_setting_once_with_type_default_and_range():
    settings = schema()
    assert len(settings) >= 60
    for s in settings.values():
        assert s.label and s.help and s.kind
        assert s.check(s.default) == s.default or s.optional
    live = {n for n, s in settings.items() if s.live}
    assert {"model.beta", "model.recon_weight", "model.mmd_weight", "train.lr", "model.noise"} <= live
    assert "model.latent_dim" not in live


def test_settings_by_name_are_checked(app):
    app.set_text("scatter.overlays", "prior, density")
    assert app.scatter.overlays == {"prior", "density"}
    with pytest.raises(SettingError, match="kde_width"):
        app.set_text("scatter.kde_width", "100")
    with pytest.raises(SettingError, match="did you mean scatter.kde_width"):
        app.set_text("scatter.kde", "1")
    with pytest.raises(SettingError, match="unknown overlays 'wobble'"):
        app.set_text("scatter.overlays", "wobble")
    app.set("model.beta", 0.5)
    assert app.get("model.beta") == 0.5 and app.session.model_settings.beta == 0.5


def test_new_data_clears_selection_hover_focus_path_anchors_scores_and_banner(app):
    s = app.session
    s.set_selection([1, 2, 3])
    s.set_hover(3)
    s.set_focus(torch.zeros(2))
    s.set_path(torch.zeros(5, 2))
    app.interpolation.add(Anchor(index=1))
    app.leaderboard.rows = (Score("current model (vae)", 0.1, 0.5, -1.0, 0.1, 10),)
    s.error("something went wrong")
    assert app.banner.level == "error"
    hovers = []
    s.hover_changed.connect(hovers.append)
    assert s.set_dataset("moons")
    assert len(s.selection) == 0 and s.hovered is None and s.focus is None and s.path is None
    assert hovers == [None]
    assert app.interpolation.anchors == () and app.leaderboard.rows == ()
    assert app.banner.level != "error"


def test_a_new_model_drops_clicked_points_and_scores_but_keeps_example_anchors(app):
    s = app.session
    app.interpolation.add(Anchor(index=4))
    app.interpolation.add(Anchor(z=torch.zeros(2)))
    app.leaderboard.rows = (Score("current model (vae)", 0.1, 0.5, -1.0, 0.1, 10),)
    assert s.reset()
    assert [a.index for a in app.interpolation.anchors] == [4]
    assert app.leaderboard.rows == ()


def test_opening_a_dae_sets_the_chain_corruption_to_its_own(app, tmp_path):
    s = app.session
    app.walkback.corruption, app.walkback.level = "gaussian", 0.2
    assert s.set_dataset("digits", rebuild=False)
    assert s.configure_model(ModelSettings("dae", corruption="salt_pepper", noise=0.3, hidden=(16,)))
    assert (app.walkback.corruption, app.walkback.level) == ("salt_pepper", pytest.approx(0.3))
    assert s.configure_model(ModelSettings("vae", hidden=(16,)))  # not a DAE: back to the defaults
    assert (app.walkback.corruption, app.walkback.level) == ("gaussian", pytest.approx(0.2))


def test_a_pair_sets_the_chain_corruption_to_its_own():
    from latentlab.core.models import build_model
    from latentlab.state.walkback import WalkbackState

    state = WalkbackState()
    dae = build_model("dae", dict(data_shape=(4,), likelihood="bernoulli", corruption="masking", noise=0.4,
                                  hidden=(8,)))
    state.follow(dae)
    assert (state.corruption, state.level) == ("masking", pytest.approx(0.4))
    state.follow(None)
    assert (state.corruption, state.level) == ("gaussian", pytest.approx(0.2))


def test_a_live_setting_reaches_the_model(app):
    s = app.session
    s.configure_model(ModelSettings("vae", hidden=(16,)))
    s.start(max_steps=2)
    assert s.trainer.step == 2
    s._set_state("running")  # as if a run were going: live settings go to the trainer
    app.set("model.beta", 0.25)
    s.trainer.run(max_steps=1)  # the next step applies it
    s._set_state("idle")
    assert s.model.config.beta == 0.25


def test_history_goes_into_checkpoints_and_comes_back(app, tmp_path):
    s = app.session
    s.start(max_steps=5)
    path = tmp_path / "m.safetensors"
    assert s.save(path)
    steps = list(s.history.train_steps)
    assert s.reset() and s.history.train_steps == []
    assert s.open_checkpoint(path)
    assert s.history.train_steps == steps and np.isfinite(s.history.arrays("train")[1]["total"]).all()


def test_window_panel_names_the_same_panel_again(app):
    seen = []
    app.window.events.panel.connect(seen.append)
    app.set("window.panel", "mmd")
    app.set("window.panel", "mmd")
    assert seen.count("mmd") == 2


def test_remembered_settings_come_back_and_a_stale_one_is_skipped(app):
    from latentlab.state.persistence import remembered, restore

    app.set("scatter.kde_width", 0.3)
    app.set("mmd.kernel", "imq")
    app.set("model.beta", 0.25)
    app.set("scatter.focus", (0.1, 0.2))
    saved = remembered(app)
    assert saved["scatter.kde_width"] == "0.3" and "scatter.focus" not in saved and "mmd.a" not in saved
    fresh = AppState()
    problems = restore(fresh, {**saved, "mmd.kernel": "no-such-kernel", "scatter.overlays": "prior,wobble"})
    assert fresh.scatter.kde_width == 0.3 and fresh.session.model_settings.beta == 0.25
    assert fresh.mmd.kernel == "gaussian" and len(problems) == 2  # the stale ones left at their default


def test_every_panel_state_is_declared_in_the_schema():
    from dataclasses import fields

    from latentlab.state.app import PANEL_SECTIONS

    app = AppState()
    for section in PANEL_SECTIONS:
        state = getattr(app, section)
        declared = {f"{section}.{f.name}" for f in fields(state) if "latentlab.setting" in f.metadata}
        assert declared <= set(schema()) and declared, section


def test_a_run_that_cannot_start_is_a_message_and_leaves_the_session_idle(app):
    class Broken:
        def __init__(self, request, callbacks):
            pass

        def start(self):
            raise OSError("no room for the start checkpoint")

    s = app.session
    s.runner = Broken
    assert not s.start()
    assert s.state == "idle" and "no room" in app.banner.text


def test_the_walkback_chain_defaults_follow_the_kind_of_data_with_no_panel(app):
    """Held by the state, so a walkback panel built later (when first shown) finds them and keeps what was set."""
    chain = app.walkback
    assert (chain.particles, chain.mean, chain.pair_walkback) == (1000, False, RECIPE_WALKBACK["points"])
    app.walkback.particles = 50
    assert app.session.set_dataset("moons", rebuild=False)  # points again: the choice stays
    assert app.walkback.particles == 50
    assert app.session.set_dataset("mnist5k", rebuild=False)
    # images: few chains, the mean, and the pair's one walkback step (the measured recipes)
    assert (app.walkback.particles, app.walkback.mean, app.walkback.pair_walkback) == (16, True, RECIPE_WALKBACK["image"])


def test_the_resets_come_before_anyone_else_hears_of_smaller_data(app, tmp_path):
    """A listener of the cross-filter (the selection gallery) once read the old data's selection from the
    new data and raised, which cut the signal short: no reset ran and the window kept the old data's view."""
    s = app.session
    n = len(s.dataset.train_x)
    s.set_selection([n - 3, n - 2, n - 1])
    s.set_hover(n - 1)
    app.interpolation.add(Anchor(index=n - 1))
    seen = []

    def gallery() -> None:  # what the decoder panel's gallery does: index the data with the selection
        seen.append(len(s.selection))
        s.dataset.train_x[torch.from_numpy(s.selection)]

    app.cross_filter.changed.connect(gallery)
    np.save(tmp_path / "small.npy", np.random.default_rng(0).normal(size=(60, 2)).astype(np.float32))
    assert s.set_dataset(str(tmp_path / "small.npy"))
    assert len(s.dataset.train_x) < n and seen and set(seen) == {0}
    assert s.hovered is None and app.interpolation.anchors == ()


def test_a_stop_training_first_banner_goes_when_training_stops_and_other_banners_stay(app):
    app.session.state_changed.emit("running")
    app.session.message.emit("error", "stop training before changing the dataset")
    app.session.state_changed.emit("paused")
    assert app.banner.text == "stop training before changing the dataset"
    app.session.state_changed.emit("idle")
    assert app.banner.text == ""
    app.session.message.emit("warning", "the run ended: the loss became non-finite")
    app.session.state_changed.emit("idle")
    assert app.banner.text == "the run ended: the loss became non-finite"
