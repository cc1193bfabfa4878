"""The scatter's t-SNE view in the window: computed in the background, a click decodes through the nearest
projected codes, and vectors with no model explored as an embedding (UMAP's own plumbing: tests/core)."""

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPointF, Qt

from latentlab.core.projections import NonlinearProjection
from latentlab.state.model_settings import ModelSettings


@pytest.fixture
def vectors(tmp_path):
    rng = np.random.default_rng(0)
    x = (rng.normal(0, 5, (3, 8))[np.arange(150) % 3] + rng.normal(0, 0.5, (150, 8))).astype(np.float32)
    np.save(tmp_path / "v.npy", x)
    return str(tmp_path / "v.npy")


def show_tsne(window):
    panel = window.scatter
    panel.projection_kind.setCurrentIndex(panel.projection_kind.findData("tsne"))
    panel.redraw()
    assert panel.projection_jobs.running() or isinstance(panel.projection, NonlinearProjection)
    panel.settle()
    assert isinstance(panel.projection, NonlinearProjection) and panel.projection.labels[0] == "t-SNE 1"
    return panel


def click_example(panel, qtbot, i: int) -> QPointF:
    panel.view.autoRange()  # the points of the new data in view before the click
    p = panel._positions[i]
    pixel = panel.plot.mapFromScene(panel.view.mapViewToScene(QPointF(float(p[0]), float(p[1]))))
    qtbot.mouseClick(panel.plot.viewport(), Qt.LeftButton, pos=pixel)
    return panel.view.mapSceneToView(panel.plot.mapToScene(pixel))


def test_tsne_view_click_decodes_the_nearest_codes_blend_and_with_no_model_shows_neighbours(window, qtbot, vectors):
    s = window.session
    s.model_settings = ModelSettings("vae", hidden=(8,), latent_dim=4)
    assert s.set_dataset(vectors)
    panel = show_tsne(window)
    assert "nearest projected" in panel.projection_note.text()
    clicked = click_example(panel, qtbot, 7)
    want = panel.projection.from_2d(torch.tensor([[clicked.x(), clicked.y()]]))[0]
    assert s.focus is not None and torch.allclose(s.focus, want, atol=1e-5)
    panel.projection_kind.setCurrentIndex(panel.projection_kind.findData("pca"))
    panel.redraw()
    fit = panel.projection_jobs.cache.get(next(iter(panel.projection_jobs.cache._fits)))
    panel.projection_kind.setCurrentIndex(panel.projection_kind.findData("tsne"))
    panel.redraw()  # back to t-SNE: the kept fit, no job
    assert panel.projection is fit and not panel.projection_jobs.running()

    # The same vectors with no model (File > Open data with no model): explored as an embedding.
    assert window.open_data(vectors, model=False)
    assert s.snapshot is None and s.trainer is None
    assert "No model" in window.decoder.caption.text() and not window.training.start.isEnabled()
    panel = show_tsne(window)
    assert "no model" in panel.projection_note.text()
    click_example(panel, qtbot, 11)
    assert window.state.neighbours.example == int(panel._indices[11])
    found = window.state.neighbours.search(s)
    assert found is not None and len(found.indices) == window.state.neighbours.k


def test_with_no_model_the_axes_name_the_data_coordinates_and_a_model_names_codes_again(window, vectors):
    assert window.open_data(vectors, model=False)
    scatter = window.scatter
    scatter.state.projection = "axes"
    scatter.redraw()
    axis = scatter.plot.getPlotItem().getAxis("bottom")
    assert axis.labelText == "x[0]"  # the vectors as they are: no latent space yet
    assert window.model_data.apply_model()  # Model & data > New model
    scatter.redraw()
    assert axis.labelText == "z[0]"
