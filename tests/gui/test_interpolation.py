"""The interpolation dock: endpoints by clicks and by index, the slider, the filmstrip, comparison, export."""

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import QPoint, Qt

from latentlab.core.checkpoints import save_checkpoint
from latentlab.core.latent import path_points
from latentlab.gui.panels.interpolation import Anchor
from latentlab.gui.widgets.image_grid import grid_array
from latentlab.state.run import InlineRun
from tests.gui.conftest import wait_idle


@pytest.fixture
def digits_window(window, qtbot):
    window.model_data.choose_dataset("digits")
    window.session.runner = InlineRun  # a trained model is all these tests need: train it here, at once
    window.session.start(max_steps=30)
    wait_idle(qtbot, window.session)
    window.scatter.redraw()
    window.docks["interpolation"].raise_()
    return window


def test_endpoints_by_clicks_and_the_slider_decodes_the_path(digits_window, qtbot):
    w = digits_window
    panel, scatter, s = w.interpolation, w.scatter, w.session
    qtbot.mouseClick(panel.pick, Qt.LeftButton)
    vp = scatter.plot.viewport()
    box = scatter.plot.mapFromScene(scatter.view.sceneBoundingRect()).boundingRect()  # the data area
    for pixel in (box.topLeft() + QPoint(30, 30), box.bottomRight() - QPoint(30, 30)):
        qtbot.mouseClick(vp, Qt.LeftButton, pos=pixel)
    assert len(panel.anchors) == 2 and "clicked, clicked" in panel.anchor_label.text()
    anchors = panel.anchor_latents()
    # the filmstrip frames are the model's decodes of evenly spaced path points
    t = torch.linspace(0, 1, panel.n_frames.value())
    with torch.no_grad():
        want = s.snapshot.decode(path_points(anchors, t, "linear"))
    assert torch.allclose(panel.frames, want)
    assert np.array_equal(panel.strip.array, grid_array(want, nrow=len(t)))
    # the slider's frame
    panel.slider.setValue(250)
    with torch.no_grad():
        at = s.snapshot.decode(path_points(anchors, torch.tensor([0.25]), "linear"))
    assert np.array_equal(panel.current.array, grid_array(at))
    # the path is drawn in the scatter, through both endpoints
    xs, ys = scatter.path_item.getData()
    ends = scatter.projection.to_2d(anchors).numpy()
    assert np.allclose([xs[0], ys[0]], ends[0], atol=1e-4) and np.allclose([xs[-1], ys[-1]], ends[1], atol=1e-4)
    # one distance-to-data figure per frame
    assert len(panel.distance_curve.getData()[1]) == len(t)


@pytest.mark.parametrize("kind", ["slerp", "data"])
def test_other_path_kinds_and_three_point_paths(digits_window, kind):
    panel = digits_window.interpolation
    for i in (0, 5, 9):
        panel.add_anchor(Anchor(index=i))
    panel.kind.setCurrentIndex(panel.kind.findData(kind))
    panel.refresh()
    z = panel.anchor_latents()
    assert torch.allclose(panel.frame_latents[0], z[0], atol=1e-5)
    assert torch.allclose(panel.frame_latents[-1], z[-1], atol=1e-5)


def test_traversal_rows_and_reset(digits_window):
    panel = digits_window.interpolation
    panel.add_anchor(Anchor(index=1))
    panel.add_anchor(Anchor(index=2))
    rows = len(panel.traversal_sliders)
    assert rows == digits_window.session.snapshot.latent_dim
    assert panel.traversal.array.shape[0] > rows * 8  # a row of decodes per dimension
    before = panel.traversal.array.copy()
    panel.traversal_sliders[0].setValue(200)
    assert not np.array_equal(before, panel.traversal.array)
    panel.reset_traversal()
    assert np.array_equal(before, panel.traversal.array)


def test_compare_with_a_second_model(digits_window, tmp_path):
    w = digits_window
    panel = w.interpolation
    from latentlab.core.recipes import model_for_dataset

    other = model_for_dataset("autoencoder", w.session.dataset, hidden=(32,))
    path = tmp_path / "ae.safetensors"
    save_checkpoint(path, other)
    panel.add_anchor(Anchor(index=3))
    panel.add_anchor(Anchor(index=8))
    panel.choose_checkpoint = lambda: str(path)
    panel.choose_comparison()
    with torch.no_grad():
        z = other.encode(w.session.dataset.train_x[[3, 8]])
        want = other.decode(path_points(z, panel.t_values(), "linear"))
    assert np.array_equal(panel.strip_b.array, grid_array(want, nrow=len(want)))
    assert "autoencoder" in panel.strip_b_label.text()
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"nope")
    kept = panel.compare_model
    panel.choose_checkpoint = lambda: str(bad)
    panel.choose_comparison()
    assert w.banner.level == "error" and "bad.safetensors" in w.banner.text
    assert panel.compare_model is kept  # a bad file changes nothing


