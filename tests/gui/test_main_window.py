"""The application driven through its real widgets (offscreen)."""

import math

import numpy as np
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from latentlab.core.checkpoints import load_checkpoint
from latentlab.gui import process_run
from tests.gui.conftest import FIRST_STEPS_MS, wait_idle


def set_epochs(window, n):
    window.model_data.epochs.setValue(n)


def test_train_pause_resume_stop_save_and_reload(window, qtbot, tmp_path):
    s = window.session
    assert s.dataset.name == "ring8" and s.model.family == "vae"
    set_epochs(window, 10_000)
    qtbot.mouseClick(window.training.start, Qt.LeftButton)
    assert s.state == "running" and not window.training.start.isEnabled()
    qtbot.waitUntil(lambda: len(s.history.train_steps) >= 3, timeout=FIRST_STEPS_MS)
    curve = window.curves.curves[("train", "kl")]
    window.curves.redraw()
    assert len(curve.getData()[0]) >= 3

    qtbot.mouseClick(window.training.pause, Qt.LeftButton)
    assert s.state == "paused" and window.training.pause.text() == "Resume"
    qtbot.wait(300)
    frozen = s.trainer.step
    qtbot.wait(300)
    assert s.trainer.step == frozen

    qtbot.mouseClick(window.training.pause, Qt.LeftButton)
    assert s.state == "running"
    qtbot.waitUntil(lambda: s.trainer.step > frozen, timeout=10_000)

    path = tmp_path / "live.safetensors"
    window.ask_save_path = lambda: str(path)
    assert window.save_checkpoint()  # saved between two steps, while training
    qtbot.waitUntil(path.exists, timeout=10_000)

    qtbot.mouseClick(window.training.stop, Qt.LeftButton)
    wait_idle(qtbot, s)
    assert window.training.start.isEnabled()
    assert s.unsaved == (s.trainer.step > s.saved_step)  # unsaved exactly when it trained past the save
    window.save_checkpoint()
    assert not s.unsaved
    trained = {k: v.clone() for k, v in s.model.state_dict().items()}

    qtbot.mouseClick(window.training.reset, Qt.LeftButton)
    assert s.trainer.step == 0
    assert window.open_checkpoint(str(path))
    for k, v in s.model.state_dict().items():
        assert torch.equal(v.cpu(), trained[k])
    assert s.trainer.step == load_checkpoint(path).step > 0


def test_step_button_takes_exactly_one_step_and_leaves_no_scratch_behind(window, qtbot):
    s = window.session
    qtbot.mouseClick(window.training.step, Qt.LeftButton)
    folders = set(process_run._SCRATCH)
    assert folders and all(f.is_dir() for f in folders)
    wait_idle(qtbot, s)
    assert s.trainer.step == 1 and len(s.history.train_steps) == 1
    # The run's folder (its start checkpoint, snapshots: tens of MB) goes when its process has ended.
    qtbot.waitUntil(lambda: not any(f.exists() for f in folders), timeout=5_000)


def test_step_while_paused_takes_one_batch_and_stays_paused(window, qtbot):
    s = window.session
    set_epochs(window, 10_000)
    s.start()
    qtbot.waitUntil(lambda: s.trainer.step >= 2, timeout=FIRST_STEPS_MS)
    s.pause()
    qtbot.wait(200)  # the step under way when Pause came finishes
    frozen = s.trainer.step
    assert window.training.step.isEnabled()
    qtbot.mouseClick(window.training.step, Qt.LeftButton)
    qtbot.waitUntil(lambda: s.trainer.step == frozen + 1, timeout=5_000)
    qtbot.wait(300)
    assert s.trainer.step == frozen + 1 and s.state == "paused"
    s.stop()
    wait_idle(qtbot, s)


def test_live_settings_stay_editable_while_training_and_locked_ones_say_why(window, qtbot):
    s, md = window.session, window.model_data
    set_epochs(window, 10_000)
    s.start()
    qtbot.waitUntil(lambda: s.trainer.step >= 2, timeout=FIRST_STEPS_MS)
    s.pause()
    beta, latent = md.family_settings["beta"], md.latent_dim
    assert beta.isEnabled() and "next step" in beta.toolTip()
    assert not latent.isEnabled() and "Locked while training" in latent.toolTip()
    applied = []
    s.live_changed.connect(lambda name, value, step: applied.append((name, value, step)))
    beta.setValue(0.0)
    s.resume()
    qtbot.waitUntil(lambda: bool(applied), timeout=5_000)  # the running trainer says from which step it applies
    assert applied[0][:2] == ("beta", 0.0) and applied[0][2] > 2
    s.stop()
    wait_idle(qtbot, s)
    assert s.model.config.beta == 0.0 and s.snapshot.config.beta == 0.0


