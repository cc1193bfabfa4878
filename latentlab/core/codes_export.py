"""Latent codes out of the application: a CSV with labels, and the files TensorBoard's Embedding
Projector (projector.tensorflow.org, or TensorBoard's Projector tab) opens: vectors.tsv, metadata.tsv,
a sprite image of the examples, and projector_config.pbtxt tying them together."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from latentlab.core.data import as_float
from latentlab.core.images import image_grid

SPRITE_MAX = 8192  # the Projector's largest sprite sheet, in pixels a side
SPRITE_CHUNK = 4096  # images converted (and shrunk) at a time


@dataclass(frozen=True)
class CodeTable:
    """One row per example: its split, index in that split, label (or -1) and latent code."""

    codes: np.ndarray  # [n, d]
    split: list[str]
    index: np.ndarray
    label: np.ndarray
    class_names: tuple[str, ...] = ()
    meta: dict[str, list[str]] | None = None  # the dataset's text columns (a CSV's, an npz's names), row by row

    def label_name(self, i: int) -> str:
        y = int(self.label[i])
        return self.class_names[y] if 0 <= y < len(self.class_names) else ("" if y < 0 else str(y))


def write_codes_csv(table: CodeTable, path: str | Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        meta = table.meta or {}
        out.writerow(["split", "index", "label", "class", *meta, *[f"z{k}" for k in range(table.codes.shape[1])]])
        for i in range(len(table.codes)):
            out.writerow([table.split[i], int(table.index[i]), int(table.label[i]), table.label_name(i),
                          *[column[i] for column in meta.values()], *[f"{v:.6g}" for v in table.codes[i]]])


def write_projector(table: CodeTable, folder: str | Path,
                    images: torch.Tensor | Sequence[torch.Tensor] | None = None) -> list[Path]:
    """The Projector's files in `folder`; `images` [n, C, H, W] (uint8, or floats in [0, 1]; or parts of them, in
    order: the rows' examples) become the sprite. Returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vectors, metadata, config = folder / "vectors.tsv", folder / "metadata.tsv", folder / "projector_config.pbtxt"
    np.savetxt(vectors, table.codes, delimiter="\t", fmt="%.6g")
    with open(metadata, "w", encoding="utf-8") as f:
        meta = table.meta or {}
        f.write("\t".join(["split", "index", "label", *(_tsv(k) for k in meta)]) + "\n")  # the Projector wants a header
        for i in range(len(table.codes)):
            f.write("\t".join([table.split[i], str(int(table.index[i])), table.label_name(i) or "-",
                               *(_tsv(column[i]) or "-" for column in meta.values())]) + "\n")
    lines = ["embeddings {", '  tensor_path: "vectors.tsv"', '  metadata_path: "metadata.tsv"']
    written = [vectors, metadata]
    if images is not None:
        sprite = folder / "sprite.png"
        h, w = write_sprite(images, sprite)
        lines += ["  sprite {", '    image_path: "sprite.png"', f"    single_image_dim: {w}",
                  f"    single_image_dim: {h}", "  }"]
        written.append(sprite)
    config.write_text("\n".join([*lines, "}"]) + "\n", encoding="utf-8")
    return [*written, config]


def write_sprite(images: torch.Tensor | Sequence[torch.Tensor], path: str | Path) -> tuple[int, int]:
    """All images (uint8 or floats in [0, 1]; a tensor or parts of them) in one square sheet without padding,
    row by row (the Projector's layout); images are shrunk when the sheet would pass SPRITE_MAX pixels a side,
    a chunk at a time (a large uint8 set is never held as floats whole). Returns one tile's height and width."""
    from PIL import Image

    parts = [images] if isinstance(images, torch.Tensor) else list(images)
    n, (h, w) = sum(len(p) for p in parts), parts[0].shape[2:]
    per_side = math.ceil(math.sqrt(n))
    shrink = max(1, math.ceil(per_side * max(h, w) / SPRITE_MAX))

    def tiles(chunk: torch.Tensor) -> torch.Tensor:
        chunk = as_float(chunk)
        return torch.nn.functional.avg_pool2d(chunk, shrink, ceil_mode=True) if shrink > 1 else chunk

    images = torch.cat([tiles(p[i:i + SPRITE_CHUNK]) for p in parts for i in range(0, len(p), SPRITE_CHUNK)])
    h, w = images.shape[2:]
    sheet = image_grid(images, nrow=per_side, padding=0)
    full = torch.zeros(sheet.shape[0], per_side * h, per_side * w)  # the grid of the last row may be short
    full[:, :sheet.shape[1], :sheet.shape[2]] = sheet
    array = (full * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    Image.fromarray(array[..., 0] if array.shape[2] == 1 else array).save(str(path))
    return h, w


def code_table(train_codes: np.ndarray, test_codes: np.ndarray, dataset) -> CodeTable:
    """Training rows, then held-out rows, of a core.data.Dataset whose codes these are (all of its rows)."""
    def labels(y, n):
        return np.full(n, -1) if y is None else y.numpy()

    return CodeTable(codes=np.concatenate([train_codes, test_codes]),
                     split=["train"] * len(train_codes) + ["test"] * len(test_codes),
                     index=np.concatenate([np.arange(len(train_codes)), np.arange(len(test_codes))]),
                     label=np.concatenate([labels(dataset.train_y, len(train_codes)),
                                           labels(dataset.test_y, len(test_codes))]),
                     class_names=tuple(dataset.class_names),
                     meta={k: list(v) + list(getattr(dataset, "test_meta", {}).get(k, [""] * len(test_codes)))
                           for k, v in getattr(dataset, "train_meta", {}).items()} or None)


def _tsv(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ")


def export_codes(table: CodeTable, folder: str | Path, dataset) -> list[Path]:
    """codes.csv and the Projector's files in `folder` (a sprite for image data)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_codes_csv(table, folder / "codes.csv")
    images = [dataset.train_x, dataset.test_x] if dataset.kind == "image" else None
    return [folder / "codes.csv", *write_projector(table, folder, images)]


def project_codes(table: CodeTable, kind: str, train_rows: int, params=None) -> tuple[np.ndarray, tuple[str, str]]:
    """The table's codes in the plane [n, 2] by `kind` (pca, umap or tsne, core/projections.py), fitted on
    the first `train_rows` (the training codes); the other rows are placed through the fit. And the axes' names."""
    from latentlab.core.latent import PCAProjection
    from latentlab.core.projections import KINDS, ProjectionParams, fit_projection

    if kind not in KINDS:
        raise ValueError(f"unknown projection {kind!r}; choose one of {', '.join(KINDS)}")
    train, rest = table.codes[:train_rows], table.codes[train_rows:]
    if kind == "pca":
        pca = PCAProjection.fit(torch.from_numpy(train))
        return pca.to_2d(torch.from_numpy(table.codes).float()).numpy(), pca.labels
    fit = fit_projection(train, params or ProjectionParams(kind))
    placed = fit.place(rest) if len(rest) else np.zeros((0, 2), np.float32)
    return np.concatenate([fit.embedding.numpy(), placed]), fit.labels


def write_projection_csv(table: CodeTable, xy: np.ndarray, axes: tuple[str, str], path: str | Path) -> None:
    """projection.csv: each example's split, index, label and class, and its place in the plane (its two
    columns named after the projection's axes, e.g. "UMAP 1", "UMAP 2")."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["split", "index", "label", "class", *axes])
        for i in range(len(xy)):
            out.writerow([table.split[i], int(table.index[i]), int(table.label[i]), table.label_name(i),
                          f"{xy[i, 0]:.6g}", f"{xy[i, 1]:.6g}"])
