"""The standard datasets (core/data/named.py), fetched from a local HTTP server on 127.0.0.1 that serves tiny
archives in the real formats: no test reaches the internet, and nothing downloads without download=True."""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import struct
import tarfile
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from latentlab.core.data import DATASETS, DataError, load_dataset, named

RNG = np.random.default_rng(0)


def idx_bytes(a: np.ndarray) -> bytes:
    a = np.asarray(a, dtype=np.uint8)
    return struct.pack(">I", 0x0800 + a.ndim) + b"".join(struct.pack(">I", d) for d in a.shape) + a.tobytes()


def mnist_files(n_train=6, n_test=3) -> dict[str, bytes]:
    parts = {"train-images-idx3-ubyte": RNG.integers(0, 256, (n_train, 28, 28)),
             "train-labels-idx1-ubyte": np.arange(n_train) % 10,
             "t10k-images-idx3-ubyte": RNG.integers(0, 256, (n_test, 28, 28)),
             "t10k-labels-idx1-ubyte": np.arange(n_test) % 10}
    return {f"{k}.gz": gzip.compress(idx_bytes(v)) for k, v in parts.items()}


def emnist_files() -> dict[str, bytes]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for part, n in (("train", 5), ("test", 2)):
            z.writestr(f"gzip/emnist-letters-{part}-images-idx3-ubyte.gz",
                       gzip.compress(idx_bytes(RNG.integers(0, 256, (n, 28, 28)))))
            z.writestr(f"gzip/emnist-letters-{part}-labels-idx1-ubyte.gz", gzip.compress(idx_bytes(np.arange(n) + 1)))
        z.writestr("gzip/emnist-digits-train-images-idx3-ubyte.gz", b"not read")
    return {"gzip.zip": buf.getvalue()}


def cifar_files(per_batch=2) -> dict[str, bytes]:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in named.CIFAR_BATCHES + ("batches.meta",):
            batch = {"data": RNG.integers(0, 256, (per_batch, 3072)).astype(np.uint8),
                     "labels": [i % 10 for i in range(per_batch)]}
            raw = pickle.dumps(batch, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return {"cifar-10-python.tar.gz": buf.getvalue()}


def svhn_files() -> dict[str, bytes]:
    from scipy.io import savemat

    out = {}
    for name, n in (("train_32x32.mat", 4), ("test_32x32.mat", 2)):
        buf = io.BytesIO()
        savemat(buf, {"X": RNG.integers(0, 256, (32, 32, 3, n)).astype(np.uint8),
                      "y": np.array([[10], [1], [2], [3]][:n], dtype=np.uint8)})
        out[name] = buf.getvalue()
    return out


def celeba_files() -> dict[str, bytes]:
    buf = io.BytesIO()
    names = [f"{i:06d}.jpg" for i in range(1, 5)]
    with zipfile.ZipFile(buf, "w") as z:
        for name in names:
            jpg = io.BytesIO()
            Image.fromarray(RNG.integers(0, 256, (218, 178, 3)).astype(np.uint8)).save(jpg, "JPEG")
            z.writestr(f"img_align_celeba/{name}", jpg.getvalue())
    partition = "".join(f"{n} {p}\n" for n, p in zip(names, (0, 0, 1, 2)))
    return {"img_align_celeba.zip": buf.getvalue(), "list_eval_partition.txt": partition.encode()}


BUILDERS = {"mnist": mnist_files, "fashion-mnist": mnist_files, "kmnist": mnist_files, "emnist-letters": emnist_files,
            "cifar10": cifar_files, "svhn": svhn_files, "celeba": celeba_files}
EXPECTED = {  # name: (train, test, shape, labelled)
    "mnist": (6, 3, (1, 28, 28), True), "fashion-mnist": (6, 3, (1, 28, 28), True),
    "kmnist": (6, 3, (1, 28, 28), True), "emnist-letters": (5, 2, (1, 28, 28), True),
    "cifar10": (10, 2, (3, 32, 32), True), "svhn": (4, 2, (3, 32, 32), True), "celeba": (3, 1, (3, 64, 64), False),
}


class Mirror:
    """A folder served over HTTP on 127.0.0.1: SET/FILE, each file's MD5 made the expected one."""

    def __init__(self, root: Path, monkeypatch):
        self.root, self.monkeypatch, self.requests = root, monkeypatch, []
        mirror = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *args):
                mirror.requests.append(self.path)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def serve(self, name: str, files: dict[str, bytes] | None = None) -> dict[str, bytes]:
        files = files if files is not None else BUILDERS[name]()
        (self.root / name).mkdir(exist_ok=True)
        for filename, data in files.items():
            (self.root / name / filename).write_bytes(data)
            self.monkeypatch.setitem(named.MD5, f"{name}/{filename}", hashlib.md5(data).hexdigest())
        return files


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    named._files(named.NAMED["mnist"])  # torchvision's checksums first: the test's own replace them, then return
    (tmp_path / "www").mkdir()
    m = Mirror(tmp_path / "www", monkeypatch)
    monkeypatch.setenv(named.MIRROR_ENV, m.url)
    yield m
    m.server.shutdown()
    m.server.server_close()


