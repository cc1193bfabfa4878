"""Glue used by the CLI and the GUI alike: a model sized for a dataset, and a dataset's checkpoint record."""

from __future__ import annotations

from typing import Any

from latentlab.core.data import Dataset, load_dataset
from latentlab.core.models import LatentModel, build_model, model_class

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
    config.update({k: v for k, v in settings.items() if v is not None and k in fields})
    return build_model(family, config)


def dataset_record(dataset: Dataset, folder: str | None = None) -> dict[str, Any]:
    """What a checkpoint stores about its data: enough to load the same data again."""
    record = {"name": dataset.name, "kind": dataset.kind, "shape": list(dataset.data_shape),
              "class_names": list(dataset.class_names), "options": dataset.options}
    if folder:
        record["folder"] = folder
    return record


def dataset_from_record(record: dict[str, Any]) -> Dataset:
    """Load the dataset a checkpoint was trained on (toy sets with their recorded noise and seed)."""
    name = record.get("name", "")
    options = dict(record.get("options") or {})
    if name.startswith("folder:"):
        return load_dataset("folder", folder=record.get("folder") or options.get("folder"),
                            size=options.get("size", 28), seed=options.get("seed", 0))
    if name in ("mnist", "fashion-mnist"):
        return load_dataset(name, folder=record.get("folder") or options.get("folder"))
    keep = {k: options[k] for k in ("n", "noise", "seed") if k in options}
    return load_dataset(name, **keep)
