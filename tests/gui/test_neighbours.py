"""The neighbours dock: a click on a data point in the scatter shows its k nearest neighbours, in latent or
data space, nearest first; a click on a neighbour moves the focus to it."""

import torch
from PySide6.QtCore import QPointF, Qt

from latentlab.core.neighbours import nearest


def test_a_clicked_point_shows_its_neighbours_and_a_neighbour_click_moves_the_focus(window, qtbot):
    s, panel, scatter, state = window.session, window.neighbours, window.scatter, window.state.neighbours
    window.show_panel("neighbours")
    scatter.redraw()
    scatter.view.autoRange()
    x, y = scatter._positions[10]
    pixel = scatter.plot.mapFromScene(scatter.view.mapViewToScene(QPointF(float(x), float(y))))
    qtbot.mouseClick(scatter.plot.viewport(), Qt.LeftButton, pos=pixel)
    i = scatter.example_at(scatter.plot.mapToScene(pixel))  # the example under the pixel clicked
    assert i is not None and state.example == i and s.focus is not None

    def shown():
        return [int(b.text().split()[0][1:]) for b in panel.buttons]

    codes = torch.from_numpy(s.codes().train)
    want, dist = nearest(codes, codes[i:i + 1], 8, exclude_self_rows=torch.tensor([i]))
    assert state.k == 8 and shown() == want[0].tolist() == list(state.found.indices)
    assert f"d = {dist[0, 0]:.3g}" in panel.buttons[0].text()
    assert f"Example {i}" in panel.caption.text() and "→ reconstruction (" in panel.caption.text()  # 2-D points

    panel.space.setCurrentIndex(panel.space.findData("data"))
    panel.k.setValue(5)
    flat = s.dataset.train_x.flatten(1)
    want, _ = nearest(flat, flat[i:i + 1], 5, exclude_self_rows=torch.tensor([i]))
    assert state.space == "data" and shown() == want[0].tolist()
    assert "data space" in panel.gallery_label.text()

    j = shown()[2]
    qtbot.mouseClick(panel.buttons[2], Qt.LeftButton)
    with torch.no_grad():
        assert torch.allclose(s.focus, s.snapshot.encode(s.dataset.train_x[j:j + 1])[0])
    assert state.example == j and j not in shown() and len(shown()) == 5


def test_above_the_exact_limit_the_index_is_built_in_the_background_and_a_new_model_cancels_it(qtbot, monkeypatch):
    import threading

    import numpy as np

    from latentlab.core import neighbours as core
    from latentlab.gui.panels.neighbours import NeighboursPanel
    from latentlab.state.app import AppState
    from latentlab.state.model_settings import ModelSettings

    gate = threading.Event()
    built = []

    class Graph:
        def __init__(self, base):
            self.base = torch.from_numpy(base)

        def query(self, q, k, epsilon):
            d, i = torch.sort(torch.cdist(torch.from_numpy(q), self.base), dim=1, stable=True)
            return i[:, :k].numpy().astype(np.int32), d[:, :k].numpy()

    def build(cls, base, report=None, cancelled=None):  # pynndescent's stand-in: waits until let go
        assert threading.current_thread() is not threading.main_thread()
        report(0.5)
        gate.wait(10)
        built.append(len(base))
        return cls(Graph(base.numpy()), len(base), base.shape[1])

    monkeypatch.setattr(core, "EXACT_LIMIT", 10)
    monkeypatch.setattr(core.ApproximateIndex, "build", classmethod(build))
    app = AppState()
    s = app.session
    s.model_settings = ModelSettings("vae", hidden=(16,))
    assert s.set_dataset("ring8")
    panel = NeighboursPanel(s, app.neighbours)
    qtbot.addWidget(panel)
    app.neighbours.pick(3)
    first = panel.index_job
    assert first is not None and first.running() and "approximate index" in panel.caption.text()
    assert not panel.buttons
    s.configure_model(s.model_settings)  # a new model while it builds: the job is cancelled, its index dropped
    assert panel.index_job is None and first.cancelled()
    app.neighbours.pick(3)
    second = panel.index_job
    assert second is not None and second is not first
    gate.set()
    qtbot.waitUntil(lambda: panel.index_job is None and len(panel.buttons) == 8 and len(built) == 2
                    and not first.running(), timeout=10_000)
    assert app.neighbours.found.method == core.APPROXIMATE and "approximate (pynndescent)" in panel.gallery_label.text()
    assert len(app.neighbours.indexes) == 1  # both built (pynndescent cannot stop mid-phase), the stale one dropped
    panel.shutdown()
