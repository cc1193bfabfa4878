"""Model & data panel: dataset, model family and architecture, loss weights, optimiser settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import torch
from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from latentlab.core.corruption import CORRUPTIONS
from latentlab.core.data import DATASETS
from latentlab.core.models import families, model_class
from latentlab.core.models.base import CONV_SHAPE
from latentlab.core.training import TrainConfig
from latentlab.gui.session import ModelSettings, Session
from latentlab.gui.widgets.inputs import combo_box, float_box, int_box

FOLDER_ENTRIES = {"MNIST folder…": "mnist", "Fashion-MNIST folder…": "fashion-mnist", "Image folder…": "folder"}
# Family-specific settings: the config field each widget edits, its label, and what it means.
FAMILY_SETTINGS = {
    "beta": ("β (KL weight)", "weight of the KL term (0: reconstruction only)"),
    "recon_weight": ("Reconstruction weight", "weight of the reconstruction term (0: KL only)"),
    "mmd_weight": ("MMD weight", "weight of the MMD term between codes and N(0, I)"),
    "corruption": ("Corruption", "the corruption process C(x~|x) the DAE learns to undo"),
    "noise": ("Corruption level", "sigma of the Gaussian noise, or the fraction of pixels hit"),
    "walkback": ("Walkback steps", "extra corrupted samples per example from the model's own chain (0: none)"),
    "walkback_p": ("Walkback continue p", "probability of taking each further walkback step"),
    "noise_dist": ("Generator noise", "the noise the MMD net's generator maps to data"),
    "bandwidth": ("MMD bandwidths", "several fractions of the batch's median distance, or the median alone"),
    "noise_dim": ("Noise size", "GMMN+AE: the generator's noise dimension (the latent size is the AE's code)"),
}


def available_devices() -> list[str]:
    devices = ["auto", "cpu"]
    if torch.cuda.is_available():
        devices.append("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        devices.append("mps")
    return devices


def _value(widget: QWidget):
    return widget.currentData() if isinstance(widget, QComboBox) else widget.value()


def _set_value(widget: QWidget, value) -> None:
    if isinstance(widget, QComboBox):
        widget.setCurrentIndex(max(0, widget.findData(value)))
    else:
        widget.setValue(value)


class ModelDataPanel(QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
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
        self.family = QComboBox()
        for fam in families():
            self.family.addItem(fam, fam)
            self.family.setItemData(self.family.count() - 1, model_class(fam).description, 3)
        self.latent_dim = int_box(1, 512, 2)
        self.latent_dim.setToolTip("Size of the latent code; 2 can be drawn directly")
        self.hidden = QLineEdit()
        self.hidden.setPlaceholderText("default")
        self.hidden.setValidator(QRegularExpressionValidator(QRegularExpression(r"^([1-9]\d{0,4})(,[1-9]\d{0,4}){0,5}$")))
        self.hidden.setToolTip("Hidden layer sizes, comma-separated (e.g. 512,256); empty for the default")
        self.arch = QComboBox()
        self.arch.addItems(["mlp", "conv"])
        corruption = combo_box({cls.description: kind for kind, cls in CORRUPTIONS.items()})
        self.family_settings: dict[str, QWidget] = {
            "beta": float_box(0, 1000, 1.0),
            "recon_weight": float_box(0, 1000, 1.0),
            "mmd_weight": float_box(0, 100000, 100.0, decimals=1, step=10),
            "corruption": corruption,
            "noise": float_box(0, 10, 0.2, step=0.05),
            "walkback": int_box(0, 20, 0),
            "walkback_p": float_box(0, 1, 1.0, decimals=2),
            "noise_dist": combo_box({"uniform on [-1, 1]": "uniform", "Gaussian N(0, I)": "gaussian"}),
            "bandwidth": combo_box({"several (× median)": "multi", "median heuristic": "median"}),
            "noise_dim": int_box(1, 512, 10),
        }
        self.apply = QPushButton("New model")
        self.apply.setToolTip("Build a fresh, untrained model with these settings")
        self.apply.clicked.connect(self.apply_model)

        self.lr = float_box(1e-7, 1e4, 1e-3, decimals=7, step=1e-4)
        self.lr.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.lr.setToolTip("Adam learning rate")
        self.batch_size = int_box(1, 65536, 128)
        self.epochs = int_box(1, 100000, 20)
        self.epochs.setToolTip("Epochs to train each time Start is pressed")
        self.seed = int_box(0, 2**31 - 1, 0)
        self.device = QComboBox()
        self.device.addItems(available_devices())
        self.device.setToolTip("auto picks CUDA, then MPS, then the CPU")

        model_box = QGroupBox("Model and data")
        self.model_form = form = QFormLayout(model_box)
        form.addRow("Dataset", self.dataset)
        form.addRow("Model", self.family)
        form.addRow("Latent size", self.latent_dim)
        form.addRow("Hidden sizes", self.hidden)
        form.addRow("Architecture", self.arch)
        for name, widget in self.family_settings.items():
            form.addRow(FAMILY_SETTINGS[name][0], widget)
        form.addRow(self.apply)
        train_box = QGroupBox("Optimiser")
        tform = QFormLayout(train_box)
        tform.addRow("Learning rate", self.lr)
        tform.addRow("Batch size", self.batch_size)
        tform.addRow("Epochs per run", self.epochs)
        tform.addRow("Seed", self.seed)
        tform.addRow("Device", self.device)
        layout = QVBoxLayout(self)
        layout.addWidget(model_box)
        layout.addWidget(train_box)
        layout.addStretch(1)

        self.dataset.activated.connect(self._dataset_chosen)
        self.family.currentIndexChanged.connect(self._update_enabled)
        for w in (self.lr, self.batch_size, self.epochs, self.seed):
            w.valueChanged.connect(self.apply_training)
        self.device.currentIndexChanged.connect(self.apply_training)
        session.dataset_changed.connect(self._show_dataset)
        session.model_changed.connect(self._show_model)
        session.state_changed.connect(self._update_enabled)
        self._show_dataset()
        self._show_model()

    # -- reading the widgets ---------------------------------------------------------
    def settings(self) -> ModelSettings:
        text = self.hidden.text().strip()
        hidden = tuple(int(s) for s in text.split(",") if s) or None
        extra = {name: _value(w) for name, w in self.family_settings.items()}
        return ModelSettings(self.family.currentData(), self.latent_dim.value(), hidden, self.arch.currentText(),
                             **extra)

    def train_config(self) -> TrainConfig:
        return TrainConfig(epochs=self.epochs.value(), batch_size=self.batch_size.value(), lr=self.lr.value(),
                           seed=self.seed.value(), device=self.device.currentText(),
                           threads=self.session.train_config.threads)

    # -- actions -------------------------------------------------------------------
    def apply_model(self) -> bool:
        self.apply_training()
        return self.session.configure_model(self.settings())

    def apply_training(self, *_) -> None:
        self.session.set_train_config(self.train_config())

    def choose_dataset(self, name: str, folder: str | None = None) -> bool:
        """Load a dataset and build a model for it with the panel's settings (default layer sizes)."""
        self.session.model_settings = replace(self.settings(), hidden=None, arch="mlp")
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

    # -- showing the session --------------------------------------------------------
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
        self.family.setCurrentIndex(max(0, self.family.findData(s.family)))
        self.latent_dim.setValue(s.latent_dim)
        model = self.session.model
        hidden = model.config.hidden if model is not None else s.hidden
        self.hidden.setText(",".join(str(h) for h in hidden) if hidden else "")
        self.arch.setCurrentText(s.arch)
        for name, widget in self.family_settings.items():
            _set_value(widget, getattr(s, name))
        self._update_enabled()

    def _update_enabled(self, *_) -> None:
        idle = self.session.state == "idle"
        fields = model_class(self.family.currentData()).config_class.__dataclass_fields__
        family = self.family.currentData()
        for name, widget in self.family_settings.items():
            applies = name in fields
            widget.setEnabled(idle and applies)
            self.model_form.setRowVisible(widget, applies)  # only the chosen family's settings take room
            widget.setToolTip(FAMILY_SETTINGS[name][1] if applies else f"{family} has no {name.replace('_', ' ')} setting")
        d = self.session.dataset
        conv_ok = d is not None and tuple(d.data_shape) == CONV_SHAPE
        self.arch.setEnabled(idle and conv_ok)
        self.arch.setToolTip("mlp: fully connected; conv: a small conv net" if conv_ok
                             else "the conv architecture needs 28x28 greyscale images")
        if not conv_ok:
            self.arch.setCurrentText("mlp")
        for w in (self.dataset, self.family, self.latent_dim, self.hidden, self.apply, self.batch_size,
                  self.device, self.seed):
            w.setEnabled(idle)
