"""Data of the user's (--data PATH): arrays, tables, image folders in colour, IDX folders, and their records."""

import struct
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

from latentlab.core.data import DataError, load_dataset
from latentlab.core.recipes import UntrustedFolder, dataset_from_record, dataset_record
from tests.core.test_data import make_mnist_folder


def test_npy_vectors_are_points(tmp_path):
    x = np.random.default_rng(0).normal(size=(50, 7)).astype(np.float32)
    np.save(tmp_path / "emb.npy", x)
    d = load_dataset(str(tmp_path / "emb.npy"))
    assert d.kind == "points" and d.data_shape == (7,) and d.name == "file:emb.npy"
    assert len(d.train_x) + len(d.test_x) == 50 and not d.has_labels
    assert torch.allclose(torch.cat([d.train_x, d.test_x]).sort(0).values, torch.from_numpy(x).sort(0).values)


def test_npz_with_text_labels_and_names(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "e.npz", x=rng.normal(size=(40, 3)), labels=np.array(["cat", "dog"] * 20),
             names=np.array([f"n{i}" for i in range(40)]))
    d = load_dataset(str(tmp_path / "e.npz"))
    assert d.class_names == ("cat", "dog") and d.has_labels
    assert len(d.train_meta["name"]) == len(d.train_x) and len(d.test_meta["name"]) == len(d.test_x)
    i = int(d.train_meta["name"][0][1:])  # the name follows its row through the split
    assert d.class_names[int(d.train_y[0])] == ["cat", "dog"][i % 2]


@pytest.mark.parametrize("shape", [(20, 12, 10), (20, 3, 12, 10), (20, 12, 10, 3)])
def test_image_arrays_any_channel_layout(tmp_path, shape):
    np.save(tmp_path / "im.npy", np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8))
    d = load_dataset(str(tmp_path / "im.npy"))
    channels = 3 if len(shape) == 4 else 1
    assert d.kind == "image" and d.data_shape == (channels, 12, 10)
    assert 0 <= d.value_range[0] and d.value_range[1] <= 1


def test_csv_header_label_and_metadata(tmp_path):
    rows = ["id,a,b,kind,note"] + [f"r{i},{i},{i * 2.5},{'xy'[i % 2]},n{i}" for i in range(30)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    d = load_dataset(str(tmp_path / "t.csv"))
    assert d.kind == "points" and d.data_shape == (2,)
    assert d.class_names == ("x", "y")  # the text column of few values is the label
    assert set(d.train_meta) == {"id", "note"}
    d2 = load_dataset(str(tmp_path / "t.csv"), label_column="note")
    assert len(d2.class_names) == 30 and set(d2.train_meta) == {"id", "kind"}


def test_tsv_without_header_and_numeric_label_column(tmp_path):
    (tmp_path / "t.tsv").write_text("".join(f"{i}\t{-i}\t{i % 3}\n" for i in range(20)))
    d = load_dataset(str(tmp_path / "t.tsv"), label_column="3")
    assert d.data_shape == (2,) and d.class_names == ("0", "1", "2")


def test_csv_bad_cell_names_column_and_line(tmp_path):
    rows = ["a,b"] + [f"{i},{i}" for i in range(10)]
    rows[6] = "5,oops"
    (tmp_path / "t.csv").write_text("\n".join(rows))
    with pytest.raises(DataError, match=r"column 'b', line 7: 'oops'"):
        load_dataset(str(tmp_path / "t.csv"))
    with pytest.raises(DataError, match="no column 'nope'; its columns are a, b"):
        load_dataset(str(tmp_path / "t.csv"), label_column="nope")


def test_nan_names_the_first_row(tmp_path):
    (tmp_path / "t.csv").write_text("a,b\n1,2\n3,4\n5,nan\n6,inf\n")
    with pytest.raises(DataError, match=r"line 4 \(row 2\) holds NaN or Inf \(2 row"):
        load_dataset(str(tmp_path / "t.csv"))
    x = np.ones((5, 2))
    x[3, 1] = np.inf
    np.save(tmp_path / "x.npy", x)
    with pytest.raises(DataError, match="row 3 holds NaN or Inf"):
        load_dataset(str(tmp_path / "x.npy"))


def test_bad_arrays_are_clear_errors(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="Python objects"):
        load_dataset(str(tmp_path / "obj.npy"))
    np.save(tmp_path / "flat.npy", np.arange(5.0))
    with pytest.raises(DataError, match=r"shaped \[N, ...\]"):
        load_dataset(str(tmp_path / "flat.npy"))
    np.savez(tmp_path / "nox.npz", y=np.arange(3))
    with pytest.raises(DataError, match="needs an array named x"):
        load_dataset(str(tmp_path / "nox.npz"))
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="not a readable NumPy file"):
        load_dataset(str(tmp_path / "junk.npz"))
    (tmp_path / "x.bin").write_bytes(b"1")
    with pytest.raises(DataError, match="cannot read .bin"):
        load_dataset(str(tmp_path / "x.bin"))
    with pytest.raises(DataError, match="no such file"):
        load_dataset(str(tmp_path / "missing.csv"))


