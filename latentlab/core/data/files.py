"""Data from a file or folder the user names (`--data PATH`): .npy/.npz arrays, .csv/.tsv tables, a folder of
images (subfolders as classes) or an IDX folder. Vectors become "points" data, [N, H, W] or [N, C, H, W]
arrays become images; labels and other text columns ride along (labels for colour, the rest as metadata).

Every problem is a DataError of one line naming the file and, where there is one, the column and line or row.
Shapes and sizes are checked before anything big is allocated."""

from __future__ import annotations

import csv
import io
import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from latentlab.core.data.base import DataError, Dataset, split_meta, split_rows
from latentlab.core.data.folders import check_fits, has_idx_files, load_image_folder, load_mnist_folder

ARRAY_SUFFIXES = (".npy", ".npz")
TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
LABEL_NAMES = ("label", "labels", "class", "target", "category")  # a column so named is the label
MAX_AUTO_CLASSES = 50  # a text column with at most this many values (and repeats) is taken as the label
MAX_CLASSES = 1000  # more distinct labels than this is not a classification: it is kept as metadata


def is_data_path(name: str) -> bool:
    """Whether a --data value names a file or folder rather than a registered dataset."""
    path = Path(name).expanduser()
    return path.exists() or "/" in name or "\\" in name or path.suffix.lower() in ARRAY_SUFFIXES + TABLE_SUFFIXES


def load_path(path: str | Path, label_column: str | None = None, size: int | None = None, seed: int = 0,
              **options: Any) -> Dataset:
    """The dataset in a file or folder, by its kind (see the module's docstring)."""
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(f"{p}: no such file or folder")
    if p.is_dir():
        if has_idx_files(p):
            name = "fashion-mnist" if "fashion" in str(p).lower() else "mnist"
            return load_mnist_folder(p, name)
        return load_image_folder(p, size=size, seed=seed, height=options.get("height"),
                                 width=options.get("width"), channels=options.get("channels"))
    suffix = p.suffix.lower()
    if suffix in ARRAY_SUFFIXES:
        x, y, names, meta = read_arrays(p)
    elif suffix in TABLE_SUFFIXES:
        x, y, names, meta = read_table(p, label_column)
    else:
        raise DataError(f"{p}: cannot read {suffix or 'a file without a suffix'} as data; give a .npy, .npz, "
                        ".csv or .tsv file, or a folder of images or IDX files")
    return _dataset(p, x, y, names, meta, seed, label_column)


def _dataset(p: Path, x: np.ndarray, y: np.ndarray | None, class_names: tuple[str, ...],
             meta: dict[str, list[str]], seed: int, label_column: str | None) -> Dataset:
    kind, tensor = _as_tensor(p, x)
    train, test = split_rows(len(tensor), seed=seed)
    labels = None if y is None else torch.from_numpy(y.astype(np.int64))
    train_meta, test_meta = split_meta(meta, train, test)
    options: dict[str, Any] = {"path": str(p.resolve()), "seed": seed}
    if label_column:
        options["label_column"] = label_column
    return Dataset(f"file:{p.name}", kind, tensor[train], tensor[test],
                   None if labels is None else labels[train], None if labels is None else labels[test],
                   class_names if labels is not None else (), options=options,
                   train_meta=train_meta, test_meta=test_meta)


