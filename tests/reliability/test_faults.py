"""Faults a user or a machine can cause: out of memory, broken data of every kind."""

import struct

import numpy as np
import pytest
import torch
from PIL import Image

from latentlab.core.data import DataError, load_dataset
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import TrainConfig, Trainer
from tests.core.test_data import make_mnist_folder


def test_out_of_memory_names_the_cause_and_keeps_the_weights(monkeypatch):
    data = load_dataset("ring8", n=400)
    model = model_for_dataset("vae", data, hidden=(8,))
    trainer = Trainer(model, data, TrainConfig(epochs=5, batch_size=64, device="cpu"))
    before = [p.clone() for p in model.parameters()]

    def oom(batch):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 40.00 GiB")

    monkeypatch.setattr(model, "loss", oom)
    result = trainer.run()
    assert result.reason == "error" and "out of memory" in result.message and "batch size" in result.message
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    monkeypatch.undo()
    assert trainer.run().reason == "finished"  # and training works again


def test_mixed_image_sizes_are_resized_to_one(tmp_path):
    for i, size in enumerate([(10, 10), (40, 25), (7, 90), (64, 64)]):
        Image.fromarray(np.full(size[::-1], 30 * i, np.uint8)).save(tmp_path / f"{i}.png")
    d = load_dataset("folder", folder=str(tmp_path), size=12)
    assert d.train_x.shape[1:] == (1, 12, 12) and len(d.train_x) + len(d.test_x) == 4


def test_folder_of_non_images_says_what_it_looked_for(tmp_path):
    for name in ("a.txt", "b.csv", "c.json"):
        (tmp_path / name).write_text("x")
    (tmp_path / "fake.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match=r"no readable images.*\.png.*3 other file\(s\), 1 unreadable"):
        load_dataset("folder", folder=str(tmp_path))


def test_missing_label_file_is_named(tmp_path):
    raw = make_mnist_folder(tmp_path)
    (raw / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError, match="missing t10k-labels-idx1-ubyte"):
        load_dataset("mnist", folder=str(tmp_path))


def test_images_and_labels_that_disagree_are_refused(tmp_path):
    raw = make_mnist_folder(tmp_path)
    labels = np.zeros(3, np.uint8)  # 3 labels for 12 images
    (raw / "train-labels-idx1-ubyte").write_bytes(struct.pack(">II", 0x0801, 3) + labels.tobytes())
    with pytest.raises(DataError, match="do not match"):
        load_dataset("mnist", folder=str(tmp_path))


def test_garbage_idx_header_is_refused(tmp_path):
    raw = make_mnist_folder(tmp_path)
    (raw / "train-images-idx3-ubyte").write_bytes(b"\xff" * 64)
    with pytest.raises(DataError, match="not a valid IDX"):
        load_dataset("mnist", folder=str(tmp_path))