def test_export_filmstrip_png_and_gif(digits_window, tmp_path):
    panel = digits_window.interpolation
    panel.add_anchor(Anchor(index=0))
    panel.add_anchor(Anchor(index=4))
    panel.export(tmp_path / "strip.png")
    panel.export(tmp_path / "anim.gif")
    assert Image.open(tmp_path / "strip.png").size[0] > Image.open(tmp_path / "strip.png").size[1]
    gif = Image.open(tmp_path / "anim.gif")
    total = 0
    for i in range(gif.n_frames):  # Pillow merges identical neighbours, adding up their durations
        gif.seek(i)
        total += gif.info["duration"]
    # one sweep as long as Play takes for it (the sweep setting), then as long back
    assert gif.is_animated and total == pytest.approx(2 * 1000 * panel.sweep.value(), rel=0.02)


def test_bad_index_is_a_message(digits_window):
    digits_window.interpolation.add_anchor(Anchor(index=10_000_000))
    assert digits_window.banner.level == "warning" and not digits_window.interpolation.anchors


def test_play_moves_the_slider_back_and_forth(digits_window, qtbot):
    panel = digits_window.interpolation
    panel.add_anchor(Anchor(index=0))
    panel.add_anchor(Anchor(index=4))
    panel.sweep.setValue(0.2)
    panel.play.setChecked(True)
    seen = set()
    for _ in range(30):
        qtbot.wait(30)
        seen.add(panel.slider.value())
    panel.play.setChecked(False)
    assert len(seen) > 5


def test_new_data_leaves_no_old_decodes_in_the_panel_even_after_a_theme_change(window):
    """The path went with the old data; its filmstrip, frame and traversal once stayed on screen."""
    window.model_data.choose_dataset("digits")  # an untrained model decodes well enough to fill the panel
    window.docks["interpolation"].raise_()
    panel = window.interpolation
    panel.add_anchor(Anchor(index=1))
    panel.add_anchor(Anchor(index=2))
    views = (panel.current, panel.strip, panel.traversal)
    assert all(v.array is not None for v in views)
    window.model_data.choose_dataset("ring8")
    window.set_theme("dark")  # a theme change redraws what a view last showed
    assert panel.anchors == [] and all(v.array is None and v.image.image is None for v in views)


def test_a_compared_model_that_does_not_take_the_new_data_is_let_go(window, tmp_path):
    """It was kept: two examples of the new data then went through its encoder of another shape and raised."""
    from latentlab.core.recipes import model_for_dataset

    window.model_data.choose_dataset("digits")
    panel = window.interpolation
    path = tmp_path / "ae.safetensors"
    save_checkpoint(path, model_for_dataset("autoencoder", window.session.dataset, hidden=(16,)))
    panel.choose_checkpoint = lambda: str(path)
    panel.choose_comparison()
    assert panel.compare_model is not None
    np.save(tmp_path / "small.npy", np.zeros((30, 12, 12), np.uint8))
    assert window.open_data(str(tmp_path / "small.npy"))
    panel.add_anchor(Anchor(index=1))
    panel.add_anchor(Anchor(index=2))
    assert panel.compare_model is None and panel.strip_b.array is None and panel.frames is not None
    assert "ae.safetensors" in window.banner.text and window.state.interpolation.compare == ""


def test_export_on_2d_points_writes_the_path_over_the_data_as_png_and_gif(window, tmp_path):
    """Through the writers of `latentlab interpolate`: the window's own once failed on points
    ("not enough values to unpack")."""
    panel = window.interpolation  # ring8: 2-D points
    panel.add_anchor(Anchor(index=0))
    panel.add_anchor(Anchor(index=5))
    assert panel.export(tmp_path / "path.png") and panel.export(tmp_path / "path.gif")
    assert Image.open(tmp_path / "path.png").size == (512, 512)
    gif = Image.open(tmp_path / "path.gif")
    assert gif.is_animated and gif.size == (512, 512)
    assert window.banner.level == "info"
