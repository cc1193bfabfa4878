"""Every plot's legend sits outside its data area: in the plot item's layout, under the x axis, never over a point."""

from PySide6.QtWidgets import QApplication

from latentlab.gui.widgets.legend import legend_below


def _outside(widget) -> bool:
    item = widget.getPlotItem()
    legend = item.legend
    layout = item.layout
    return (legend is not None and legend.parentItem() is not item.vb
            and any(layout.itemAt(i) is legend for i in range(layout.count()))
            and not legend.sceneBoundingRect().intersects(item.vb.sceneBoundingRect()))


def test_the_panels_legends_are_under_their_plots(qtbot):
    from latentlab.gui.panels.decoder import DecoderPanel
    from latentlab.gui.panels.mmd import MMDPanel
    from latentlab.gui.panels.samples import SamplesPanel
    from latentlab.gui.panels.walkback import WalkbackPanel
    from latentlab.state.session import Session

    s = Session()
    assert s.set_dataset("ring8", rebuild=False)
    samples, decoder, mmd, walkback = SamplesPanel(s), DecoderPanel(s), MMDPanel(s), WalkbackPanel(s)
    plots = [samples.points, decoder.points, mmd.points, walkback.curve_plot, *walkback.views]
    for plot in plots:
        qtbot.addWidget(plot)
        plot.resize(400, 400)
        plot.getPlotItem().layout.activate()
    QApplication.processEvents()  # a legend that changed its columns is laid out again
    for plot in plots:
        plot.getPlotItem().layout.activate()
    assert [_outside(plot) for plot in plots] == [True] * len(plots)
    assert [label.text for _, label in samples.points.getPlotItem().legend.items] == [
        "test data", "reconstructions", "samples"]


def test_entries_added_by_name_go_to_the_legend_below(qtbot):
    import pyqtgraph as pg

    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    legend = legend_below(widget, columns=2)
    widget.plot([0, 1], [0, 1], name="a")
    widget.plot([0, 1], [1, 0], name="b")
    assert [label.text for _, label in legend.items] == ["a", "b"] and widget.getPlotItem().legend is legend
    widget.plot([0, 1], [1, 1], name="a rather long third name")
    for width, columns in ((900, 2), (180, 1)):  # a narrow plot: one column, and the plot no wider than its widget
        widget.resize(width, 300)
        widget.show()
        qtbot.waitUntil(lambda c=columns: legend.columnCount == c, timeout=2000)
        item = widget.getPlotItem()
        item.layout.activate()
        assert item.vb.sceneBoundingRect().right() <= width
