"""Codes as CSV and as TensorBoard Embedding Projector files."""

import csv

import numpy as np
import pytest
import torch
from PIL import Image

from latentlab.core import codes_export
from latentlab.core.codes_export import CodeTable, code_table, export_codes, write_sprite
from latentlab.core.data import load_dataset


def test_csv_and_projector_files_describe_every_example(tmp_path):
    data = load_dataset("digits")
    rng = np.random.default_rng(0)
    train, test = rng.normal(size=(len(data.train_x), 3)), rng.normal(size=(len(data.test_x), 3))
    files = export_codes(code_table(train, test, data), tmp_path, data)
    assert {f.name for f in files} == {"codes.csv", "vectors.tsv", "metadata.tsv", "sprite.png",
                                       "projector_config.pbtxt"}
    rows = list(csv.DictReader(open(tmp_path / "codes.csv")))
    n = len(train) + len(test)
    assert len(rows) == n and rows[0]["split"] == "train" and rows[-1]["split"] == "test"
    assert int(rows[-1]["index"]) == len(test) - 1
    assert int(rows[5]["label"]) == int(data.train_y[5]) and rows[5]["class"] == data.class_names[data.train_y[5]]
    assert float(rows[5]["z2"]) == pytest.approx(train[5, 2], rel=1e-5)
    vectors = np.loadtxt(tmp_path / "vectors.tsv", delimiter="\t")
    assert vectors.shape == (n, 3) and np.allclose(vectors[:len(train)], train, rtol=1e-5)
    metadata = (tmp_path / "metadata.tsv").read_text().splitlines()
    assert metadata[0] == "split\tindex\tlabel" and len(metadata) == n + 1
    config = (tmp_path / "projector_config.pbtxt").read_text()
    assert 'tensor_path: "vectors.tsv"' in config and "single_image_dim: 8" in config


def test_the_sprite_holds_image_k_at_row_k_div_side_column_k_mod_side(tmp_path):
    images = torch.rand(10, 1, 4, 5)
    h, w = write_sprite(images, tmp_path / "s.png")
    sheet = np.asarray(Image.open(tmp_path / "s.png"), dtype=np.float32) / 255
    assert (h, w) == (4, 5) and sheet.shape == (4 * 4, 4 * 5)  # ceil(sqrt(10)) = 4 a side
    for k in (0, 3, 4, 9):
        r, c = divmod(k, 4)
        assert np.allclose(sheet[r * 4:(r + 1) * 4, c * 5:(c + 1) * 5], images[k, 0].numpy(), atol=1 / 255)


def test_a_sprite_that_would_be_too_large_is_shrunk(tmp_path, monkeypatch):
    monkeypatch.setattr(codes_export, "SPRITE_MAX", 40)
    h, w = write_sprite(torch.rand(30, 1, 8, 8), tmp_path / "s.png")  # 6 a side x 8 px = 48 > 40
    assert (h, w) == (4, 4) and Image.open(tmp_path / "s.png").size == (24, 24)


def test_points_without_labels_get_no_sprite(tmp_path):
    table = CodeTable(np.zeros((3, 2)), ["train"] * 3, np.arange(3), np.full(3, -1))
    files = codes_export.write_projector(table, tmp_path)
    assert "sprite" not in (tmp_path / "projector_config.pbtxt").read_text() and len(files) == 3
    assert (tmp_path / "metadata.tsv").read_text().splitlines()[1] == "train\t0\t-"