def _as_tensor(p: Path, x: np.ndarray) -> tuple[str, torch.Tensor]:
    """[N, D] vectors as points; [N, H, W], [N, C, H, W] or [N, H, W, C] (C 1 or 3) as images: uint8 kept as
    uint8, other numbers in [0, 1] as float32."""
    if x.ndim < 2:
        raise DataError(f"{p}: data must be shaped [N, ...] with one example a row, got shape {x.shape}")
    if len(x) < 2:
        raise DataError(f"{p}: need at least 2 examples, got {len(x)}")
    if x.dtype.kind not in "biuf":
        raise DataError(f"{p}: data must be numbers, got {x.dtype}")
    if x.dtype.kind == "f":
        finite = np.isfinite(x.reshape(len(x), -1)).all(axis=1)
        if not finite.all():
            row = int(np.argmin(finite))
            raise DataError(f"{p}: row {row} holds NaN or Inf ({int((~finite).sum())} row(s) do)")
    if x.ndim == 2:
        return "points", torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    if x.ndim == 4 and x.shape[1] not in (1, 3) and x.shape[3] in (1, 3):
        x = x.transpose(0, 3, 1, 2)  # channels last, as images usually come
    elif x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4 or x.shape[1] not in (1, 3):
        raise DataError(f"{p}: arrays of images are [N, H, W], [N, C, H, W] or [N, H, W, C] with 1 or 3 channels; "
                        f"got shape {x.shape} (flatten to [N, D] for vectors)")
    if x.dtype == np.uint8:
        return "image", torch.from_numpy(np.ascontiguousarray(x))
    low, high = float(x.min()), float(x.max())
    if low < 0 or high > 1:
        raise DataError(f"{p}: image arrays must be uint8 or numbers in [0, 1]; these lie in [{low:g}, {high:g}]")
    return "image", torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))


