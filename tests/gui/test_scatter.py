"""The latent scatter driven with real mouse events: click-to-decode, drag, selection, hover, overlays."""

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPoint, QPointF, Qt

from tests.gui.conftest import FIRST_STEPS_MS, wait_idle


def view_point_at(panel, pixel: QPoint) -> QPointF:
    return panel.view.mapSceneToView(panel.plot.mapToScene(pixel))


def trained_window(window, qtbot, family="vae", data="ring8", latent=2, steps=60):
    md = window.model_data
    md.family.setCurrentIndex(md.family.findData(family))
    md.latent_dim.setValue(latent)
    window.model_data.choose_dataset(data) if window.session.dataset.name != data else md.apply_model()
    window.session.start(max_steps=steps)
    wait_idle(qtbot, window.session)
    window.scatter.redraw()
    return window


def test_a_click_decodes_the_latent_point_under_the_mouse(window, qtbot):
    trained_window(window, qtbot)
    panel, s = window.scatter, window.session
    got = []
    s.focus_changed.connect(lambda z, x: got.append((z, x)))
    pixel = QPoint(panel.plot.width() // 3, panel.plot.height() // 2)
    qtbot.mouseClick(panel.plot.viewport(), Qt.LeftButton, pos=pixel)
    assert got, "the click decoded nothing"
    z, x = got[-1]
    p = view_point_at(panel, pixel)
    assert torch.allclose(z, torch.tensor([p.x(), p.y()], dtype=torch.float32), atol=1e-4)
    with torch.no_grad():
        assert torch.allclose(x, s.snapshot.decode(z[None]))
    # the crosshair marks it and the decoder view shows it
    (cx,), (cy,) = panel.crosshair.getData()
    assert cx == pytest.approx(p.x(), abs=1e-4) and cy == pytest.approx(p.y(), abs=1e-4)
    assert "Decoded z" in window.decoder.caption.text()


class FakeDrag:
    """What pyqtgraph's MouseDragEvent offers a ViewBox (QTest cannot hold a button while moving)."""

    def __init__(self, scene_start, scene_pos, finish=False):
        self._start, self._pos, self._finish = scene_start, scene_pos, finish

    def button(self):
        return Qt.LeftButton

    def scenePos(self):  # noqa: N802
        return self._pos

    def buttonDownScenePos(self):  # noqa: N802
        return self._start

    def isFinish(self):  # noqa: N802
        return self._finish

    def accept(self):
        pass


def test_dragging_keeps_decoding_and_ends_where_the_mouse_is(window, qtbot):
    trained_window(window, qtbot)
    panel = window.scatter
    seen = []
    window.session.focus_changed.connect(lambda z, x: seen.append(z))
    start = panel.plot.mapToScene(QPoint(100, 100))
    path = [panel.plot.mapToScene(QPoint(100 + 10 * i, 100 + 6 * i)) for i in range(10)]
    for i, pos in enumerate(path):
        panel.view.mouseDragEvent(FakeDrag(start, pos, finish=i == len(path) - 1))
    assert len(seen) == len(path)
    end = panel.view.mapSceneToView(path[-1])
    assert torch.allclose(seen[-1], torch.tensor([end.x(), end.y()], dtype=torch.float32), atol=1e-4)


def test_lasso_drag_selects_what_it_encloses(window, qtbot):
    trained_window(window, qtbot)
    panel = window.scatter
    panel.tool_buttons.buttons()[2].setChecked(True)  # Lasso
    assert panel.tool == "lasso"
    lo, hi = panel._positions.min(0), panel._positions.max(0)
    corners = [(lo[0], lo[1]), (hi[0], lo[1]), (hi[0], hi[1]), (lo[0], hi[1])]
    scene = [panel.view.mapViewToScene(QPointF(float(x), float(y))) for x, y in corners]
    for i, pos in enumerate(scene):
        panel.view.mouseDragEvent(FakeDrag(scene[0], pos, finish=i == len(scene) - 1))
    assert len(window.session.selection) > 0.9 * len(panel._positions)


def test_images_decode_to_the_model_output_in_pca_view(window, qtbot):
    trained_window(window, qtbot, data="digits", latent=4, steps=20)
    panel, s = window.scatter, window.session
    panel.projection_kind.setCurrentIndex(panel.projection_kind.findData("pca"))
    panel.redraw()
    assert panel.projection.labels[0].startswith("PC1")
    pixel = QPoint(panel.plot.width() // 2, panel.plot.height() // 2)
    qtbot.mouseClick(panel.plot.viewport(), Qt.LeftButton, pos=pixel)
    p = view_point_at(panel, pixel)
    z = panel.projection.from_2d(torch.tensor([[p.x(), p.y()]], dtype=torch.float32))
    with torch.no_grad():
        want = s.snapshot.decode(z)
    shown = window.decoder.decoded.array
    assert shown is not None
    from latentlab.gui.widgets.image_grid import grid_array
    assert np.array_equal(shown, grid_array(want))


def test_box_and_lasso_select_points_into_the_session(window, qtbot):
    trained_window(window, qtbot)
    panel, s = window.scatter, window.session
    pos = panel._positions
    lo, hi = np.percentile(pos, 25, axis=0), np.percentile(pos, 75, axis=0)
    panel.drag_selection("box", QPointF(*lo), QPointF(*hi), finished=True)
    inside = ((pos >= lo) & (pos <= hi)).all(1)
    assert set(s.selection.tolist()) == set(panel._indices[inside].tolist()) and len(s.selection) > 0
    assert "Selection:" in window.decoder.gallery_label.text()
    full_lo, full_hi = pos.min(0), pos.max(0)
    w, h = full_hi - full_lo  # the lower-left half of the bounding box
    triangle = np.array([full_lo, [full_lo[0] + w, full_lo[1]], [full_lo[0], full_lo[1] + h]])
    panel.select_polygon(triangle)
    rel = (pos - full_lo) / [w, h]
    want = (rel >= 0).all(1) & (rel.sum(1) <= 1)
    assert set(s.selection.tolist()) == set(panel._indices[want].tolist()) and 0 < want.sum() < len(pos)
    qtbot.mouseClick(panel.clear_selection, Qt.LeftButton)
    assert len(s.selection) == 0


def test_hover_shows_the_example_and_its_reconstruction(window, qtbot):
    trained_window(window, qtbot, data="digits", steps=10)
    panel = window.scatter
    panel.view.autoRange()
    i = 7
    x, y = panel._positions[i]
    scene = panel.view.mapViewToScene(QPointF(x, y))
    panel._hover(scene)
    assert window.session.hovered == int(panel._indices[i])
    assert f"Example {panel._indices[i]}" in window.decoder.hover_label.text()


@pytest.mark.parametrize("family", ["autoencoder", "vae", "mmdvae"])
@pytest.mark.parametrize("data", ["ring8", "digits"])
def test_every_overlay_draws_on_every_family(window, qtbot, family, data):
    trained_window(window, qtbot, family=family, data=data, latent=3, steps=5)
    panel = window.scatter
    window.session.set_selection(np.arange(10))
    for box in panel.overlay.values():
        if box.isEnabled():
            box.setChecked(True)
    z = torch.tensor([0.5, -1.0, 2.0])
    window.session.set_focus(z)
    for kind, x_axis in (("axes", 0), ("axes", 2), ("pca", 0)):
        panel.projection_kind.setCurrentIndex(panel.projection_kind.findData(kind))
        panel.axis_x.setValue(x_axis)
        panel.redraw()
        panel.settle()
        # the decoded point's mark follows the projection shown (it stayed where z0, z1 put it)
        xs, ys = panel.crosshair.getData()
        assert np.allclose([xs[0], ys[0]], panel.projection.to_2d(z.reshape(1, -1))[0].numpy(), atol=1e-5)
    assert panel.overlay["ellipses"].isEnabled() == (family != "autoencoder")
    if family != "autoencoder":
        assert len(panel.ellipse_item.getData()[0]) > 0
    assert len(panel.prior_curves[0].getData()[0]) > 0
    assert panel.density_image.image is not None
    if data == "digits":
        assert panel.manifold_image.image is not None
    else:
        assert not panel.overlay["manifold"].isEnabled()


def test_live_updates_during_training(window, qtbot):
    s = window.session
    window.model_data.epochs.setValue(10_000)
    s.start()
    qtbot.waitUntil(lambda: s.trainer.step > 50, timeout=FIRST_STEPS_MS)
    before = window.scatter._positions.copy()
    qtbot.wait(1500)
    s.stop()
    wait_idle(qtbot, s)
    window.scatter.redraw()
    assert not np.array_equal(before, window.scatter._positions)


def test_the_gaussian_fit_and_kde_width_overlays_compare_held_out_codes(window, qtbot):
    scatter = window.scatter
    scatter.overlay["gaussian"].setChecked(True)
    scatter.redraw()
    assert scatter.busy.busy  # the held-out comparison is computed off the GUI thread, with a sign
    scatter.settle()
    assert not scatter.busy.busy
    x, y = scatter.gaussian_curves[0].getData()
    assert len(x) > 10 and scatter.fit_comparison is not None and "Gaussian fit" in scatter.message.text()
    scatter.overlay["density"].setChecked(True)
    scatter.kde_scale.setValue(0.5)
    scatter.redraw()
    scatter.settle()
    narrow = scatter.fit_comparison.kde
    assert scatter.density_image.image is not None and "width × 0.5" in scatter.message.text()
    scatter.kde_scale.setValue(2.0)
    scatter.redraw()
    scatter.settle()
    assert scatter.fit_comparison.kde != narrow
    for box in scatter.overlay.values():
        box.setChecked(False)
    scatter.redraw()
    assert scatter.fit_comparison is None and len(scatter.gaussian_curves[0].getData()[0]) == 0


def test_a_model_with_no_encoder_leaves_nothing_of_the_last_codes_on_the_plot(window, qtbot):
    """Opening the MMD net over a VAE once left the VAE's density, its colour bar, the fits and the legend."""
    scatter = window.scatter
    for name in ("density", "gaussian", "prior"):
        scatter.overlay[name].setChecked(True)
    scatter.redraw()
    scatter.settle()
    assert scatter.density_image.image is not None and scatter.key._shown is not None
    assert window.open_pretrained("mmdnet-ring8")
    scatter.redraw()
    assert "no encoder" in scatter.message.text()
    assert scatter.density_image.image is None and scatter.key._shown is None and scatter.fit_comparison is None
    layout = scatter.plot.getPlotItem().layout
    assert all(layout.itemAt(i) is not scatter.density_bar for i in range(layout.count()))
    for curve in (*scatter.gaussian_curves, *scatter.prior_curves, scatter.path_item):
        assert curve.getData()[0] is None or len(curve.getData()[0]) == 0


def test_the_samples_panel_keeps_nothing_of_a_model_that_could_encode_once_one_that_cannot_opens(window):
    samples = window.samples
    samples.redraw()  # ring8 under a VAE: reconstructions and samples
    assert len(samples.recon_item.getData()[0]) > 0
    assert window.open_pretrained("mmdnet-ring8")  # a generator: samples, no encoder
    samples.redraw()
    assert samples.recon_item.getData()[0] is None or len(samples.recon_item.getData()[0]) == 0
    assert len(samples.sample_item.getData()[0]) > 0
    window.scatter.redraw()
    assert window.scatter.plot.getPlotItem().getAxis("bottom").labelText == ""