def save(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path)


def bomb_png(path, side=20000):
    """A tiny PNG whose header claims side x side pixels (Pillow reads the header, never the pixels)."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = b"IDAT" + zlib.compress(b"\0")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
                     + struct.pack(">I", len(idat) - 4) + idat + struct.pack(">I", zlib.crc32(idat))
                     + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND")))


def test_colour_folder_stays_colour_with_classes_and_the_common_size(tmp_path):
    for i in range(6):
        save(tmp_path / "red" / f"{i}.png", np.full((20, 30, 3), (200, 10, 10)))
        save(tmp_path / "blue" / f"{i}.jpg", np.full((20, 30, 3), (10, 10, 200)))
    save(tmp_path / "red" / "odd.png", np.zeros((50, 50, 3)))
    (tmp_path / "red" / "broken.png").write_bytes(b"nope")
    bomb_png(tmp_path / "blue" / "bomb.png")
    d = load_dataset(str(tmp_path))
    assert d.kind == "image" and d.data_shape == (3, 20, 30) and d.class_names == ("blue", "red")
    assert len(d.train_x) + len(d.test_x) == 13
    reds = torch.cat([d.floats("train", d.train_y == 1), d.floats("test", d.test_y == 1)])
    assert (reds[:12, 0].mean() > reds[:12, 2].mean()) or reds[:, 0].mean() > reds[:, 2].mean()
    assert "skipped 1 unreadable file(s): broken.png" in d.notes
    assert "refused 1 image(s)" in d.notes and "bomb.png" in d.notes
    assert "2 different sizes" in d.notes
    assert load_dataset(str(tmp_path), size=8).data_shape == (3, 8, 8)


def test_grey_folder_is_detected_and_large_images_capped_at_64(tmp_path):
    for i in range(4):
        save(tmp_path / f"{i}.png", np.random.default_rng(i).integers(0, 256, (100, 100)))
    save(tmp_path / "rgb_but_grey.png", np.full((100, 100, 3), 77))
    d = load_dataset(str(tmp_path))
    assert d.data_shape == (1, 64, 64) and not d.has_labels


def test_folder_of_only_bad_images_is_refused(tmp_path):
    bomb_png(tmp_path / "bomb.png")
    (tmp_path / "x.png").write_bytes(b"nope")
    with pytest.raises(DataError, match="no readable images.*1 unreadable, 1 too large"):
        load_dataset(str(tmp_path))


def test_idx_folder_by_path_and_its_header_checked_before_reading(tmp_path):
    raw = make_mnist_folder(tmp_path)
    d = load_dataset(str(tmp_path))
    assert d.name == "mnist" and d.data_shape == (1, 28, 28) and len(d.train_x) == 12
    path = raw / "train-images-idx3-ubyte"
    data = bytearray(path.read_bytes())
    data[4:8] = struct.pack(">I", 2_000_000_000)  # claims 2e9 images: refused before any allocation
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"claims 2,000,000,000 items .* but the file holds 9,408 bytes"):
        load_dataset(str(tmp_path))
    path.write_bytes(b"\x08\x08\x08\x08")
    with pytest.raises(DataError, match="magic number"):
        load_dataset(str(tmp_path))


def test_a_file_dataset_is_recorded_by_path_and_reopened_only_when_trusted(tmp_path):
    (tmp_path / "t.csv").write_text("a,b,who\n" + "".join(f"{i},{i * i},{'pq'[i % 2]}\n" for i in range(20)))
    d = load_dataset(str(tmp_path / "t.csv"), label_column="who")
    record = dataset_record(d)
    assert record["folder"] == str((tmp_path / "t.csv").resolve())
    with pytest.raises(UntrustedFolder):
        dataset_from_record(record)
    again = dataset_from_record(record, trust_folder=True)
    assert torch.equal(again.train_x, d.train_x) and again.class_names == d.class_names


def test_a_colour_folder_record_reopens_at_its_size(tmp_path):
    for i in range(5):
        save(tmp_path / f"{i}.png", np.random.default_rng(i).integers(0, 256, (16, 16, 3)))
    d = load_dataset(str(tmp_path), size=8)
    again = dataset_from_record(dataset_record(d), trust_folder=True)
    assert again.data_shape == d.data_shape == (3, 8, 8)
    old = {"name": "folder:x", "folder": str(tmp_path), "options": {"size": 28, "seed": 0}}  # before colour
    assert dataset_from_record(old, trust_folder=True).data_shape == (1, 28, 28)
