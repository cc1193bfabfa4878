"""The loss curves' frames while training: a redraw leaves the view's range fitted to the new points, so the
paint that follows draws once (pyqtgraph fitting it as it paints asked for a second paint of each frame)."""

import numpy as np

from latentlab.gui.panels.loss_curves import LossCurvesPanel
from latentlab.state.session import Session


def test_a_redraw_fits_the_range_before_the_paint(qtbot):
    session = Session()
    assert session.set_dataset("ring8")
    panel = LossCurvesPanel(session)
    qtbot.addWidget(panel)
    panel.resize(500, 300)
    panel.show()
    for step in range(1, 30):
        session.history.add_train(step * 10, {name: 5.0 - step * 0.1 for name in panel.session.model.loss_names})
    panel.redraw()
    (x0, x1), (y0, y1) = panel.plot.getPlotItem().vb.viewRange()  # no event processed in between: no paint
    assert x0 <= 10 and x1 >= 290 and y0 <= 5.0 - 29 * 0.1 and y1 >= 4.9
    assert np.isfinite([x0, x1, y0, y1]).all()
