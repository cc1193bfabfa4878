"""The walkback dock: chains from the current DAE or a trained pair, same random numbers, MMD^2 over t."""

import numpy as np
import pytest
import torch

from latentlab.core.models.dae import DenoisingAutoencoder
from latentlab.core.walkback import chain_mmd_curve
from latentlab.state.model_settings import ModelSettings
from tests.gui.conftest import wait_idle


@pytest.fixture
def dae_window(window):
    window.session.configure_model(ModelSettings(family="dae", hidden=(32, 32)))
    window.docks["walkback"].raise_()
    return window


def test_a_vae_has_no_chain_and_the_panel_says_what_to_do(window):
    window.docks["walkback"].raise_()
    panel = window.walkback
    assert panel.runs == [] and "Train a pair" in panel.status.text()
    for name in ("bottom", "left"):  # the empty curve's axes once read "(x0.001)" and ran from -400 to 400
        axis = panel.curve_plot.getAxis(name)
        assert not axis.autoSIPrefix and "x0.001" not in axis.labelString()


def test_the_current_dae_runs_its_chain_and_the_curve_is_mmd_to_held_out_data(dae_window):
    panel, d = dae_window.walkback, dae_window.session.dataset
    panel.particles.setValue(300)
    panel.advance(5)
    run = panel.runs[0]
    assert run.t == 5 and len(run.clean) == 6 and run.current.shape == (300, 2)
    ts, values = panel.mmd[0]
    assert ts == [0, 1, 2, 3, 4, 5]
    assert values == pytest.approx(chain_mmd_curve(run.clean, d.test_x)[1], rel=1e-5)
    assert "t = 5" in panel.t_label.text()
    x, y = panel.views[0].particles.getData()
    assert np.allclose(np.c_[x, y], run.current.numpy())
    # the trajectory of chain 0, encoded by the session's model, is drawn in the latent scatter
    assert dae_window.session.path.shape == (6, 2)


def test_play_advances_until_the_set_number_of_steps(dae_window, qtbot):
    panel = dae_window.walkback
    panel.particles.setValue(50)
    panel.steps.setValue(4)
    panel.speed.setValue(60)
    panel.play_button.click()
    qtbot.waitUntil(lambda: not panel.play_button.isChecked(), timeout=5000)
    assert panel.runs[0].t == 4


def test_a_click_in_the_particle_view_starts_every_chain_there(dae_window):
    panel = dae_window.walkback
    panel.views[0].on_click(torch.tensor([0.5, -1.0]))
    assert panel.start.currentData() == "click"
    assert torch.equal(panel.runs[0].clean[0], torch.tensor([[0.5, -1.0]]).expand(panel.particles.value(), 2))


def test_the_pair_trains_in_the_background_and_runs_with_the_same_random_numbers(dae_window, qtbot):
    panel = dae_window.walkback
    panel.pair_epochs.setValue(2)
    panel.walkback.setValue(2)
    assert panel.train_pair()
    assert not panel.train_button.isEnabled() and panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: panel.job is None, timeout=60_000)
    assert [n.split(" (")[0] for n in panel.names] == ["without walkback", "with walkback"]
    without, with_walkback = (run.model for run in panel.runs)
    assert isinstance(without, DenoisingAutoencoder) and without.config.walkback == 0
    assert with_walkback.config.walkback == 2 and "trained in" in panel.status.text()
    assert torch.equal(panel.runs[0].clean[0], panel.runs[1].clean[0])
    panel.advance(1)
    # the same random numbers: the first corruption is the same noise added to the same start
    assert torch.equal(panel.runs[0].corrupted[0], panel.runs[1].corrupted[0])
    assert len(panel.legend.items) == 2