def _labels(p: Path, values: np.ndarray, n: int, what: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer class indices and class names from a column of labels (numbers or text)."""
    values = np.asarray(values)
    if values.ndim != 1 or len(values) != n:
        raise DataError(f"{p}: {what} must hold one label per example ({n}), got shape {values.shape}")
    if values.dtype.kind in "iu" or (values.dtype.kind == "f" and np.isfinite(values).all()
                                     and (values == np.round(values)).all()):
        ints = values.astype(np.int64)
        if ints.min() >= 0 and ints.max() < MAX_CLASSES:
            return ints, tuple(str(i) for i in range(int(ints.max()) + 1))
    text = values.astype(str)
    classes, index = np.unique(text, return_inverse=True)
    return index.astype(np.int64), tuple(str(c) for c in classes)


def _npy_header(f) -> tuple[tuple[int, ...], np.dtype]:
    version = np.lib.format.read_magic(f)
    shape, _, dtype = (np.lib.format.read_array_header_1_0(f) if version == (1, 0)
                       else np.lib.format.read_array_header_2_0(f))
    return shape, dtype


def _check_header(p: Path, key: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
    if dtype.hasobject:
        raise DataError(f"{p}: {key} holds Python objects, which are not read (they could run code); "
                        "save numbers or strings")
    check_fits(math.prod(shape) * max(dtype.itemsize, 4) * 2, f"{p}: {key} {shape}")


def read_arrays(p: Path) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...], dict[str, list[str]]]:
    """x, labels, class names and metadata from a .npy (x alone) or .npz (x; y or labels; names)."""
    try:
        if p.suffix.lower() == ".npy":
            with open(p, "rb") as f:
                shape, dtype = _npy_header(f)
            _check_header(p, "its array", shape, dtype)
            return np.load(p, allow_pickle=False), None, (), {}
        with zipfile.ZipFile(p) as z:
            keys = {n[:-4]: n for n in z.namelist() if n.endswith(".npy")}
            if "x" not in keys:
                raise DataError(f"{p}: an .npz needs an array named x (it holds {', '.join(sorted(keys)) or 'none'})")
            for key, member in keys.items():
                with z.open(member) as f:
                    _check_header(p, key, *_npy_header(f))
        with np.load(p, allow_pickle=False) as arrays:
            x = arrays["x"]
            label_key = "y" if "y" in arrays else "labels" if "labels" in arrays else None
            y, classes = (None, ()) if label_key is None else _labels(p, arrays[label_key], len(x), label_key)
            meta = {}
            if "names" in arrays:
                names = arrays["names"]
                if names.ndim != 1 or len(names) != len(x):
                    raise DataError(f"{p}: names must hold one name per example ({len(x)}), got shape {names.shape}")
                meta["name"] = [str(v) for v in names]
        return x, y, classes, meta
    except DataError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise DataError(f"{p}: not a readable NumPy file ({e or type(e).__name__})") from None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def read_table(p: Path, label_column: str | None = None
               ) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...], dict[str, list[str]]]:
    """A .csv or .tsv: numeric columns as data, a label column, other text columns as metadata.

    The header is detected (a first line with text above numbers). A column mostly of numbers is data, and a
    cell in it that is not a number is an error naming the column and line; a column mostly of text is
    metadata, or the label: the column --label-column names, else one called label, class, target or category,
    else the text column of fewest values (at most 50, each on average twice or more)."""
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{p}: cannot read it as text ({e})") from None
    delimiter = "\t" if p.suffix.lower() in (".tsv", ".tab") else _delimiter(text)
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    lines = [i + 1 for i, r in enumerate(rows)]
    kept = [(line, r) for line, r in zip(lines, rows) if any(c.strip() for c in r)]
    if not kept:
        raise DataError(f"{p}: the file is empty")
    first = kept[0][1]
    header = len(kept) > 1 and any(_number(a) is None and _number(b) is not None
                                   for a, b in zip(first, kept[1][1])) or all(_number(c) is None for c in first)
    names = [c.strip() or f"column {i + 1}" for i, c in enumerate(first)] if header else \
        [str(i + 1) for i in range(len(first))]
    body = kept[1:] if header else kept
    if len(body) < 2:
        raise DataError(f"{p}: need at least 2 rows of data, got {len(body)}")
    for line, r in body:
        if len(r) != len(names):
            raise DataError(f"{p}: line {line} has {len(r)} columns, the {'header' if header else 'first line'} "
                            f"has {len(names)}")
    columns = list(zip(*(r for _, r in body)))
    numeric = [sum(_number(v) is not None for v in col) * 2 >= len(col) for col in columns]  # half or more
    if label_column:
        if label_column not in names:
            raise DataError(f"{p}: no column {label_column!r}; its columns are {', '.join(names)}")
        label = names.index(label_column)
    else:
        label = next((i for i, n in enumerate(names) if n.lower() in LABEL_NAMES), -1)
        if label < 0:  # else the text column of fewest distinct values, if it looks like classes
            counts = {i: len(set(columns[i])) for i in range(len(names)) if not numeric[i]}
            best = min(counts, key=lambda i: counts[i], default=-1)
            if best >= 0 and counts[best] <= MAX_AUTO_CLASSES and counts[best] * 2 <= len(body):
                label = best
    data_cols = [i for i in range(len(names)) if numeric[i] and i != label]
    if not data_cols:
        raise DataError(f"{p}: no numeric columns besides the label (columns: {', '.join(names)})")
    x = np.empty((len(body), len(data_cols)), dtype=np.float32)
    for j, i in enumerate(data_cols):
        for k, v in enumerate(columns[i]):
            number = _number(v)
            if number is None:
                raise DataError(f"{p}: column {names[i]!r}, line {body[k][0]}: {v.strip()!r} is not a number "
                                "(name it with --label-column if it is the label)")
            x[k, j] = number
    bad = ~np.isfinite(x).all(axis=1)
    if bad.any():
        k = int(np.argmax(bad))
        raise DataError(f"{p}: line {body[k][0]} (row {k}) holds NaN or Inf ({int(bad.sum())} row(s) do)")
    y: np.ndarray | None = None
    classes: tuple[str, ...] = ()
    if label >= 0:
        values = [v.strip() for v in columns[label]]
        y, classes = _labels(p, np.array(values if not numeric[label] else [_number(v) for v in values]),
                             len(body), f"column {names[label]!r}")
    meta = {names[i]: [v.strip() for v in columns[i]] for i in range(len(names))
            if not numeric[i] and i != label}
    return x, y, classes, meta


def _delimiter(text: str) -> str:
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","