def test_snapshot_follows_training_without_sharing_tensors(window, qtbot):
    s = window.session
    before = [p.clone() for p in s.snapshot.parameters()]
    set_epochs(window, 3)
    s.start()
    wait_idle(qtbot, s)
    after = list(s.snapshot.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, after))
    for live, snap in zip(s.model.parameters(), s.snapshot.parameters()):
        assert torch.equal(live.detach().cpu(), snap) and live.data_ptr() != snap.data_ptr()


def test_nan_learning_rate_shows_a_message_and_keeps_finite_weights(window, qtbot):
    s = window.session
    set_epochs(window, 50)
    window.model_data.lr.setValue(1000.0)  # a student's absurd but legal choice
    assert s.train_config.lr == 1000.0
    s.start()
    wait_idle(qtbot, s)
    assert window.banner.isVisible() and window.banner.level == "error"
    assert "non-finite" in window.banner.text
    assert all(torch.isfinite(p).all() for p in s.model.parameters())
    assert all(torch.isfinite(p).all() for p in s.snapshot.parameters())
    # and the application goes on: Start works again with a sane rate
    window.model_data.lr.setValue(1e-3)
    set_epochs(window, 1)
    assert s.start()
    wait_idle(qtbot, s)
    assert math.isfinite(s.history.train["total"][-1])


