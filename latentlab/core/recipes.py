"""Glue used by the CLI and the GUI alike: a model sized for a dataset, and a dataset's checkpoint record."""

from __future__ import annotations

from typing import Any

import torch

from latentlab.core.data import DataError, Dataset, load_dataset
from latentlab.core.data.named import NAMED
from latentlab.core.models import LatentModel, build_model, model_class

MAX_PARAMETERS = 200_000_000  # 3 GiB with Adam's state: far beyond the models this tool is for
DEFAULT_HIDDEN = {"image": (512, 256), "points": (128, 128)}


def model_for_dataset(family: str, dataset: Dataset, **settings: Any) -> LatentModel:
    """A new `family` model whose data shape and likelihood fit `dataset`; `settings` override the config.

    Settings the family does not have (e.g. beta for an autoencoder) are ignored, so one
    form of settings can serve every family.
    """
    fields = model_class(family).config_class.__dataclass_fields__
    config: dict[str, Any] = {
        "data_shape": dataset.data_shape,
        "likelihood": dataset.likelihood,
        "hidden": DEFAULT_HIDDEN[dataset.kind],
        "obs_sigma": 0.1,
    }
    config.update({k: v for k, v in settings.items() if v is not None and k in fields
                   and not (k == "likelihood" and v == "auto")})  # auto: the dataset's default
    with torch.device("meta"):  # sized first without memory: 65536-wide layers would take tens of GB
        count = sum(p.numel() for p in build_model(family, config).parameters())
    if count > MAX_PARAMETERS:
        raise ValueError(f"that model would have {count:,} parameters ({count * 16 / 2**30:.0f} GiB with the "
                         f"optimizer's state); latentlab builds at most {MAX_PARAMETERS:,}: use smaller layers")
    return build_model(family, config)


def dataset_record(dataset: Dataset, folder: str | None = None) -> dict[str, Any]:
    """What a checkpoint stores about its data: enough to load the same data again."""
    record = {"name": dataset.name, "kind": dataset.kind, "shape": list(dataset.data_shape),
              "class_names": list(dataset.class_names), "options": dataset.options}
    folder = folder or dataset.options.get("path")  # a file of the user's: a path, trusted like a folder
    if folder:
        record["folder"] = folder
    return record


MAX_TOY_POINTS = 2_000_000  # a checkpoint's record may not make us generate more than this (about 16 MB)
MAX_IMAGE_SIZE = 512


class UntrustedFolder(DataError):
    """A checkpoint names a data folder: it is read only when the user says they trust it."""

    def __init__(self, folder: str):
        super().__init__(f"the checkpoint names the data folder {folder}; it is read only if you trust the "
                         "checkpoint (--trust-data-folder, or yes when the window asks)")
        self.folder = folder


def _bounded_int(options: dict, key: str, low: int, high: int) -> None:
    value = options.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
        raise DataError(f"its dataset record's {key} must be a whole number in [{low:,}, {high:,}], got {value!r}")


def check_dataset_record(record: Any) -> dict[str, Any]:
    """A checkpoint's dataset record, its types and sizes checked (it may come from a stranger)."""
    if not isinstance(record, dict):
        raise DataError(f"its dataset record is not a JSON object (got {type(record).__name__})")
    name = record.get("name")
    if not isinstance(name, str) or not name:
        raise DataError("its dataset record has no dataset name")
    options = record.get("options") or {}
    if not isinstance(options, dict):
        raise DataError("its dataset record's options are not a JSON object")
    _bounded_int(options, "n", 2, MAX_TOY_POINTS)
    _bounded_int(options, "seed", 0, 2**63 - 1)
    for key in ("size", "height", "width"):
        _bounded_int(options, key, 1, MAX_IMAGE_SIZE)
    _bounded_int(options, "channels", 1, 3)
    if options.get("label_column") is not None and not isinstance(options.get("label_column"), str):
        raise DataError("its dataset record's label_column is not a column name")
    noise = options.get("noise")
    if noise is not None and (isinstance(noise, bool) or not isinstance(noise, (int, float))
                              or not 0 <= noise <= 100):
        raise DataError(f"its dataset record's noise must be a number in [0, 100], got {noise!r}")
    for key, where in (("folder", record), ("folder", options), ("path", options)):
        if where.get(key) is not None and not isinstance(where.get(key), str):
            raise DataError("its dataset record's folder is not a path")
    return record


def dataset_from_record(record: Any, trust_folder: bool = False) -> Dataset:
    """Load the dataset a checkpoint was trained on (toy sets with their recorded noise and seed).

    The record is checked first; a folder it names is read only with `trust_folder` (UntrustedFolder)."""
    record = check_dataset_record(record)
    name = record["name"]
    options = dict(record.get("options") or {})
    folder = record.get("folder") or options.get("folder") or options.get("path")
    if folder and not trust_folder:
        raise UntrustedFolder(folder)
    if name.startswith("folder:"):  # records older than colour folders: 28x28 grey
        if options.get("height") is None:
            options.setdefault("size", 28)
            options.setdefault("channels", 1)
        keep: dict[str, Any] = {k: options.get(k) for k in ("size", "height", "width", "channels", "seed")}
        return load_dataset("folder", folder=folder, **keep)
    if name.startswith("file:"):
        if not folder:
            raise DataError(f"its dataset record names the file {name[5:]} but not where it is")
        return load_dataset(folder, label_column=options.get("label_column"), seed=options.get("seed", 0))
    if name in NAMED:  # a standard set: from the folder it was read from, else the cache
        return load_dataset(name, folder=folder)
    keep = {k: options[k] for k in ("n", "noise", "seed", "size") if k in options}
    return load_dataset(name, **keep)