@pytest.mark.parametrize("name", list(BUILDERS))
def test_each_set_downloads_from_the_mirror_then_reads_offline(mirror, tmp_path, name):
    mirror.serve(name)
    with pytest.raises(DataError, match=f"{name} is not on this computer: missing .*--download"):
        load_dataset(name)
    assert mirror.requests == []  # nothing fetched unasked
    d = load_dataset(name, download=True)
    n_train, n_test, shape, labelled = EXPECTED[name]
    assert (len(d.train_x), len(d.test_x), d.data_shape) == (n_train, n_test, shape)
    assert d.kind == "image" and d.train_x.dtype == torch.uint8 and 0 <= d.floats("train").max() <= 1
    assert d.has_labels == labelled and (not labelled or d.train_y.dtype == torch.int64)
    assert d.likelihood == "bernoulli" and (tmp_path / "cache" / "latentlab" / name).is_dir()
    fetched = len(mirror.requests)
    again = load_dataset(name)  # offline now: from the cache, nothing fetched
    assert len(mirror.requests) == fetched and torch.equal(again.train_x, d.train_x)


def test_formats_are_read_as_torchvision_reads_them(mirror):
    files = mirror.serve("svhn")
    d = load_dataset("svhn", download=True)
    assert d.train_y.tolist() == [0, 1, 2, 3]  # label 10 is the digit 0
    from scipy.io import loadmat

    x = loadmat(io.BytesIO(files["train_32x32.mat"]))["X"]
    assert torch.equal(d.floats("train", [1])[0], torch.from_numpy(x[..., 1].transpose(2, 0, 1)).float() / 255)
    mirror.serve("emnist-letters")
    e = load_dataset("emnist-letters", download=True)
    assert e.train_y.tolist() == [0, 1, 2, 3, 4] and e.class_names[:2] == ("a", "b")  # labels 1..26 -> a..z


def test_a_corrupt_cached_archive_is_named_and_download_replaces_it(mirror, tmp_path):
    mirror.serve("cifar10")
    cached = tmp_path / "cache" / "latentlab" / "cifar10" / "cifar-10-python.tar.gz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"\x1f\x8b cut short")
    with pytest.raises(DataError, match="cifar-10-python.tar.gz is corrupt or incomplete.*--download"):
        load_dataset("cifar10")
    assert load_dataset("cifar10", download=True).data_shape == (3, 32, 32)


def test_a_bad_download_is_not_kept_and_an_unreachable_one_is_one_line(mirror, tmp_path, monkeypatch):
    mirror.serve("cifar10")
    monkeypatch.setitem(named.MD5, "cifar10/cifar-10-python.tar.gz", "0" * 32)
    with pytest.raises(DataError, match="does not match its MD5.*not kept"):
        load_dataset("cifar10", download=True)
    assert not any((tmp_path / "cache" / "latentlab" / "cifar10").iterdir())
    with pytest.raises(DataError, match=r"cannot download .*/svhn/train_32x32.mat.*offline\?"):
        load_dataset("svhn", download=True)  # not served: 404


def test_a_given_folder_is_read_alone_and_in_torchvisions_layout(mirror, tmp_path):
    files = cifar_files()
    root = tmp_path / "mine"
    root.mkdir()
    with pytest.raises(DataError, match=f"missing cifar-10-python.tar.gz .* in {root} \\(the --data-dir given\\)"):
        load_dataset("cifar10", folder=str(root))
    with tarfile.open(fileobj=io.BytesIO(files["cifar-10-python.tar.gz"])) as tar:
        tar.extractall(root, filter="data")  # torchvision's extracted cifar-10-batches-py
    d = load_dataset("cifar10", folder=str(root))
    assert d.data_shape == (3, 32, 32) and d.options["folder"] == str(root) and mirror.requests == []
    (root / "cifar-10-batches-py" / "test_batch").write_bytes(pickle.dumps({"data": [print]}))
    with pytest.raises(DataError, match="test_batch is not a CIFAR-10 batch.*builtins.print"):
        load_dataset("cifar10", folder=str(root))  # never unpickles anything but arrays


