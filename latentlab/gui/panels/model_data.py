"""Model & data panel: dataset, and a form built from the settings schema (model.*, train.*).

Every model family's settings come from its config dataclass: a new field declared there with
`setting(...)` appears here, as a flag of `latentlab train`, in `latentlab settings` and for --set,
with no change to this file. Only the chosen family's settings are shown. While a run is going,
the settings marked live stay editable and reach the trainer at its next step; the others are
locked and their tooltip says why.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from PySide6.QtWidgets import QComboBox, QFileDialog, QFormLayout, QGroupBox, QPushButton, QVBoxLayout, QWidget

from latentlab.core.data import DATASETS
from latentlab.core.models import model_class
from latentlab.core.models.base import CONV_SHAPE
from latentlab.core.settings import SettingError
from latentlab.core.training import TrainConfig
from latentlab.gui.widgets.setting_widgets import edited_signal, read_value, show_value, widget_for
from latentlab.state.app import AppState
from latentlab.state.model_settings import ModelSettings
from latentlab.state.schema import section

FOLDER_ENTRIES = {"MNIST folder…": "mnist", "Fashion-MNIST folder…": "fashion-mnist", "Image folder…": "folder"}
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
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.session = session = state.session
        # Replaced in tests; by default a folder dialog.
        self.choose_folder: Callable[[str], str | None] = self._folder_dialog

        self.dataset = QComboBox()
        self.dataset.setToolTip("The data to train on. Folder entries read MNIST IDX files or images from disk.")
        for name, info in DATASETS.items():
            if not info.needs_folder:
                self.dataset.addItem(name, name)
                self.dataset.setItemData(self.dataset.count() - 1, info.description, 3)  # tooltip role
        for label in FOLDER_ENTRIES:
            self.dataset.addItem(label, label)

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
        train_box = QGroupBox("Optimiser")
        tform = QFormLayout(train_box)
        for name in FORM_TRAIN:
            tform.addRow(self.train_settings[name].label, self.train_fields[name])
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
        self._show_dataset()
        self._show_model()

    # -- reading the form ---------------------------------------------------------------
    def settings(self) -> ModelSettings:
        values = {}
        for name, widget in self.fields.items():
            if name == "family":
                continue
            try:
                values[name] = read_value(widget, self.model_settings[name])
            except SettingError:
                values[name] = None if self.model_settings[name].optional else self.model_settings[name].default
        return ModelSettings(self.family.currentData(), **values)

    def train_config(self) -> TrainConfig:
        values = {name: read_value(w, self.train_settings[name]) for name, w in self.train_fields.items()}
        return TrainConfig(**values, threads=self.session.train_config.threads)

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
            try:
                self.state.set(setting.name, read_value(self.fields[name], setting))
            except SettingError as e:
                self.session.error(str(e))

    def choose_dataset(self, name: str, folder: str | None = None) -> bool:
        """Load a dataset and build a model for it with the panel's settings (default layer sizes)."""
        self.session.model_settings = self.settings().replace(hidden=None, arch="mlp")
        return self.session.set_dataset(name, folder)

    def _dataset_chosen(self, index: int) -> None:
        key = self.dataset.itemData(index)
        if key in FOLDER_ENTRIES:
            folder = self.choose_folder(key)
            if folder:
                self.choose_dataset(FOLDER_ENTRIES[key], folder)
            self._show_dataset()  # back to the loaded dataset if cancelled or refused
            return
        if self.session.dataset is None or key != self.session.dataset.name:
            self.choose_dataset(key)
            self._show_dataset()

    def _folder_dialog(self, label: str) -> str | None:
        return QFileDialog.getExistingDirectory(self, label.rstrip("…")) or None

    # -- showing the session -----------------------------------------------------------------
    def _show_dataset(self) -> None:
        d = self.session.dataset
        if d is None:
            return
        index = self.dataset.findData(d.name)
        if index < 0:  # a folder dataset: show it as its own entry
            self.dataset.addItem(d.name, d.name)
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
            if name == "hidden" and model is not None:
                value = model.config.hidden
            show_value(widget, setting, value)
        self._update_enabled()

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
        conv_ok = d is not None and tuple(d.data_shape) == CONV_SHAPE
        self.arch.setEnabled(idle and conv_ok)
        if not conv_ok:
            self.arch.setToolTip("the conv architecture needs 28x28 greyscale images")
            self.arch.setCurrentIndex(max(0, self.arch.findData("mlp")))
        for w in (self.dataset, self.apply):
            w.setEnabled(idle)
