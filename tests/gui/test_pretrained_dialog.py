"""File → Open pretrained…: the browser of shipped checkpoints, and opening one."""

import shutil

from latentlab.core import pretrained
from latentlab.gui.pretrained_dialog import PretrainedDialog


def test_the_browser_lists_every_shipped_model_with_description_metrics_and_command(qtbot):
    dialog = PretrainedDialog()
    qtbot.addWidget(dialog)
    entries = pretrained.read_manifest()
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == [e.title for e in entries]
    dialog.select("vae-mnist5k-2d")
    text = dialog.details.toPlainText()
    entry = pretrained.find("vae-mnist5k-2d")
    assert entry.description[:40] in text and "latentlab train --model vae" in text
    assert f"{entry.metrics['elbo']:.4g}" in text
    dialog.accept()
    assert dialog.chosen.name == "vae-mnist5k-2d"


def test_file_open_pretrained_loads_the_chosen_model_and_its_dataset(window):
    window.ask_pretrained = lambda: "mmdnet-ring8"
    assert window.open_pretrained()
    s = window.session
    assert s.model.family == "mmdnet" and s.dataset.name == "ring8" and s.checkpoint_path.name == "mmdnet-ring8.safetensors"
    window.ask_pretrained = lambda: None  # Cancel
    assert not window.open_pretrained()


def test_a_missing_shipped_file_is_named_with_the_command_that_restores_it(window, tmp_path, monkeypatch):
    shutil.copy(pretrained.checkpoint_dir() / pretrained.MANIFEST, tmp_path)
    monkeypatch.setenv(pretrained.CHECKPOINTS_ENV, str(tmp_path))
    before = window.session.model
    assert not window.open_pretrained("vae-mnist5k-2d")
    assert "make checkpoints" in window.banner.text and window.session.model is before
    assert PretrainedDialog().list.count() == len(pretrained.read_manifest())


def test_while_training_the_list_is_not_shown_only_to_refuse_the_choice(window, monkeypatch):
    asked = []
    window.ask_pretrained = lambda: asked.append(1) or "mmdnet-ring8"
    monkeypatch.setattr(window.session, "_state", "running")  # (no run needed to be refused)
    before = window.session.model
    assert not window.open_pretrained()
    assert asked == [] and "Stop training" in window.banner.text and window.session.model is before
