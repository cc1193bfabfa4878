"""File > Save view… and File > Open view… in the real window (the view itself: tests/state/test_views.py)."""


def test_save_and_open_a_view_from_the_file_menu(window, tmp_path):
    actions = {a.text(): a for a in window.menuBar().actions()[0].menu().actions()}
    window.ask_view_save_path = lambda: str(tmp_path / "v.json")
    window.state.set_text("scatter.overlays", "prior")
    actions["Save view…"].trigger()
    assert (tmp_path / "v.json").exists() and "saved the view" in window.banner.text

    window.state.set_text("scatter.overlays", "none")
    window.ask_view_open_path = lambda: str(tmp_path / "v.json")
    actions["Open &view…"].trigger()
    assert window.state.scatter.overlays == {"prior"} and "opened the view" in window.banner.text

    (tmp_path / "bad.json").write_text("{")
    assert window.open_view(tmp_path / "bad.json") is None and "not JSON" in window.banner.text


def test_a_view_asks_before_it_replaces_unsaved_training(window, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    window.save_view(tmp_path / "v.json")
    window.session.saved_step = -1  # as if it had trained since it was last saved
    assert window.session.unsaved
    asked = []
    window.ask_save_on_close = lambda: asked.append(1) or QMessageBox.Cancel
    assert window.open_view(tmp_path / "v.json") is None and asked and window.session.unsaved

