"""Model & data panel: dataset, and a form built from the settings schema (model.*, train.*).

Every model family's settings come from its config dataclass: a new field declared there with
`setting(...)` appears here, as a flag of `latentlab train`, in `latentlab settings` and for --set,
with no change to this file. Only the chosen family's settings are shown. While a run is going,
the settings marked live stay editable and reach the trainer at its next step; the others are
locked and their tooltip says why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QInputDialog,
    QLabel,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from latentlab.core.data import DATASETS, DataError, Dataset, load_dataset
from latentlab.core.data.files import is_data_path
from latentlab.core.data.folders import has_idx_files, suggested_size
from latentlab.core.data.named import needs_preparing
from latentlab.core.models import model_class
from latentlab.core.models.base import conv_shape_ok
from latentlab.core.settings import SettingError
from latentlab.core.training import TrainConfig
from latentlab.gui.jobs import Job
from latentlab.gui.widgets.setting_widgets import edited_signal, exact, read_value, show_value, widget_for
from latentlab.state.app import AppState
from latentlab.state.model_settings import ModelSettings
from latentlab.state.schema import section

FOLDER_ENTRIES = {"MNIST folder…": "mnist", "Fashion-MNIST folder…": "fashion-mnist", "Image folder…": "folder"}
FILE_ENTRY = "Data file (.npy, .npz, .csv, .tsv)…"
DATA_FILTER = "Data (*.npy *.npz *.csv *.tsv *.tab *.txt);;All files (*)"
COMMON = ("family", "latent_dim", "hidden", "arch")  # every family has these; the rest are the family's own
FORM_TRAIN = ("lr", "batch_size", "epochs", "seed", "device")  # threads is the application's choice


def available_devices() -> tuple[str, ...]:
    devices = ["auto", "cpu"]
    if torch.cuda.is_available():
        devices.append("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        devices.append("mps")
    return tuple(devices)


class ModelDataPanel(QWidget):
    HEIGHT_FOR_WIDTH = True  # in a narrow dock its forms' rows wrap: squeezed, it scrolls at that height
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.session = session = state.session
        self.load_job: Job | None = None  # a standard set being prepared (choose_dataset)
        # Replaced in tests; by default a folder dialog.
        self.choose_folder: Callable[[str], str | None] = self._folder_dialog
        self.choose_file: Callable[[], str | None] = self._file_dialog
        # The image size for a folder of images: given the suggested (height, width), a side, or None to cancel.
        self.ask_image_size: Callable[[str, tuple[int, int]], int | None] = self._size_dialog

        self.dataset = QComboBox()
        self.dataset.setToolTip("The data to train on. Folder entries read MNIST IDX files or images from disk.")
        for name, info in DATASETS.items():
            if not info.needs_folder:
                self.dataset.addItem(name, name)
                self.dataset.setItemData(self.dataset.count() - 1, info.description, 3)  # tooltip role
        for label in FOLDER_ENTRIES:
            self.dataset.addItem(label, label)
        self.dataset.addItem(FILE_ENTRY, FILE_ENTRY)

        self.model_settings = {s.field: s for s in section("model")}
        self.fields: dict[str, QWidget] = {name: widget_for(s) for name, s in self.model_settings.items()}
        self.family, self.latent_dim, self.hidden, self.arch = (self.fields[k] for k in COMMON)
        self.family_settings = {k: w for k, w in self.fields.items() if k not in COMMON}
        self.apply = QPushButton("New model")
        self.apply.setToolTip("Build a fresh, untrained model with these settings")
        self.apply.clicked.connect(self.apply_model)

        self.train_settings = {s.field: s for s in section("train") if s.field in FORM_TRAIN}
        self.train_fields = {name: widget_for(s, available_devices() if name == "device" else None)
                             for name, s in self.train_settings.items()}
        self.lr, self.batch_size, self.epochs, self.seed, self.device = (self.train_fields[k] for k in FORM_TRAIN)

        model_box = QGroupBox("Model and data")
        self.model_form = form = QFormLayout(model_box)
        form.addRow("Dataset", self.dataset)
        for name, widget in self.fields.items():
            form.addRow(self.model_settings[name].label, widget)
        form.addRow(self.apply)
        self.own_model = QLabel()  # a plug-in on show: the form describes the next New model, not it
        self.own_model.setWordWrap(True)
        self.own_model.hide()
        form.addRow(self.own_model)
        train_box = QGroupBox("Optimiser")
        tform = QFormLayout(train_box)
        for name in FORM_TRAIN:
            tform.addRow(self.train_settings[name].label, self.train_fields[name])
        for f in (form, tform):
            f.setRowWrapPolicy(QFormLayout.WrapLongRows)  # fields under their labels in a narrow dock
        layout = QVBoxLayout(self)
        layout.addWidget(model_box)
        layout.addWidget(train_box)
        layout.addStretch(1)

        self.dataset.activated.connect(self._dataset_chosen)
        self.family.currentIndexChanged.connect(self._update_enabled)
        for name, widget in self.family_settings.items():
            edited_signal(widget).connect(lambda *_, n=name: self._live_edit(n))
        for widget in self.train_fields.values():
            edited_signal(widget).connect(self.apply_training)
        session.dataset_changed.connect(self._show_dataset)
        session.model_changed.connect(self._show_model)
        session.state_changed.connect(self._update_enabled)
        state.training_settings_set.connect(self._show_set)
        self._show_dataset()
        self._show_model()
        self._show_set("train.")  # the session's training settings, as they are

    _editing = False  # a live edit of the form is being applied

    # -- reading the form ---------------------------------------------------------------
    def settings(self) -> ModelSettings:
        values = {}
        for name, widget in self.fields.items():
            if name == "family":
                continue
            try:
                values[name] = exact(widget, read_value(widget, self.model_settings[name]),
                                     getattr(self.session.model_settings, name, None))
            except SettingError:
                values[name] = None if self.model_settings[name].optional else self.model_settings[name].default
        return ModelSettings(self.family.currentData(), **values)

    def train_config(self) -> TrainConfig:
        config = self.session.train_config
        values = {name: exact(w, read_value(w, self.train_settings[name]), getattr(config, name))
                  for name, w in self.train_fields.items()}
        return TrainConfig(**values, threads=config.threads)

    # -- actions ----------------------------------------------------------------------------
    def apply_model(self) -> bool:
        self.apply_training()
        return self.session.configure_model(self.settings())

    def apply_training(self, *_) -> None:
        self.session.set_train_config(self.train_config())

    def _live_edit(self, name: str) -> None:
        """A live setting edited during a run goes to the trainer at its next step."""
        setting = self.model_settings[name]
        if setting.live and self.session.state != "idle":
            self._editing = True  # the value comes from the form: it is not shown back under the cursor
            try:
                self.state.set(setting.name, read_value(self.fields[name], setting))
            except SettingError as e:
                self.session.error(str(e))
            finally:
                self._editing = False

    def choose_dataset(self, name: str, folder: str | None = None, **options) -> bool:
        """Load a dataset and build a model for it with the panel's settings (default layer sizes). A standard
        set whose arrays are not prepared yet (decoded once into the cache: minutes for CelebA) loads in a Job,
        its progress and Cancel in a dialog; True then means the loading started."""
        self.session.model_settings = self.settings().replace(hidden=None, arch="mlp", likelihood="auto")
        info = DATASETS.get(name)
        if info is not None and info.standard and needs_preparing(name, folder):
            return self._load_in_job(name, folder, options)
        return self.session.set_dataset(name, folder, **options)

    def _load_in_job(self, name: str, folder: str | None, options: dict) -> bool:
        if self.load_job is not None:
            self.session.error("a dataset is being prepared: wait for it or cancel it first")
            return False

        def work(report, cancelled) -> Dataset | str:
            try:
                return load_dataset(name, folder=folder, report=report, cancelled=cancelled)
            except DataError as e:
                return str(e)

        dialog = QProgressDialog(f"Preparing {name}: its images are decoded once into the cache…", "Cancel",
                                 0, 1000, self)
        dialog.setWindowTitle("Loading data")
        dialog.setWindowModality(Qt.WindowModal)  # the window waits for its data (Cancel stops it)
        dialog.setMinimumDuration(200)  # like the busy signs: only work that takes a while shows it
        job = Job(work, "latentlab-data", self)
        job.progress.connect(lambda f: dialog.setValue(int(f * 1000)))
        dialog.canceled.connect(job.cancel)

        def done(result: Dataset | str) -> None:
            if isinstance(result, str):
                self.session.error(result)
            else:
                self.session.set_dataset(name, folder, loaded=result, **options)

        def ended() -> None:
            dialog.canceled.disconnect(job.cancel)
            dialog.reset()
            dialog.deleteLater()
            self.load_job = None
            self._show_dataset()

        job.done.connect(done)
        job.failed.connect(self.session.error)
        job.ended.connect(ended)
        self.load_job = job.start()
        return True

    def open_path(self, path: str) -> bool:
        """Data from a file or folder (File > Open data…, a drop, this panel's entries); a folder of images
        asks for its image size first. False if cancelled or refused (with a message)."""
        p = Path(path).expanduser()
        options = {}
        if p.is_dir() and not has_idx_files(p):
            suggested = suggested_size(p)
            if suggested is None:  # nothing to size: the loader says what the folder holds
                return self.choose_dataset(str(p))
            side = self.ask_image_size(str(p), suggested)
            if side is None:
                return False
            if side != max(suggested) or suggested[0] == suggested[1]:
                options["size"] = side  # the suggested size as it is keeps its shape
        ok = self.choose_dataset(str(p), **options)
        self._show_dataset()
        return ok

    def _dataset_chosen(self, index: int) -> None:
        key = self.dataset.itemData(index)
        if key in FOLDER_ENTRIES or key == FILE_ENTRY:
            path = self.choose_file() if key == FILE_ENTRY else self.choose_folder(key)
            if path and FOLDER_ENTRIES.get(key, "folder") == "folder":
                self.open_path(path)
            elif path:
                self.choose_dataset(FOLDER_ENTRIES[key], path)
            self._show_dataset()  # back to the loaded dataset if cancelled or refused
            return
        if self.session.dataset is None or key != self._key(self.session.dataset):
            self.choose_dataset(key)
            self._show_dataset()

    def _folder_dialog(self, label: str) -> str | None:
        return QFileDialog.getExistingDirectory(self, label.rstrip("…")) or None

    def _file_dialog(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, "Open data", str(Path.cwd()), DATA_FILTER)
        return path or None

    def _size_dialog(self, folder: str, suggested: tuple[int, int]) -> int | None:
        h, w = suggested
        side, ok = QInputDialog.getInt(
            self, "Image size", f"Resize the images of {Path(folder).name} to how many pixels a side?\n"
            f"(their most common size, at most 64 a side, is {w}x{h}; keep {max(h, w)} to keep that shape)",
            max(h, w), 4, 256)
        return side if ok else None

    @staticmethod
    def _key(d) -> str:
        """A dataset's entry in the list: its name, or for data of the user's, its file or folder."""
        source = d.options.get("path") or d.options.get("folder")
        return str(source) if source and is_data_path(str(source)) and ":" in d.name else d.name

    # -- showing the session -----------------------------------------------------------------
    def _show_dataset(self) -> None:
        d = self.session.dataset
        if d is None:
            return
        key = self._key(d)
        index = self.dataset.findData(key)
        if index < 0:  # data of the user's: shown as its own entry, to go back to
            self.dataset.addItem(d.name, key)
            index = self.dataset.count() - 1
        self.dataset.setCurrentIndex(index)
        self.dataset.setToolTip(d.describe())
        self._update_enabled()

    def _show_model(self) -> None:
        s = self.session.model_settings
        model = self.session.model
        for name, widget in self.fields.items():
            setting = self.model_settings[name]
            value = s.family if name == "family" else getattr(s, name)
            if name == "hidden" and value is None and model is not None:  # the family's default: the model's sizes
                value = model.config.hidden
            show_value(widget, setting, value)
        title = getattr(model.config, "title", None) if model is not None and model.family == "plugin" else None
        self.own_model.setText(f"On show: {title}, a model of your own ({model.latent_dim}-D codes). "
                               "New model replaces it with a built-in one of the settings above." if title else "")
        self.own_model.setVisible(bool(title))
        self._update_enabled()

    def _show_set(self, name: str) -> None:
        """A model.* or train.* setting set by name (a lesson, a view): the form shows it, so that its next edit
        or New model keeps it. Shown, not edited: nothing is applied again (a live value would be marked twice).
        A value the form itself just set (a live edit, while typing) is not shown back."""
        if self._editing:
            return
        widgets = self.fields if name.startswith("model.") else self.train_fields
        for widget in widgets.values():
            widget.blockSignals(True)
        try:
            self._show_model() if name.startswith("model.") else self._show_training()
        finally:
            for widget in widgets.values():
                widget.blockSignals(False)

    def _show_training(self) -> None:
        config = self.session.train_config
        for name, widget in self.train_fields.items():
            show_value(widget, self.train_settings[name], getattr(config, name))

    def _update_enabled(self, *_) -> None:
        idle = self.session.state == "idle"
        family = self.family.currentData()
        fields = model_class(family).config_class.__dataclass_fields__
        for name, widget in self.fields.items():
            setting = self.model_settings[name]
            applies = name == "family" or name in fields
            widget.setEnabled(applies and (idle or setting.live))
            self.model_form.setRowVisible(widget, applies)  # only the chosen family's settings take room
            widget.setToolTip(setting.tooltip(running=not idle) if applies
                              else f"{family} has no {name.replace('_', ' ')} setting")
        for name, widget in self.train_fields.items():
            setting = self.train_settings[name]
            widget.setEnabled(idle or setting.live)
            widget.setToolTip(setting.tooltip(running=not idle))
        d = self.session.dataset
        conv_ok = d is not None and conv_shape_ok(tuple(d.data_shape))
        self.arch.setEnabled(idle and conv_ok)
        if not conv_ok:
            self.arch.setToolTip("the conv architecture needs square 28x28, 32x32 or 64x64 images")
            self.arch.setCurrentIndex(max(0, self.arch.findData("mlp")))
        for w in (self.dataset, self.apply):
            w.setEnabled(idle)
