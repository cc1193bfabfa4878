"""Widgets are thin bindings to the state models: each direction, and remembered between windows."""

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QMessageBox

from latentlab.gui.binding import bind, bind_names, combo_for
from latentlab.gui.main_window import MainWindow
from latentlab.state.mmd import MMDState
from latentlab.state.scatter import ScatterState


def test_a_bound_widget_follows_its_field_and_sets_it(qtbot):
    state = MMDState()
    box = bind(combo_for("mmd.kernel"), state, "kernel")
    spin = bind(QDoubleSpinBox(minimum=1, maximum=20), state, "p", "mmd")
    state.kernel, state.p = "imq", 7.5
    assert box.currentData() == "imq" and spin.value() == 7.5
    box.setCurrentIndex(box.findData("laplacian"))
    spin.setValue(2.0)
    assert state.kernel == "laplacian" and state.p == 2.0
    assert "Minkowski" in spin.toolTip()  # the schema's help


def test_a_set_of_names_is_one_check_box_each(qtbot):
    state = ScatterState()
    boxes = {name: QCheckBox(name) for name in ("prior", "density")}
    bind_names(boxes, state, "overlays")
    changes = []
    state.events.overlays.connect(changes.append)
    state.overlays = frozenset({"prior", "density"})
    assert all(b.isChecked() for b in boxes.values()) and len(changes) == 1  # showing is not an edit
    boxes["prior"].setChecked(False)
    assert state.overlays == {"density"}


def test_panel_settings_are_remembered_by_the_next_window(window, qtbot):
    window.state.set("scatter.kde_width", 0.4)
    window.state.set("mmd.kernel", "imq")
    window.state.set("curves.log", True)
    window.close()
    again = MainWindow()
    again.ask_save_on_close = lambda: QMessageBox.Discard
    qtbot.addWidget(again)
    assert again.scatter.kde_scale.value() == 0.4 and again.mmd.kernel.currentData() == "imq"
    assert again.curves.log_scale.isChecked()
