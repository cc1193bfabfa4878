"""A model of the user's own in the window: File > Open model code… (after a confirmation naming the file),
the pytorch/examples VAE decoded from a click in the scatter, trained, sampled, scored; an imported
checkpoint reopened only after the user confirms its code."""

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPoint, Qt

from latentlab.cli import main
from tests.gui.conftest import wait_idle
from tests.plugin_sources import POINTS_AE, save_examples_weights, write_examples_vae


@pytest.fixture
def examples(tmp_path):
    return write_examples_vae(tmp_path), save_examples_weights(tmp_path)


def confirming(window, answer=True):
    asked = []
    window.plugins.confirm = lambda path, why: asked.append((path, why)) or answer
    return asked


def test_open_model_code_then_click_to_decode_train_and_sample(window, qtbot, examples):
    source, weights = examples
    window.model_data.choose_dataset("mnist5k")
    asked = confirming(window)
    assert window.plugins.open_code(str(source), weights=str(weights))
    assert asked and asked[0][0] == str(source)  # the confirmation names the file
    s = window.session
    assert s.model.family == "plugin" and "VAE (vae_main.py)" in window.windowTitle()
    assert window.training.note.isVisibleTo(window) and "ELBO" in window.training.note.text()
    assert "a model of your own" in window.model_data.own_model.text()

    panel = window.scatter
    panel.redraw()
    assert len(panel._positions) == len(s.dataset.train_x)  # every code drawn
    got = []
    s.focus_changed.connect(lambda z, x: got.append((z, x)))
    qtbot.mouseClick(panel.plot.viewport(), Qt.LeftButton,
                     pos=QPoint(panel.plot.width() // 2, panel.plot.height() // 2))
    assert got, "the click decoded nothing"
    z, x = got[-1]
    assert z.shape == (20,) and x.shape == (1, 1, 28, 28)
    with torch.no_grad():
        assert torch.allclose(x, s.snapshot.decode(z[None]))
        assert torch.allclose(x.flatten(1), s.snapshot.net.decode(z[None]))  # the user's own decode
    assert window.decoder.decoded.array is not None

    window.samples.redraw()
    assert window.samples.samples.array is not None
    assert s.start(max_steps=3)  # the ELBO, in a thread of the window
    wait_idle(qtbot, s)
    assert s.trainer.step == 3 and "recon" in s.history.train and window.banner.level != "error"


def test_declining_the_confirmation_runs_nothing(window, tmp_path):
    marker = tmp_path / "ran"
    code = tmp_path / "sneaky.py"
    code.write_text(f"open({str(marker)!r}, 'w').close()\n")
    before = window.session.model
    asked = confirming(window, answer=False)
    assert not window.plugins.open_code(str(code))
    assert asked and not marker.exists() and window.session.model is before


def test_an_imported_checkpoint_reopens_only_after_confirming_its_code(window, tmp_path, examples, capsys):
    source, weights = examples
    out = tmp_path / "model.safetensors"
    assert main(["import", "--model-file", f"{source}:VAE", "--weights", str(weights), "--data", "mnist5k",
                 "--out", str(out)]) == 0
    asked = confirming(window, answer=False)
    assert not window.open_checkpoint(str(out))
    assert asked and asked[0][0] == str(source.resolve()) and window.session.dataset.name == "ring8"
    confirming(window, answer=True)
    assert window.open_checkpoint(str(out))
    assert window.session.model.family == "plugin" and window.session.checkpoint_path == out
    assert window.session.dataset.name == "mnist5k"


def test_a_plugin_on_points_with_its_own_loss_in_every_panel(window, qtbot, tmp_path):
    (tmp_path / "points.py").write_text(POINTS_AE)
    confirming(window)
    assert window.plugins.open_code(str(tmp_path / "points.py"), ask_weights=False)
    s = window.session
    assert s.model.config.training == "loss" and "its own loss" in window.training.note.text()
    window.scatter.redraw()
    assert len(window.scatter._positions) == len(s.dataset.train_x)
    assert window.walkback.models() and window.walkback.models()[0][1] is s.snapshot  # it declares a corruption
    mmd = window.mmd
    window.docks["mmd"].raise_()
    mmd.n.setValue(100)
    model_key = next(mmd.sources[1].itemData(i) for i in range(mmd.sources[1].count())
                     if str(mmd.sources[1].itemData(i)).startswith("model:current"))
    mmd.sources[0].setCurrentIndex(mmd.sources[0].findData("test"))
    mmd.sources[1].setCurrentIndex(mmd.sources[1].findData(model_key))
    assert mmd.b.shape == (100, 2)
    board = mmd.leaderboard
    board.n.setValue(100)
    assert board.score_all()
    qtbot.waitUntil(lambda: board.job is None, timeout=30_000)
    assert board.table.rowCount() == 1 and np.isfinite(board.scores[0].mmd2)
    assert s.start(max_steps=4)
    wait_idle(qtbot, s)
    assert s.trainer.step == 4 and "mse" in s.history.train
    assert s.reset() and s.trainer.step == 0 and s.model.family == "plugin"


def test_a_plugin_failing_after_it_opened_says_so_in_the_panel_and_leaves_nothing_stale(window, tmp_path):
    """Its decode breaks on the samples panel's batch (the probe used 4): the note names file, line and method,
    and the samples of the model before it are gone."""
    from tests.core.test_plugins import RUNTIME_FAULTS

    window.model_data.choose_dataset("mnist5k")
    window.samples.redraw()
    assert window.samples.samples.array is not None  # the built-in model's samples
    (tmp_path / "r.py").write_text(RUNTIME_FAULTS.replace("'not a tensor' if n == 3 else torch.zeros(n, 10)",
                                                          "self.decode(torch.zeros(n, 2))"))
    confirming(window)
    assert window.plugins.open_code(str(tmp_path / "r.py"), ask_weights=False)
    window.samples.redraw()
    assert "r.py, line 12: M.sample failed: RuntimeError: only small batches" in window.samples.note.text()
    assert window.samples.samples.array is None and window.samples.recons.array is None


def test_a_plugin_failing_on_the_interpolation_path_leaves_the_panel_whole_and_says_why(window, tmp_path):
    """Raised while the panel was first built, the error once left a half-built widget that crashed at its paint."""
    from tests.core.test_plugins import RUNTIME_FAULTS

    window.model_data.choose_dataset("mnist5k")
    (tmp_path / "r.py").write_text(RUNTIME_FAULTS)
    confirming(window)
    assert window.plugins.open_code(str(tmp_path / "r.py"), ask_weights=False)
    said = []
    window.session.message.connect(lambda level, text: said.append(text))
    window.state.set("interpolation.examples", (0, 5))  # 10 frames: more than its decode takes
    window.docks["interpolation"].raise_()
    panel = window.interpolation
    panel.refresh()
    assert "r.py, line 12: M.decode failed" in panel.anchor_label.text()
    assert panel.frames is None and panel.strip.array is None
    assert any("M.decode failed" in text for text in said)
    window.grab()  # paints whole
