"""Colour by any value in the scatter (a legend or a colour bar outside the data area), the filter dimming
points there and thinning the selection gallery, and hover text with every metadata column."""

import numpy as np
import pytest

from latentlab.gui.panels.decoder import DecoderPanel
from latentlab.gui.panels.scatter import LatentScatterPanel
from latentlab.gui.widgets.colour_by import DIMMED_ALPHA
from latentlab.state.app import AppState
from latentlab.state.model_settings import ModelSettings


@pytest.fixture
def app(tmp_path):
    state = AppState()
    state.session.model_settings = ModelSettings("vae", hidden=(16,))
    csv = tmp_path / "t.csv"
    rows = ["a,b,label,colour"] + [f"{np.cos(i)},{np.sin(i)},{i % 3},{'red' if i % 4 else 'blue'}" for i in range(120)]
    csv.write_text("\n".join(rows) + "\n")
    assert state.session.set_dataset(str(csv))
    return state


@pytest.fixture
def scatter(app, qtbot):
    panel = LatentScatterPanel(app.session, app.scatter, values=app.values, cross_filter=app.cross_filter)
    qtbot.addWidget(panel)
    panel.resize(700, 600)
    panel.show()
    panel.redraw()
    return panel


def in_layout(panel, item) -> bool:
    """Drawn in the plot item's layout (beside the axes), not inside the view box."""
    layout = panel.plot.getPlotItem().layout
    return any(layout.itemAt(i) is item for i in range(layout.count())) and item.parentItem() is not panel.view


def test_categories_get_a_legend_numbers_a_colour_bar_both_outside_the_data(app, scatter, qtbot):
    assert in_layout(scatter, scatter.key.legend) and scatter.key.legend.isVisible()
    combo = scatter.colour_controls.colour
    assert {"label", "meta:colour", "z0", "recon", "kl", "elbo"} <= {combo.itemData(i) for i in range(combo.count())}
    combo.setCurrentIndex(combo.findData("z0"))
    assert app.scatter.colour_by == "z0"
    scatter.redraw()
    assert in_layout(scatter, scatter.key.bar) and not in_layout(scatter, scatter.key.legend)
    assert scatter.key.bar.levels() == pytest.approx(tuple(np.percentile(app.session.codes().train[:, 0], [1, 99])))
    app.set("scatter.colour_by", "kl")  # computed in a job: the bar comes when it is done
    scatter.redraw()
    qtbot.waitUntil(lambda: app.values.get("kl") is not None, timeout=10_000)
    scatter.redraw()
    assert "KL" in scatter.key.bar.axis.labelText
    app.set("scatter.colour_by", "meta:colour")
    scatter.redraw()
    assert in_layout(scatter, scatter.key.legend)
    assert [label.text for _, label in scatter.key.legend.items][:2] == ["blue", "red"]


def test_the_filter_dims_points_and_thins_the_selection_gallery(app, scatter, qtbot):
    decoder = DecoderPanel(app.session, cross_filter=app.cross_filter, scatter=app.scatter)
    qtbot.addWidget(decoder)
    app.session.set_selection(np.arange(40))
    scatter.colour_controls.by.setCurrentIndex(scatter.colour_controls.by.findData("meta:colour"))
    assert app.filter.by == "meta:colour" and scatter.colour_controls.keep.isVisibleTo(scatter)
    scatter.colour_controls.keep.setText("blue")
    scatter.colour_controls.keep.editingFinished.emit()
    assert app.filter.keep == {"blue"}
    scatter.redraw()
    blue = np.array(app.session.dataset.train_meta["colour"]) == "blue"
    alpha = scatter.train_item.colours >> 24
    rows = app.session.codes().train_index
    assert (alpha[~blue[rows]] == DIMMED_ALPHA).all() and (alpha[blue[rows]] == 0xFF).all()
    assert f"{blue[:40].sum()} of 40" in decoder.gallery_label.text()
    text = scatter.describe_example(int(np.flatnonzero(~blue)[0]))
    assert "colour red" in text and "filtered out" in text


def test_a_gallery_slider_sets_the_thumbnail_size(app, qtbot):
    decoder = DecoderPanel(app.session, scatter=app.scatter)
    qtbot.addWidget(decoder)
    app.scatter.gallery_size = 100
    assert decoder.selection_gallery.slider.value() == 100


def test_the_arithmetic_slider_moves_the_focus_live(app, qtbot):
    from latentlab.gui.panels.arithmetic import STEPS, ArithmeticSection

    section = ArithmeticSection(app.session, app.arithmetic)
    qtbot.addWidget(section)
    app.session.set_selection(np.arange(10))
    section.take_a.click()
    app.session.set_selection(np.arange(10, 30))
    section.take_b.click()
    assert app.arithmetic.ready and section.slider.isEnabled()
    section.slider.setValue(STEPS // 2)
    assert app.arithmetic.amount == 0.5
    assert np.allclose(app.session.focus.numpy(), app.arithmetic.point(app.session).numpy())
    section.apply.click()
    assert "20 selected" in section.gallery_label.text()


def test_the_legend_is_rebuilt_only_when_its_categories_change(app, scatter):
    """A redraw with the same categories (every snapshot while training) keeps the legend's items."""
    items = [label for _, label in scatter.key.legend.items]
    scatter.redraw()
    assert [label for _, label in scatter.key.legend.items] == items  # the same objects: not rebuilt
    app.set("scatter.colour_by", "meta:colour")
    scatter.redraw()
    assert [label.text for _, label in scatter.key.legend.items][:2] == ["blue", "red"]
    app.set("scatter.colour_by", "label")
    scatter.redraw()
    assert [label.text for _, label in scatter.key.legend.items][:3] == ["0", "1", "2"]
    assert scatter.key.legend.isVisible()


def test_the_legend_takes_new_colours_when_the_palette_changes(app, scatter, monkeypatch):
    """Presentation mode swaps the category colours in place: the key must follow the points."""
    from latentlab.gui.widgets import colour_by

    def swatch(i):
        return scatter.key.legend.items[i][0].item.opts["brush"].color().name()

    first = swatch(0)
    monkeypatch.setattr(colour_by, "CLASS_COLOURS", ["#123456", *colour_by.CLASS_COLOURS[1:]])
    scatter.redraw()
    assert swatch(0) == "#123456" != first