def test_large_sets_are_prepared_once_and_memory_mapped(mirror, tmp_path, monkeypatch):
    monkeypatch.setattr(named, "PREPARE_ABOVE", 0)
    mirror.serve("celeba")
    first = load_dataset("celeba", download=True)
    prepared = list((tmp_path / "cache" / "latentlab" / "prepared").iterdir())
    assert len(prepared) == 1 and (prepared[0] / "train_x.npy").is_file()
    assert "celeba-64px-" in prepared[0].name  # keyed by the source files and the image size
    monkeypatch.setattr(named, "_read_celeba", None)  # the reader is not needed again
    monkeypatch.setitem(named.NAMED, "celeba", named.NAMED["celeba"].__class__(
        **{**named.NAMED["celeba"].__dict__, "reader": None}))
    again = load_dataset("celeba")
    assert again.train_x.dtype == torch.uint8 and torch.equal(again.train_x, first.train_x)
    maps = Path("/proc/self/maps")
    if maps.exists():  # Linux: the arrays are the cache's files, mapped, not copies in memory
        assert str(prepared[0] / "train_x.npy") in maps.read_text()


def test_a_set_larger_than_memory_is_built_on_disk_with_progress_a_cancel_or_failure_leaves_nothing(
        mirror, tmp_path, monkeypatch):
    from latentlab.core.progress import Cancelled

    monkeypatch.setattr(named, "PREPARE_ABOVE", 0)
    monkeypatch.setattr(named, "DISK_MARGIN", 0)
    mirror.serve("celeba")
    prepared = tmp_path / "cache" / "latentlab" / "prepared"
    named.fetch_files(named.NAMED["celeba"], tmp_path / "cache" / "latentlab" / "celeba")
    assert named.needs_preparing("celeba")
    seen: list[float] = []
    with pytest.raises(Cancelled):
        load_dataset("celeba", report=seen.append, cancelled=lambda: len(seen) > 0)
    assert seen and list(prepared.iterdir()) == []  # no half cache, not even its temporary folder
    decode = named._celeba_image
    calls = []

    def fails_third(raw, side=64):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("broken data stream")
        return decode(raw, side)

    monkeypatch.setattr(named, "_celeba_image", fails_third)
    with pytest.raises(DataError, match="cannot read the faces.*broken data stream"):
        load_dataset("celeba")
    assert list(prepared.iterdir()) == []  # a failed build leaves nothing either
    monkeypatch.setattr(named, "_celeba_image", decode)

    def no_memory(nbytes, what):
        raise DataError(f"{what} would not fit in memory")

    monkeypatch.setattr(named, "check_fits", no_memory)  # decoded straight into memory-mapped files
    seen.clear()
    d = load_dataset("celeba", report=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen) and not named.needs_preparing("celeba")
    assert d.train_x.dtype == torch.uint8 and (len(d.train_x), len(d.test_x)) == (3, 1)
    assert [p.name.startswith(".") for p in prepared.iterdir()] == [False]


def test_standard_sets_are_registered_and_checkpoints_record_them(mirror, tmp_path):
    from latentlab.cli import main
    from latentlab.core.checkpoints import load_checkpoint
    from latentlab.core.recipes import dataset_from_record

    assert {n for n, info in DATASETS.items() if info.standard} == set(BUILDERS)
    mirror.serve("cifar10")
    out = tmp_path / "m.safetensors"
    assert main(["train", "--data", "cifar10", "--epochs", "1", "--hidden", "8", "--out", str(out), "--quiet"]) == 2
    assert main(["train", "--data", "cifar10", "--download", "--epochs", "1", "--hidden", "8", "--batch-size", "4",
                 "--out", str(out), "--quiet"]) == 0
    ckpt = load_checkpoint(out)
    assert ckpt.dataset["name"] == "cifar10" and ckpt.model.data_shape == (3, 32, 32)
    assert dataset_from_record(ckpt.dataset).data_shape == (3, 32, 32)


def test_the_window_says_the_same_line_for_a_missing_set(mirror):
    from latentlab.state.app import AppState

    state = AppState()
    said = []
    state.session.message.connect(lambda kind, text: said.append((kind, text)))
    assert not state.session.set_dataset("svhn")
    assert said and said[-1][0] == "error" and "svhn is not on this computer: missing" in said[-1][1]
    assert mirror.requests == []


def test_the_copied_urls_and_checksums_match_torchvisions():
    """named_sources.py is a copy of torchvision's tables (so opening a set does not import torchvision)."""
    from latentlab.core.data import named_sources

    files, md5 = named.torchvision_sources()
    assert {k: tuple((r.filename, r.url, r.size) for r in v) for k, v in files.items()} == named_sources.FILES
    assert md5 == named_sources.MD5


def test_a_half_built_cache_of_a_dead_process_is_removed_and_a_live_ones_kept(tmp_path):
    import os
    import subprocess
    import sys

    from latentlab.core.data.named import _remove_dead_builds

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    prepared = tmp_path / "celeba-64px-v1"
    dead, alive = (tmp_path / f".{prepared.name}.{pid}.part" for pid in (gone.pid, os.getpid()))
    for folder in (dead, alive):
        folder.mkdir()
        (folder / "train_x.npy").write_bytes(b"half")
    _remove_dead_builds(prepared)
    assert not dead.exists() and alive.exists()
