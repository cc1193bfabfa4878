"""Checkpoints: round trips with optimizer state, atomic writes, and refusals of every bad file."""

import json
import pickle
import struct

import pytest
import torch

from latentlab.core.checkpoints import CheckpointError, load_checkpoint, read_metadata, save_checkpoint
from latentlab.core.data import load_dataset
from latentlab.core.models import build_model
from latentlab.core.recipes import dataset_from_record, dataset_record, model_for_dataset
from latentlab.core.training import TrainConfig, Trainer


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    data = load_dataset("moons", n=400)
    torch.manual_seed(0)
    model = model_for_dataset("vae", data, latent_dim=2, hidden=(16,), beta=0.5)
    trainer = Trainer(model, data, TrainConfig(epochs=2, batch_size=50, device="cpu"))
    trainer.run()
    path = tmp_path_factory.mktemp("ckpt") / "moons.safetensors"
    save_checkpoint(path, model, dataset_record(data), trainer.step, trainer.epoch, trainer.evaluate(),
                    trainer.optimizer.state_dict())
    return path, model, trainer, data


def test_round_trip_restores_weights_config_metadata_and_optimizer(trained):
    path, model, trainer, data = trained
    ckpt = load_checkpoint(path)
    assert type(ckpt.model) is type(model) and ckpt.model.config == model.config
    for a, b in zip(ckpt.model.state_dict().values(), model.state_dict().values()):
        assert torch.equal(a, b)
    assert ckpt.step == trainer.step and ckpt.epoch == 2 and "elbo" in ckpt.metrics
    assert ckpt.meta["latentlab_version"] and ckpt.meta["dataset"]["name"] == "moons"
    saved, live = ckpt.optimizer_state, trainer.optimizer.state_dict()
    assert saved["param_groups"] == live["param_groups"]
    for i, entry in live["state"].items():
        for key, value in entry.items():
            assert torch.equal(torch.as_tensor(saved["state"][i][key]), torch.as_tensor(value))
    # an optimizer accepts it, and the data can be rebuilt from the record
    torch.optim.Adam(ckpt.model.parameters()).load_state_dict(saved)
    assert torch.equal(dataset_from_record(ckpt.dataset).train_x, data.train_x)


def test_read_metadata_does_not_need_the_model(trained):
    assert read_metadata(trained[0])["family"] == "vae"


def test_save_is_atomic_and_leaves_no_temporaries(trained, tmp_path):
    path, model = tmp_path / "m.safetensors", trained[1]
    (tmp_path / ".m.safetensors.tmp-999999").write_bytes(b"half a file")  # left by a killed save
    save_checkpoint(path, model)
    assert load_checkpoint(path) and [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]
    with pytest.raises(CheckpointError, match="does not exist"):
        save_checkpoint(tmp_path / "missing" / "m.safetensors", model)


def refuse(path, match):
    with pytest.raises(CheckpointError, match=match) as info:
        load_checkpoint(path)
    assert str(path) in str(info.value)


def test_truncated_files_are_refused(trained, tmp_path):
    data = trained[0].read_bytes()
    for cut in (0, 4, 8, 50, len(data) // 2, len(data) - 1):
        bad = tmp_path / f"cut{cut}.safetensors"
        bad.write_bytes(data[:cut])
        refuse(bad, "short|header|corrupt|truncated")


def test_random_bytes_and_pickles_are_refused(tmp_path):
    (tmp_path / "random.bin").write_bytes(torch.randint(0, 256, (5000,), dtype=torch.uint8).numpy().tobytes())
    refuse(tmp_path / "random.bin", "not a latentlab checkpoint")
    (tmp_path / "notes.safetensors").write_text("weights\tto come\n" * 50)
    refuse(tmp_path / "notes.safetensors", "not a latentlab checkpoint but a text file")
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    evil.write_bytes(pickle.dumps(Evil()))
    refuse(evil, "not a latentlab checkpoint but a pickle")
    torch.save({"w": torch.ones(3)}, tmp_path / "torch.pt")
    refuse(tmp_path / "torch.pt", "but a torch.save file .* latentlab import --model-file")
    assert not marker.exists()


def rewrite_meta(src, dst, change):
    data = src.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = json.loads(header["__metadata__"]["latentlab"])
    change(meta, header)
    header["__metadata__"]["latentlab"] = json.dumps(meta)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    # keep the data offsets valid: the tensor bytes follow the new header unchanged
    dst.write_bytes(struct.pack("<Q", len(raw)) + raw + data[8 + n:])


def test_foreign_or_unknown_models_are_refused(trained, tmp_path):
    src = trained[0]
    cases = {
        "family": (lambda m, h: m.update(family="gan"), "unknown model family"),
        "version": (lambda m, h: m.update(format_version=99), "version 99"),
        "config": (lambda m, h: m["config"].update(latent_dim=5), "weights do not fit"),
        "format": (lambda m, h: m.update(format="other"), "does not describe"),
        "foreign": (lambda m, h: h["__metadata__"].update(x="1"), None),
    }
    for name, (change, match) in cases.items():
        dst = tmp_path / f"{name}.safetensors"
        rewrite_meta(src, dst, change)
        if match is None:
            assert load_checkpoint(dst)
        else:
            refuse(dst, match)
    from safetensors.torch import save_file
    save_file({"w": torch.ones(2)}, str(tmp_path / "plain.safetensors"))
    refuse(tmp_path / "plain.safetensors", "not a latentlab checkpoint")
    refuse(tmp_path / "absent.safetensors", "no such file")
    refuse(tmp_path, "not a file")


def test_huge_declared_header_is_refused_without_reading_it(tmp_path):
    bad = tmp_path / "huge.safetensors"
    bad.write_bytes(struct.pack("<Q", 2**60) + b"{}")
    refuse(bad, "not a latentlab checkpoint")


def test_a_half_precision_checkpoint_is_smaller_and_loads_as_float32(tmp_path):
    torch.manual_seed(0)
    model = build_model("vae", {"data_shape": (784,), "hidden": (64,), "latent_dim": 2})
    full = save_checkpoint(tmp_path / "full.safetensors", model)
    half = save_checkpoint(tmp_path / "half.safetensors", model, half=True)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    loaded = load_checkpoint(half)
    assert loaded.meta["stored_as"] == "float16" and loaded.optimizer_state is None
    for name, value in model.state_dict().items():
        got = loaded.model.state_dict()[name]
        assert got.dtype == value.dtype
        assert torch.equal(got, value.half().float() if value.is_floating_point() else value)
