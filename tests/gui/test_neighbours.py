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
