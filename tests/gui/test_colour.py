"""Colour images end to end in the window: a tiny RGB set trained two steps, the decoder view, the filmstrip export."""

import numpy as np
import torch
from PIL import Image

from latentlab.gui.panels.interpolation import Anchor
from latentlab.state.run import InlineRun
from tests.gui.conftest import wait_idle


def test_colour_images_train_decode_and_export_in_colour(window, qtbot, tmp_path):
    rng = np.random.default_rng(0)
    images = np.zeros((12, 3, 32, 32), np.float32)
    images[:, 0] = rng.random((12, 1, 1))  # a different red and blue per image
    images[:, 2] = rng.random((12, 1, 1))
    np.save(tmp_path / "rgb.npy", images)
    assert window.open_data(str(tmp_path / "rgb.npy"))
    s = window.session
    assert s.dataset.data_shape == (3, 32, 32)
    md = window.model_data
    for name, value in (("arch", "conv"), ("likelihood", "cbernoulli")):  # the Model & data form
        md.fields[name].setCurrentIndex(md.fields[name].findData(value))
    md.apply.click()
    assert s.model.config.arch == "conv" and s.model.config.likelihood == "cbernoulli"
    s.runner = InlineRun  # the two steps in this thread: a training process takes long to start on a busy machine
    s.start(max_steps=2)
    wait_idle(qtbot, s)
    assert s.trainer.step == 2
    s.set_focus(torch.zeros(s.model.latent_dim))
    decoded = window.decoder.decoded.array
    assert decoded is not None and decoded.ndim == 3 and decoded.shape[2] == 3  # an RGB picture
    panel = window.interpolation
    panel.add_anchor(Anchor(index=0))
    panel.add_anchor(Anchor(index=5))
    assert panel.export(tmp_path / "strip.png")
    assert Image.open(tmp_path / "strip.png").mode == "RGB"