def test_cancelling_the_pair_keeps_the_current_model(dae_window, qtbot):
    panel = dae_window.walkback
    panel.pair_epochs.setValue(500)
    panel.train_pair()
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: panel.job is None, timeout=30_000)
    assert panel.pair is None and len(panel.runs) == 1 and "cancelled" in panel.status.text()
    assert panel.train_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_a_hidden_panel_waits_until_it_is_shown(dae_window):
    dae_window.docks["decoder"].raise_()
    panel = dae_window.walkback
    panel.particles.setValue(10)
    assert panel.runs[0].current.shape[0] != 10  # not rebuilt while hidden
    dae_window.docks["walkback"].raise_()
    assert panel.runs[0].current.shape == (10, 2)


def test_closing_the_window_while_the_pair_trains_stops_it(dae_window, qtbot):
    panel = dae_window.walkback
    panel.pair_epochs.setValue(500)
    panel.train_pair()
    job = panel.job
    dae_window.close()
    assert not job.running()


def test_images_get_a_filmstrip_of_corrupted_and_denoised_states(window, qtbot):
    window.docks["walkback"].raise_()
    window.model_data.choose_dataset("digits")
    window.session.configure_model(ModelSettings(family="dae", corruption="salt_pepper", noise=0.3, hidden=(64,)))
    panel = window.walkback
    assert panel.stack.currentIndex() == 1 and panel.particles.value() == 16
    panel.advance(3)
    strip = panel.strips[0].array
    assert strip is not None and strip.shape[1] > strip.shape[0]  # two rows of four frames
    wait_idle(qtbot, window.session)


def test_the_chains_are_saved_as_a_gif_one_frame_per_step(dae_window, tmp_path):
    from PIL import Image

    panel = dae_window.walkback
    panel.particles.setValue(200)
    assert not panel.export_gif(str(tmp_path / "early.gif"))  # nothing has moved yet
    assert "Step or play the chains first" in dae_window.banner.text
    panel.advance(4)
    out = tmp_path / "chains.gif"
    panel.ask_gif_path = lambda: str(out)
    panel.gif_button.click()
    gif = Image.open(out)
    assert gif.n_frames == 5 and gif.size == (360, 360)  # t = 0..4; the current DAE alone
    assert not panel.export_gif(str(tmp_path / "missing" / "x.gif"))
    assert "cannot write" in dae_window.banner.text


def test_image_chains_animate_corrupted_above_denoised(window, tmp_path):
    from PIL import Image

    window.docks["walkback"].raise_()
    window.model_data.choose_dataset("digits")
    window.session.configure_model(ModelSettings(family="dae", corruption="masking", noise=0.3, hidden=(64,)))
    panel = window.walkback
    panel.advance(2)
    out = tmp_path / "digits.gif"
    assert panel.export_gif(str(out))
    gif = Image.open(out)
    assert gif.n_frames == 3 and gif.size == ((2 * 10 + 2) * 6, 12 * 6)  # x~ | x tiles of 8 px, padding 2, x6


def test_the_pair_trains_in_its_own_process_and_a_crash_there_is_a_message(dae_window, qtbot):
    panel = dae_window.walkback
    panel.pair_epochs.setValue(500)
    assert panel.train_pair()
    job = panel.job
    assert job.command()[1:4] == ["-m", "latentlab", "pair"]
    qtbot.waitUntil(lambda: job.running(), timeout=10_000)
    job.kill()
    qtbot.waitUntil(lambda: panel.job is None, timeout=30_000)
    assert "training the pair failed" in panel.status.text() and "status -9" in panel.status.text()
    assert panel.pair is None and panel.train_button.isEnabled()


def test_a_loaded_pair_runs_with_its_own_corruption_not_the_previous_one(window):
    from latentlab.core.models import build_model

    window.docks["walkback"].raise_()
    d = window.session.dataset
    pair = [build_model("dae", dict(data_shape=d.data_shape, likelihood="gaussian", noise=0.37, hidden=(8,),
                                    walkback=k)) for k in (0, 1)]
    panel = window.walkback
    panel.particles.setValue(50)
    panel.state.level = 0.9  # left from another model
    panel.use_pair(*pair)
    assert (panel.state.corruption, panel.state.level) == ("gaussian", pytest.approx(0.37))
    assert panel.runs and all(run.corruption.level == pytest.approx(0.37) for run in panel.runs)
