"""The layout fits 1366x768 and 1920x1080: no tab title cut short, no dock that scrolls sideways, in
every preset of View > Layout; a floated dock opens at its content's size; a first run teaches."""

import pytest
from PySide6.QtCore import Qt

from latentlab.gui.layout import PRESETS, hidden_widths, layout_problems, widen_to_fit

SIZES = [(1366, 768), (1920, 1080)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_preset_fits_the_window_without_cut_tabs_or_sideways_scrolling(window, qtbot, size):
    window.session.set_dataset("mnist5k")
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0], timeout=2000)
    for name in PRESETS:
        window.state.window.choose_layout(name)
        qtbot.wait(10)
        assert layout_problems(window) == [], name
        assert window.scatter.width() >= 0.3 * size[0], name  # the map keeps room


def test_a_side_too_narrow_for_its_docks_is_widened_and_the_map_keeps_its_room(window, qtbot):
    """What presentation mode's large font needs at 1366x768 (gui/layout.widen_to_fit)."""
    window.resize(1366, 768)
    window.state.window.choose_layout("explore")
    window.resizeDocks([window.docks["decoder"]], [250], Qt.Horizontal)
    window.go_to("walkback")
    qtbot.wait(10)
    assert hidden_widths(window, built_only=True)  # the built panels: looking at the others would build them
    widen_to_fit(window)
    assert hidden_widths(window, built_only=True) == {} and window.scatter.width() >= 0.3 * 1366


def test_the_check_sees_a_squeezed_dock(window, qtbot):
    """The check is not blind: a right side squeezed to 250 px cuts tabs and scrolls sideways."""
    window.resize(1366, 768)
    window.resizeDocks([window.docks["decoder"]], [250], Qt.Horizontal)
    window.go_to("walkback")
    qtbot.wait(10)
    problems = layout_problems(window)
    assert any("tab" in p for p in problems) or any("sideways" in p for p in problems)


def test_a_lesson_step_chooses_a_preset_and_the_docks_stay_put_between_steps(window, qtbot):
    window.resize(1366, 768)
    window.lessons.go(0, 0)
    assert window.state.window.layout == "lesson"
    widths = {k: d.width() for k, d in window.docks.items()}
    window.lessons.go(0, 1, after_previous=True)
    qtbot.wait(10)
    assert {k: d.width() for k, d in window.docks.items()} == widths


def test_a_dock_the_state_floats_stays_floated_when_the_layout_changes(window):
    """A lesson's first step floats a panel and switches to the lesson layout: the preset must not dock it."""
    window.state.window.floating = frozenset({"parametric"})
    assert window.docks["parametric"].isFloating()
    for name in ("explore", "lesson"):
        window.state.window.choose_layout(name)
        assert window.docks["parametric"].isFloating(), name
    window.state.window.floating = frozenset()
    assert not window.docks["parametric"].isFloating()


def test_a_floated_dock_opens_at_its_content_size(window, qtbot):
    dock = window.docks["mmd"]
    dock.setFloating(True)
    screen = dock.screen().availableGeometry().width()
    wanted = min(window.mmd.side_by_side.wide_width(), int(screen * 0.9))  # side by side, within the screen
    qtbot.waitUntil(lambda: dock.width() >= wanted, timeout=2000)


def test_the_start_card_is_dismissed_for_good(window, qtbot, tmp_path):
    from latentlab.gui.main_window import MainWindow

    window.show_start_card()
    assert window.start_card.isVisible()
    window.start_card.dismiss_button.click()
    assert not window.start_card.isVisible() and window.state.window.start_card is False
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.state.window.start_card is False


def test_the_start_card_says_which_model_and_data_are_on_show(window, tmp_path):
    """It once kept saying "a 2-D VAE trained on 5,000 MNIST digits" over a user's own data and model."""
    window.show_start_card()
    assert "on ring8 (4,000 examples), not trained yet" in window.start_card.title.text()
    import numpy as np

    np.save(tmp_path / "mine.npy", np.zeros((40, 3), np.float32))
    window.model_data.family.setCurrentIndex(window.model_data.family.findData("dae"))  # Model & data's family
    window.status_rate.setText("543 samples/s")  # the last run's rate, in the status bar
    assert window.open_data(str(tmp_path / "mine.npy"))
    assert "denoising autoencoder on file:mine.npy (40 examples)" in window.start_card.title.text()
    assert window.status_rate.text() == ""
    window.session.explore_without_model()
    assert "the vectors of file:mine.npy (40 examples), explored with no model" in window.start_card.title.text()
    assert window.status_epoch.text() == "" and window.status_device.text() == ""  # nothing of the last model
    window.state.set("model.latent_dim", 8)
    window.model_data.choose_dataset("ring8")
    assert "is an 8-D " in window.start_card.title.text()


def test_a_first_run_opens_the_trained_vae_with_the_lessons_in_front(qtbot):
    from latentlab.gui.app import initial_state
    from latentlab.gui.main_window import MainWindow

    w = MainWindow()  # fresh settings (conftest): nothing remembered, nothing asked for
    qtbot.addWidget(w)
    initial_state(w, type("Args", (), {})())
    assert w.first_run and w.session.model.family == "vae" and w.session.dataset.name == "mnist5k"
    assert w.session.focus is not None  # a digit in the decoder view from the start