def test_bad_checkpoint_is_a_message_and_changes_nothing(window, tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a checkpoint at all")
    model = window.session.model
    assert not window.open_checkpoint(str(bad))
    assert window.banner.level == "error" and str(bad) in window.banner.text
    assert window.session.model is model


def test_the_title_names_the_saved_file_at_once(window, tmp_path):
    """It kept saying "unsaved" after Save as… until the next run started or stopped."""
    assert "(unsaved)" in window.windowTitle()
    assert window.session.save(tmp_path / "mine.safetensors")
    assert "(mine.safetensors)" in window.windowTitle()


def test_settings_set_by_name_show_in_the_form_and_survive_its_next_edit(window):
    """A lesson's train.epochs (or a view's model.*) once stayed out of Model & data: the next edit of the
    learning rate put the epochs back, and New model the family and beta the form still showed."""
    md, s = window.model_data, window.session
    window.state.set("train.epochs", 5)
    window.state.set("model.family", "dae")
    window.state.set("model.noise", 0.3)
    assert md.epochs.value() == 5 and md.family.currentData() == "dae"
    md.lr.setValue(0.002)  # an edit of the form
    assert s.train_config.epochs == 5 and s.train_config.lr == 0.002
    assert md.apply_model()
    assert s.model.family == "dae" and s.model.config.noise == 0.3


def test_a_live_value_typed_during_a_run_is_not_shown_back_under_the_cursor(window):
    """Each keystroke is applied at once; shown back, "2.5" became 2.000 after its first key."""
    from PySide6.QtTest import QTest

    md, s = window.model_data, window.session
    md.family.setCurrentIndex(md.family.findData("vae"))
    assert md.apply_model()
    s._state = "running"  # the form's live path; no training process needed
    md._update_enabled()
    try:
        box = md.fields["beta"]
        box.setFocus()
        box.lineEdit().selectAll()
        QTest.keyClicks(box, "2.5")
        assert box.value() == 2.5 and s.model.config.beta == 2.5
    finally:
        s._state = "idle"


def test_a_value_set_by_name_finer_than_the_form_shows_is_kept_by_its_next_edit(window):
    md, s = window.model_data, window.session
    window.state.set("model.beta", 0.0004)  # shown as 0.000
    window.state.set("train.lr", 1.234e-7)
    md.epochs.setValue(7)  # an edit of the form reads every training field back
    assert s.train_config.lr == 1.234e-7 and s.train_config.epochs == 7
    assert md.apply_model() and s.model.config.beta == 0.0004  # not 0: the KL term stays


def test_empty_folder_is_a_message(window, tmp_path):
    window.model_data.choose_folder = lambda label: str(tmp_path)
    index = window.model_data.dataset.findData("Image folder…")
    window.model_data.dataset.setCurrentIndex(index)
    window.model_data._dataset_chosen(index)
    assert window.banner.level == "error" and "no readable images" in window.banner.text
    assert window.session.dataset.name == "ring8"
    assert window.model_data.dataset.currentData() == "ring8"


def test_settings_that_do_not_apply_are_disabled_with_a_reason(window):
    md = window.model_data
    md.family.setCurrentIndex(md.family.findData("autoencoder"))
    assert not md.family_settings["beta"].isEnabled() and "autoencoder has no beta" in md.family_settings["beta"].toolTip()
    md.family.setCurrentIndex(md.family.findData("mmdvae"))
    assert md.family_settings["mmd_weight"].isEnabled() and not md.family_settings["beta"].isEnabled()
    assert not md.arch.isEnabled() and "28x28" in md.arch.toolTip()  # ring8 is 2-D


def test_model_switch_rebuilds_curves_for_its_terms(window):
    md = window.model_data
    md.family.setCurrentIndex(md.family.findData("mmdvae"))
    assert md.apply_model()
    assert window.session.model.family == "mmdvae"
    assert {name for _, name in window.curves.curves} == {"recon", "mmd", "total"}


def test_hidden_sizes_refuse_impossible_text(window, qtbot):
    md = window.model_data
    md.hidden.clear()
    qtbot.keyClicks(md.hidden, "12,x,-3")
    assert md.hidden.text() == "12,3"  # the letter and the minus sign never got in
    assert md.settings().hidden == (12, 3)


def test_controls_lock_while_training(window, qtbot):
    s = window.session
    set_epochs(window, 10_000)
    s.start()
    assert not window.model_data.dataset.isEnabled() and not window.model_data.apply.isEnabled()
    assert not s.configure_model(s.model_settings) and "stop training" in window.banner.text
    s.stop()
    wait_idle(qtbot, s)
    assert window.model_data.dataset.isEnabled()


def test_export_figure_png_and_svg(window, tmp_path):
    window.session.history.add_train(1, {"recon": 3.0, "kl": 1.0, "total": 4.0})
    window.curves.redraw()
    assert window.export_figure(tmp_path / "loss.png") and (tmp_path / "loss.png").stat().st_size > 1000
    assert window.export_figure(tmp_path / "loss.svg") and "<svg" in (tmp_path / "loss.svg").read_text()


def test_log_scale_and_smoothing(window):
    h = window.session.history
    for i in range(1, 40):
        h.add_train(i, {"recon": 100.0 / i, "kl": float(i % 3), "total": 100.0 / i + i % 3})
    window.curves.smoothing.setValue(5)
    window.curves.log_scale.setChecked(True)
    x, y = window.curves.curves[("train", "total")].getData()
    assert len(x) == 39 and np.isfinite(y).all()


def test_space_pauses_and_resumes(window, qtbot):
    s = window.session
    set_epochs(window, 10_000)
    s.start()
    window.setFocus()
    window.pause_shortcut.activated.emit()
    assert s.state == "paused"
    window.pause_shortcut.activated.emit()
    assert s.state == "running"
    s.stop()
    wait_idle(qtbot, s)


def test_close_during_training_stops_the_thread(window, qtbot):
    s = window.session
    set_epochs(window, 10_000)
    s.start()
    qtbot.waitUntil(lambda: s.trainer.step > 2, timeout=FIRST_STEPS_MS)
    run = s._run
    assert window.close()
    assert not run.running() and s.state == "idle"  # the training process has ended


def test_close_can_save_or_be_cancelled(window, qtbot, tmp_path):
    s = window.session
    s.step()
    wait_idle(qtbot, s)
    window.ask_save_on_close = lambda: QMessageBox.Cancel
    assert not window.close()
    path = tmp_path / "on-close.safetensors"
    window.ask_save_on_close = lambda: QMessageBox.Save
    window.ask_save_path = lambda: str(path)
    assert window.close()
    assert load_checkpoint(path).step == 1


def test_layout_and_last_choices_persist(qtbot, window):
    window.docks["samples"].hide()
    window.model_data.choose_dataset("moons")
    window.close()
    from latentlab.gui.app import initial_state
    from latentlab.gui.main_window import MainWindow

    again = MainWindow()
    qtbot.addWidget(again)
    initial_state(again, type("Args", (), {})())
    assert again.session.dataset.name == "moons"
    again.show()
    assert not again.docks["samples"].isVisible()


def test_about_names_the_versions(window):
    text = window.about_text()
    assert "torch" in text and "Qt" in text and "latentlab" in text


def test_a_live_change_is_marked_on_the_loss_curves_and_saved_with_them(window, qtbot, tmp_path):
    s = window.session
    set_epochs(window, 10_000)
    s.start()
    qtbot.waitUntil(lambda: s.trainer.step >= 5, timeout=FIRST_STEPS_MS)
    window.state.set("model.beta", 0.0)
    qtbot.waitUntil(lambda: bool(s.history.marks), timeout=10_000)
    s.stop()
    wait_idle(qtbot, s)
    window.curves.redraw()
    (step, name, value), = s.history.marks
    assert name == "beta" and value == 0.0 and step > 5
    assert len(window.curves.marks) == 1 and "β = 0" in window.curves.marks[0].label.toPlainText()
    assert s.save(tmp_path / "m.safetensors") and s.reset() and not s.history.marks
    assert s.open_checkpoint(tmp_path / "m.safetensors") and s.history.marks == [(step, "beta", 0.0)]
