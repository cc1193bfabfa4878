"""Data of the user's in the window: File > Open data…, the panel's entries, a drop, the image size asked."""

import numpy as np
import torch
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent


def write_csv(path):
    path.write_text("x,y,z,kind,id\n" + "".join(f"{i},{i % 7},{-i},{'uv'[i % 2]},r{i}\n" for i in range(40)))
    return path


def test_open_data_file_builds_a_model_for_it(window, tmp_path):
    path = write_csv(tmp_path / "t.csv")
    window.model_data.choose_file = lambda: str(path)
    assert window.open_data()
    d = window.session.dataset
    assert d.name == "file:t.csv" and d.data_shape == (3,) and d.class_names == ("u", "v")
    assert window.session.model.data_shape == (3,)
    assert window.model_data.dataset.currentData() == str(path.resolve())
    assert "t.csv" in window.windowTitle()
    assert window.state.get("data.label_column") == ""
    window.state.set("data.label_column", "id")  # the same file, another label column
    assert window.session.dataset.name == "file:t.csv" and len(window.session.dataset.class_names) == 40


def test_an_image_folder_asks_its_size_and_stays_colour(window, tmp_path):
    for i in range(6):
        Image.fromarray(np.full((24, 24, 3), (30 * i, 0, 200), np.uint8)).save(tmp_path / f"{i}.png")
    asked = []
    window.model_data.ask_image_size = lambda folder, suggested: asked.append(suggested) or 12
    assert window.model_data.open_path(str(tmp_path))
    assert asked == [(24, 24)] and window.session.dataset.data_shape == (3, 12, 12)
    window.model_data.ask_image_size = lambda folder, suggested: None  # cancelled: nothing changes
    assert not window.model_data.open_path(str(tmp_path))
    assert window.session.dataset.data_shape == (3, 12, 12)


def test_bad_data_is_a_message_and_the_data_stays(window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,oops\n4,5\n")
    assert not window.open_data(str(bad))
    assert window.banner.level == "error" and "column 'b', line 3" in window.banner.text
    assert window.session.dataset.name == "ring8"
    assert window.model_data.dataset.currentData() == "ring8"


def test_a_dropped_file_opens_as_data(window, tmp_path):
    path = write_csv(tmp_path / "dropped.csv")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    window.dropEvent(event)
    assert window.session.dataset.name == "file:dropped.csv"


def test_the_panel_entry_opens_a_file(window, tmp_path):
    path = write_csv(tmp_path / "t.csv")
    md = window.model_data
    md.choose_file = lambda: str(path)
    index = md.dataset.findData("Data file (.npy, .npz, .csv, .tsv)…")
    md.dataset.setCurrentIndex(index)
    md._dataset_chosen(index)
    assert window.session.dataset.name == "file:t.csv"
    md.choose_dataset("ring8")
    back = md.dataset.findData(str(path.resolve()))  # the file stays in the list, to go back to
    md.dataset.setCurrentIndex(back)
    md._dataset_chosen(back)
    assert window.session.dataset.name == "file:t.csv"


def test_a_standard_set_not_yet_prepared_loads_in_a_job_with_progress(qtbot, tmp_path, monkeypatch):
    import io
    import tarfile

    from latentlab.core.data import named
    from latentlab.gui.panels.model_data import ModelDataPanel
    from latentlab.state.app import AppState
    from tests.core.test_data_named import cifar_files

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(named, "PREPARE_ABOVE", 0)  # this tiny CIFAR-10 is prepared as a large set would be
    with tarfile.open(fileobj=io.BytesIO(cifar_files()["cifar-10-python.tar.gz"])) as tar:
        tar.extractall(tmp_path / "mine", filter="data")
    panel = ModelDataPanel(AppState())
    qtbot.addWidget(panel)
    assert panel.choose_dataset("cifar10", str(tmp_path / "mine"))
    assert panel.load_job is not None and panel.session.dataset is None  # loading off the GUI thread
    qtbot.waitUntil(lambda: panel.load_job is None, timeout=20_000)
    d = panel.session.dataset
    assert d is not None and d.name == "cifar10" and d.train_x.dtype == torch.uint8
    assert not named.needs_preparing("cifar10", str(tmp_path / "mine"))
    assert panel.choose_dataset("cifar10", str(tmp_path / "mine")) and panel.load_job is None  # now at once
