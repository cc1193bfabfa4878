"""The standard datasets by name, through torchvision's knowledge of them: mnist (all 70,000), fashion-mnist,
kmnist, emnist-letters, cifar10, svhn and celeba (64x64, centre crop).

Where they come from (URLs) and what they must hash to (MD5) is torchvision's (a copy: named_sources.py). A set is
read from the user cache folder (platformdirs' user_cache_dir("latentlab")/NAME) or, when one is given, from that
folder alone (torchvision's layouts are found there too: MNIST/raw, cifar-10-batches-py, celeba/...). Nothing is
ever downloaded unless the caller says so (`download=True`: `--download`); a set that is missing says, in one line,
which files to put where. Every download, and every file in the cache folder, is checked against its MD5 before it
is read, so a corrupt or cut-short archive is named, never half-read; a folder the user gives may hold a subset in
the same format, so its files are checked as they are read (IDX headers, archive structure), and never replaced.

The raw files of the larger sets are turned once into uint8 .npy files (a folder in the cache folder's prepared/,
named by the source files and the image size), written under a temporary name and renamed when complete (a failed
or cancelled build leaves nothing), with progress (`report`; a terminal bar when none is given). The Dataset holds
them as uint8, memory-mapped: a set larger than memory (CelebA at 64x64: 2.4 GB) is read a batch at a time, and
the largest (CelebA) is decoded straight into its memory-mapped file, so building it needs no memory either.

Tests (and anyone behind a firewall) point the downloads elsewhere with the environment variable
LATENTLAB_MIRROR=URL (each file is fetched from URL/NAME/FILE) and give their own checksums in MD5."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from latentlab.core.data.base import DataError, Dataset
from latentlab.core.data.folders import FASHION_NAMES, check_fits, read_idx
from latentlab.core.processes import process_gone
from latentlab.core.progress import IsCancelled, Report, check, tell, terminal_bar

MIRROR_ENV = "LATENTLAB_MIRROR"
PREPARED_VERSION = 1
CELEBA_SIDE = 64
CELEBA_PAGE = "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html"


def cache_root() -> Path:
    """The user cache folder: ~/.cache/latentlab on Linux (XDG_CACHE_HOME honoured), the platform's elsewhere."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("latentlab"))


@dataclass(frozen=True)
class Remote:
    filename: str
    url: str  # where torchvision fetches it ("gdrive:ID" for Google Drive)
    size: str  # roughly, for the messages


@dataclass(frozen=True)
class NamedSet:
    name: str
    description: str
    subfolders: tuple[str, ...]  # where torchvision keeps them under its root, beside the root itself
    reader: Callable[[dict[str, Path], Sink], tuple]  # files found -> (train_x, train_y, test_x, test_y, classes)
    alternatives: tuple[tuple[str, ...], ...] = ()  # other files that do instead (e.g. an extracted archive)
    side: int | None = None  # the size images are resized to (part of the prepared arrays' name)


FILES: dict[str, tuple[Remote, ...]] = {}  # each set's files, from torchvision (read when first needed)
MD5: dict[str, str] = {}  # by "set/file"; tests put their own archives' checksums here, which stay


def _files(spec: NamedSet) -> tuple[Remote, ...]:
    """The set's files, from the copy of torchvision's tables in named_sources.py (importing torchvision
    to read them cost ~1.5 s and ~160 MB of memory)."""
    if not FILES:
        from latentlab.core.data import named_sources

        FILES.update({name: tuple(Remote(*r) for r in remotes) for name, remotes in named_sources.FILES.items()})
        for key, value in named_sources.MD5.items():
            MD5.setdefault(key, value)
    return FILES[spec.name]


def torchvision_sources() -> tuple[dict[str, tuple[Remote, ...]], dict[str, str]]:
    """Each set's files and their MD5s, from torchvision's dataset classes (what named_sources.py copies;
    a test compares the two)."""
    from torchvision.datasets import CIFAR10, EMNIST, KMNIST, MNIST, SVHN, CelebA, FashionMNIST

    files: dict[str, tuple[Remote, ...]] = {}
    md5: dict[str, str] = {}
    for name, cls, size in (("mnist", MNIST, "12 MB"), ("fashion-mnist", FashionMNIST, "31 MB"),
                            ("kmnist", KMNIST, "20 MB")):
        files[name] = tuple(Remote(f, cls.mirrors[0] + f, size) for f, _ in cls.resources)
        md5.update({f"{name}/{f}": m for f, m in cls.resources})
    files["emnist-letters"] = (Remote("gzip.zip", EMNIST.url, "562 MB"),)
    md5["emnist-letters/gzip.zip"] = EMNIST.md5
    files["cifar10"] = (Remote(CIFAR10.filename, CIFAR10.url, "170 MB"),)
    md5[f"cifar10/{CIFAR10.filename}"] = CIFAR10.tgz_md5
    for f, m in CIFAR10.train_list + CIFAR10.test_list:  # the archive's files, for an extracted copy
        md5[f"cifar10/{CIFAR10.base_folder}/{f}"] = m
    files["svhn"] = tuple(Remote(SVHN.split_list[s][1], SVHN.split_list[s][0], size)
                          for s, size in (("train", "182 MB"), ("test", "64 MB")))
    md5.update({f"svhn/{SVHN.split_list[s][1]}": SVHN.split_list[s][2] for s in ("train", "test")})
    wanted = {"img_align_celeba.zip": "1.4 GB", "list_eval_partition.txt": "2 MB"}
    files["celeba"] = tuple(Remote(f, f"gdrive:{fid}", wanted[f]) for fid, _, f in CelebA.file_list if f in wanted)
    md5.update({f"celeba/{f}": m for _, m, f in CelebA.file_list if f in wanted})
    return files, md5


# -- finding, checking and fetching the files -------------------------------------------------------------------

def _md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _verify(spec: NamedSet, key: str, path: Path) -> None:
    """A file's MD5 against the one expected; a mismatch names the file and what to do."""
    expected = MD5.get(f"{spec.name}/{key}")
    if expected is None or path.name != Path(key).name:  # an uncompressed copy of a .gz has no known MD5
        return
    try:
        got = _md5(path)
    except OSError as e:
        raise DataError(f"{spec.name}: cannot read {path}: {e.strerror or e}") from None
    if got != expected:
        raise DataError(f"{spec.name}: {path} is corrupt or incomplete (MD5 {got}, expected {expected}): delete it "
                        "and run again with --download, or put a good copy there")


def _places(spec: NamedSet, folder: Path) -> list[Path]:
    return [folder] + [folder / sub for sub in spec.subfolders]


def _find(spec: NamedSet, folder: Path, names: tuple[str, ...]) -> dict[str, Path] | None:
    """Each of `names` in `folder` or torchvision's subfolders of it (a .gz also stands for its plain file)."""
    found = {}
    for name in names:
        hit = None
        for place in _places(spec, folder):
            for candidate in (name, name[:-3] if name.endswith(".gz") else None):
                if candidate and (place / candidate).exists():
                    hit = place / candidate
                    break
            if hit:
                break
        if hit is None:
            return None
        found[name] = hit
    return found


def locate(spec: NamedSet, folder: Path) -> dict[str, Path] | None:
    """The set's files in `folder`: its archives, or one of the alternatives (an extracted copy)."""
    for names in (tuple(r.filename for r in _files(spec)), *spec.alternatives):
        found = _find(spec, folder, names)
        if found is not None:
            return found
    return None


def missing_message(spec: NamedSet, folder: Path, given: bool) -> str:
    """One line: which files to put where (those missing, when some are there), or how to fetch them."""
    files = _files(spec)
    absent = [r for r in files if not folder.is_dir() or _find(spec, folder, (r.filename,)) is None] or list(files)
    names = [r.filename for r in absent]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    urls = sorted({r.url.rsplit("/", 1)[0] + "/" if len(names) > 1 else r.url for r in absent})
    source = CELEBA_PAGE if files[0].url.startswith("gdrive:") else ", ".join(urls)
    size = " + ".join(r.size for r in absent)
    where = f"{folder} (the --data-dir given)" if given else f"{folder} (or a folder given with --data-dir)"
    them = "it" if len(names) == 1 else "them"
    return (f"{spec.name} is not on this computer: missing {listed} (from {source}); put {them} in {where}, "
            f"or add --download to fetch {them} ({size})")


def _url(spec: NamedSet, remote: Remote) -> str:
    mirror = os.environ.get(MIRROR_ENV)
    if mirror:
        return f"{mirror.rstrip('/')}/{spec.name}/{remote.filename}"
    return remote.url


def _fetch(url: str, target: Path) -> None:
    """One file over HTTP(S), into a temporary file beside `target`, then put in its place."""
    from tqdm import tqdm

    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "latentlab"})
        with urllib.request.urlopen(request, timeout=60) as response, open(tmp, "wb") as out, \
                tqdm(total=response.length, unit="B", unit_scale=True, desc=target.name, disable=None,
                     file=sys.stderr, leave=False) as bar:
            while chunk := response.read(1 << 20):
                out.write(chunk)
                bar.update(len(chunk))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def fetch_files(spec: NamedSet, folder: Path) -> None:
    """Fetch the set's files that are missing or fail their checksum into `folder`, each checked."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataError(f"{spec.name}: cannot create {folder}: {e.strerror or e}") from None
    for remote in _files(spec):
        target = folder / remote.filename
        expected = MD5.get(f"{spec.name}/{remote.filename}")
        if target.is_file() and (expected is None or _md5(target) == expected):
            continue
        url = _url(spec, remote)
        print(f"latentlab: downloading {spec.name}: {remote.filename} ({remote.size}) into {folder}", file=sys.stderr)
        try:
            if url.startswith("gdrive:"):
                from torchvision.datasets.utils import download_file_from_google_drive

                target.unlink(missing_ok=True)
                download_file_from_google_drive(url[7:], str(folder), remote.filename)
            else:
                _fetch(url, target)
        except (urllib.error.URLError, OSError, RuntimeError, ValueError) as e:
            reason = getattr(e, "reason", None) or getattr(e, "strerror", None) or e
            raise DataError(f"{spec.name}: cannot download {url}: {reason} (offline? "
                            f"{missing_message(spec, folder, True).split(': ', 1)[1]})") from None
        try:
            _verify(spec, remote.filename, target)
        except DataError:
            got = _md5(target)
            target.unlink(missing_ok=True)
            raise DataError(f"{spec.name}: the download of {url} does not match its MD5 ({got}, expected "
                            f"{MD5.get(spec.name + '/' + remote.filename)}); it was not kept: try again later") from None


# -- reading each format ---------------------------------------------------------------------------------------

def _idx_uint8(path: Path) -> np.ndarray:
    return read_idx(path).numpy()


class Sink:
    """What a reader writes into and tells: arrays to fill (memory-mapped .npy files in the folder being built,
    when there is one and its disk has room; else memory), and progress, where a cancel is raised."""

    def __init__(self, folder: Path | None = None, report: Report | None = None,
                 cancelled: IsCancelled | None = None):
        self.folder, self.report, self.cancelled = folder, report, cancelled
        self.on_disk: dict[str, np.memmap] = {}

    def array(self, key: str, shape: tuple[int, ...], what: str) -> np.ndarray:
        """A uint8 array of `shape` to fill, named `key` (train_x, test_x) in the folder being built."""
        nbytes = int(np.prod(shape, dtype=np.int64))
        if self.folder is not None and shutil.disk_usage(self.folder).free > nbytes + DISK_MARGIN:
            out = np.lib.format.open_memmap(self.folder / f"{key}.npy", mode="w+", dtype=np.uint8, shape=shape)
            self.on_disk[key] = out
            return out
        check_fits(nbytes, what)
        return np.empty(shape, dtype=np.uint8)

    def tell(self, fraction: float) -> None:
        check(self.cancelled)
        tell(self.report, fraction)


def _mnist_like(class_names: tuple[str, ...] | None) -> Callable[[dict[str, Path], Sink], tuple]:
    def read(found: dict[str, Path], sink: Sink) -> tuple:
        a = {}
        for i, (k, p) in enumerate(found.items()):
            a[k.split("-", 2)[0] + k.split("-", 2)[1][:3]] = _idx_uint8(p)
            sink.tell((i + 1) / len(found))
        train_x, train_y, test_x, test_y = a["trainima"], a["trainlab"], a["t10kima"], a["t10klab"]
        names = class_names or tuple(str(i) for i in range(int(max(train_y.max(), test_y.max())) + 1))
        return train_x[:, None], train_y, test_x[:, None], test_y, names
    return read


EMNIST_PARTS = {f"emnist-letters-{part}-{kind}-ubyte.gz": (part, kind[:6])
                for part in ("train", "test") for kind in ("images-idx3", "labels-idx1")}


def _read_emnist(found: dict[str, Path], sink: Sink) -> tuple:
    """EMNIST letters: from the gzip.zip archive (only its letters files are read) or its extracted files.
    Its images are stored transposed; its labels run 1..26."""
    arrays: dict[tuple[str, str], np.ndarray] = {}
    if "gzip.zip" in found:
        archive = found["gzip.zip"]
        try:
            with zipfile.ZipFile(archive) as z, tempfile.TemporaryDirectory() as tmp:
                for member, key in EMNIST_PARTS.items():
                    out = Path(tmp) / member
                    with z.open(f"gzip/{member}") as src, open(out, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    arrays[key] = _idx_uint8(out)
                    sink.tell(len(arrays) / len(EMNIST_PARTS))
        except (zipfile.BadZipFile, KeyError, OSError) as e:
            raise DataError(f"emnist-letters: {archive} is not the EMNIST gzip.zip archive: {e}") from None
    else:
        arrays = {key: _idx_uint8(found[member]) for member, key in EMNIST_PARTS.items()}
    x = {part: np.ascontiguousarray(arrays[(part, "images")].transpose(0, 2, 1))[:, None] for part in ("train", "test")}
    y = {part: arrays[(part, "labels")].astype(np.int64) - 1 for part in ("train", "test")}
    return x["train"], y["train"], x["test"], y["test"], tuple("abcdefghijklmnopqrstuvwxyz")


class _ArraysOnly(pickle.Unpickler):
    """CIFAR-10's batches are pickles of dicts of numpy arrays: nothing else may be built from them."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
               ("numpy._core.multiarray", "scalar"),
               ("_codecs", "encode")}  # how pickle protocol 2 writes bytes (an array's buffer)

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"it holds a {module}.{name}, which a CIFAR batch never does")
        return super().find_class(module, name)


CIFAR_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
CIFAR_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)


def _cifar_batch(raw: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        batch = _ArraysOnly(io.BytesIO(raw), encoding="latin1").load()
        data = np.asarray(batch["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
        labels = np.asarray(batch["labels"], dtype=np.int64)
    except (pickle.UnpicklingError, KeyError, ValueError, TypeError, EOFError, AttributeError) as e:
        raise DataError(f"cifar10: {where} is not a CIFAR-10 batch: {e}") from None
    if len(labels) != len(data):
        raise DataError(f"cifar10: {where} holds {len(data)} images but {len(labels)} labels")
    return data, labels


def _read_cifar(found: dict[str, Path], sink: Sink) -> tuple:
    """CIFAR-10 from its python tarball (read in place, never extracted) or torchvision's extracted folder."""
    batches: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    archive = found.get("cifar-10-python.tar.gz")
    if archive is not None:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar:
                    name = member.name.rsplit("/", 1)[-1]
                    if member.isfile() and name in CIFAR_BATCHES:
                        f = tar.extractfile(member)
                        if f is not None:
                            batches[name] = _cifar_batch(f.read(), f"{archive}:{member.name}")
                            sink.tell(len(batches) / len(CIFAR_BATCHES))
        except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
            raise DataError(f"cifar10: {archive} is not a readable tar.gz archive: {e}") from None
    else:
        for name in CIFAR_BATCHES:
            batches[name] = _cifar_batch(found[f"cifar-10-batches-py/{name}"].read_bytes(),
                                         str(found[f"cifar-10-batches-py/{name}"]))
            sink.tell(len(batches) / len(CIFAR_BATCHES))
    if set(batches) != set(CIFAR_BATCHES):
        missing = ", ".join(sorted(set(CIFAR_BATCHES) - set(batches)))
        raise DataError(f"cifar10: {archive} lacks {missing}")
    train = [batches[f"data_batch_{i}"] for i in range(1, 6)]
    test_x, test_y = batches["test_batch"]
    return (np.concatenate([b[0] for b in train]), np.concatenate([b[1] for b in train]), test_x, test_y,
            CIFAR_NAMES)


def _read_svhn(found: dict[str, Path], sink: Sink) -> tuple:
    """SVHN's cropped digits (train and test .mat files; scipy reads them); label 10 means the digit 0."""
    from scipy.io import loadmat

    out = []
    for name in ("train_32x32.mat", "test_32x32.mat"):
        try:
            mat = loadmat(found[name], variable_names=("X", "y"))
            x = np.asarray(mat["X"], dtype=np.uint8)
            y = np.asarray(mat["y"], dtype=np.int64).reshape(-1)
        except (OSError, ValueError, KeyError, TypeError, NotImplementedError) as e:
            raise DataError(f"svhn: {found[name]} is not an SVHN .mat file: {e}") from None
        if x.ndim != 4 or x.shape[:3] != (32, 32, 3) or x.shape[3] != len(y):
            raise DataError(f"svhn: {found[name]} holds X of shape {x.shape} and {len(y)} labels, "
                            "not 32x32x3xN images with N labels")
        y[y == 10] = 0
        out += [np.ascontiguousarray(x.transpose(3, 2, 0, 1)), y]
        sink.tell(len(out) / 4)
    return (*out, tuple(str(i) for i in range(10)))


def _celeba_partition(path: Path) -> dict[str, int]:
    parts = {}
    for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2 or fields[1] not in "012":
            raise DataError(f"celeba: {path}, line {n}: expected an image name and 0, 1 or 2, got {line[:60]!r}")
        parts[fields[0]] = int(fields[1])
    return parts


def _celeba_image(raw: io.BytesIO | Path, side: int = CELEBA_SIDE) -> np.ndarray:
    """The central square of an aligned CelebA face (178x218), resized to side x side."""
    from PIL import Image

    with Image.open(raw) as im:
        im.draft("RGB", (side, side))  # JPEG decodes at a reduced scale
        w, h = im.size
        s = min(w, h)
        left, top = (w - s) // 2, (h - s) // 2
        rgb = im.convert("RGB").resize((side, side), Image.Resampling.BILINEAR, box=(left, top, left + s, top + s))
        return np.asarray(rgb, dtype=np.uint8).transpose(2, 0, 1)


def _read_celeba(found: dict[str, Path], sink: Sink) -> tuple:
    """CelebA's aligned faces at 64x64 (centre crop), from img_align_celeba.zip (read in place) or its extracted
    folder, decoded straight into the arrays the sink gives (memory-mapped files while the cache is built); its own
    partition: train and valid for training, test for testing, each in name order. No labels."""
    from PIL import UnidentifiedImageError

    parts = _celeba_partition(found["list_eval_partition.txt"])
    names = sorted(parts)
    groups = [[n for n in names if parts[n] < 2], [n for n in names if parts[n] == 2]]
    side = CELEBA_SIDE
    arrays = [sink.array(key, (len(group), 3, side, side), f"{len(group):,} CelebA images of {side}x{side}")
              for key, group in zip(("train_x", "test_x"), groups)]
    source = found.get("img_align_celeba.zip") or found["img_align_celeba"]
    done, every = 0, max(1, min(256, len(names) // 200))  # progress (and a cancel) every 0.5% or 256 faces
    try:
        with nullcontext() if source.is_dir() else zipfile.ZipFile(source) as z:
            members = {} if z is None else {m.rsplit("/", 1)[-1]: m for m in z.namelist() if not m.endswith("/")}
            for x, group in zip(arrays, groups):
                for i, name in enumerate(group):
                    if z is None:
                        x[i] = _celeba_image(source / name, side)
                    elif name in members:
                        x[i] = _celeba_image(io.BytesIO(z.read(members[name])), side)
                    else:
                        raise DataError(f"celeba: {source} lacks {name}, which list_eval_partition.txt names")
                    done += 1
                    if done % every == 0 or done == len(names):
                        sink.tell(done / len(names))
    except (zipfile.BadZipFile, OSError, UnidentifiedImageError, ValueError) as e:
        if isinstance(e, DataError):
            raise
        raise DataError(f"celeba: cannot read the faces in {source}: {e}") from None
    return arrays[0], None, arrays[1], None, ()


NAMED: dict[str, NamedSet] = {
    "mnist": NamedSet("mnist", "MNIST, all 70,000 handwritten digits, 28x28 (torchvision)",
                      ("raw", "MNIST/raw"), _mnist_like(None)),
    "fashion-mnist": NamedSet("fashion-mnist", "Fashion-MNIST, 70,000 clothing images, 28x28 (torchvision)",
                              ("raw", "FashionMNIST/raw"), _mnist_like(FASHION_NAMES)),
    "kmnist": NamedSet("kmnist", "Kuzushiji-MNIST, 70,000 cursive Japanese characters, 28x28 (torchvision)",
                       ("raw", "KMNIST/raw"),
                       _mnist_like(("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"))),
    "emnist-letters": NamedSet("emnist-letters", "EMNIST letters, 145,600 handwritten letters a-z, 28x28 "
                               "(torchvision)", ("raw", "EMNIST/raw", "gzip"), _read_emnist,
                               alternatives=(tuple(EMNIST_PARTS),)),
    "cifar10": NamedSet("cifar10", "CIFAR-10, 60,000 colour images in 10 classes, 32x32 (torchvision)",
                        (), _read_cifar,
                        alternatives=(tuple(f"cifar-10-batches-py/{b}" for b in CIFAR_BATCHES),)),
    "svhn": NamedSet("svhn", "SVHN, 99,289 colour house-number digits, 32x32 (torchvision; train and test)",
                     ("svhn",), _read_svhn),
    "celeba": NamedSet("celeba", "CelebA, 202,599 aligned colour faces, 64x64 centre crop (torchvision)",
                       ("celeba",), _read_celeba,
                       alternatives=(("img_align_celeba", "list_eval_partition.txt"),), side=CELEBA_SIDE),
}


# -- the prepared arrays and the Dataset ---------------------------------------------------------------------------

PREPARE_ABOVE = 50_000_000  # bytes of source files: smaller sets (MNIST's IDX files) are simply read each time
DISK_MARGIN = 1 << 30  # a memory-mapped array is made on disk only with this much room left over


def _prepared_path(spec: NamedSet, found: dict[str, Path]) -> Path:
    """Where the set's uint8 arrays are kept, named by the source files (path, size, time) they came from and
    the size the images are resized to."""
    h = hashlib.sha1(usedforsecurity=False)
    for key in sorted(found):
        st = found[key].stat()
        h.update(f"{found[key].resolve()}|{st.st_size}|{st.st_mtime_ns};".encode())
    size = f"-{spec.side}px" if spec.side else ""
    return cache_root() / "prepared" / f"{spec.name}{size}-v{PREPARED_VERSION}-{h.hexdigest()[:12]}"


def _source_bytes(found: dict[str, Path]) -> int:
    return sum(p.stat().st_size if p.is_file() else sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
               for p in found.values())


def _load_prepared(path: Path) -> dict[str, np.ndarray] | None:
    """The prepared arrays, memory-mapped copy-on-write (the file is never written; a set larger than memory is
    read a batch at a time)."""
    if not (path / "train_x.npy").is_file():
        return None
    try:
        return {f.stem: np.load(f, mmap_mode="c", allow_pickle=False) for f in path.glob("*.npy")}
    except (OSError, ValueError, EOFError):
        return None


def _remove_dead_builds(prepared: Path) -> None:
    """Half-built caches of `prepared` whose process is gone (killed mid-build, or a window quit with os._exit
    before its `finally` ran): gigabytes nobody would ever read."""
    for part in prepared.parent.glob(f".{prepared.name}.*.part"):
        pid = part.name.rsplit(".", 2)[-2]
        if pid.isascii() and pid.isdigit() and process_gone(int(pid)):
            shutil.rmtree(part, ignore_errors=True)


def _read(spec: NamedSet, found: dict[str, Path], prepared: Path | None, report: Report | None,
          cancelled: IsCancelled | None) -> dict[str, np.ndarray]:
    """The set's arrays from its files; with `prepared`, written there too: into a temporary folder beside it
    (the largest arrays memory-mapped there as they are decoded), renamed into place only when complete, so a
    failed or cancelled build leaves nothing behind. A read-only or full cache only costs the reading next time."""
    tmp = prepared.with_name(f".{prepared.name}.{os.getpid()}.part") if prepared else None
    if prepared is not None:
        _remove_dead_builds(prepared)
    try:
        if tmp is not None:
            try:
                tmp.mkdir(parents=True, exist_ok=True)
            except OSError:
                tmp = None
        sink = Sink(tmp, report, cancelled)
        train_x, train_y, test_x, test_y, classes = spec.reader(found, sink)
        _check_shapes(spec.name, train_x, train_y, test_x, test_y)
        arrays = {"train_x": train_x, "test_x": test_x, "classes": np.array(classes, dtype=str)}
        if train_y is not None:
            arrays.update(train_y=train_y, test_y=test_y)
        if tmp is None or prepared is None:
            return arrays
        try:
            for key, value in arrays.items():
                if key in sink.on_disk:
                    sink.on_disk[key].flush()
                else:
                    np.save(tmp / f"{key}.npy", value, allow_pickle=False)
            os.replace(tmp, prepared)
        except OSError:
            return arrays
        return _load_prepared(prepared) or arrays
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _tensor(x: np.ndarray) -> torch.Tensor:
    """uint8 images as a tensor sharing their memory (a memory map stays one)."""
    return torch.from_numpy(x if isinstance(x, np.memmap) else np.ascontiguousarray(x, dtype=np.uint8))


def needs_preparing(name: str, folder: str | None = None) -> bool:
    """Whether loading a standard set would first prepare its arrays (its files are here, large, and not yet
    prepared): what the window does in a job with progress and Cancel."""
    spec = NAMED.get(name)
    where = Path(folder).expanduser() if folder else cache_root() / name
    found = locate(spec, where) if spec is not None and where.is_dir() else None
    if spec is None or found is None or _source_bytes(found) <= PREPARE_ABOVE:
        return False
    return not (_prepared_path(spec, found) / "train_x.npy").is_file()


def load_named(name: str, folder: str | None = None, download: bool = False, report: Report | None = None,
               cancelled: IsCancelled | None = None) -> Dataset:
    """A standard dataset from `folder` (if given) else the cache folder; fetched there first with `download`.
    Preparing its arrays tells `report(fraction)` (none given: a bar on a terminal) and stops on `cancelled()`."""
    spec = NAMED[name]
    given = bool(folder)
    where = Path(folder).expanduser() if folder else cache_root() / name
    if given and not where.is_dir() and not download:
        raise DataError(f"{name}: folder {where} does not exist")
    found = locate(spec, where) if where.is_dir() else None
    if download and (found is None or (not given and any(_failing(spec, k, p) for k, p in found.items()))):
        fetch_files(spec, where)
        found = locate(spec, where)
    if found is None:
        raise DataError(missing_message(spec, where, given))
    prepare = _source_bytes(found) > PREPARE_ABOVE
    prepared = _prepared_path(spec, found) if prepare else None
    arrays = _load_prepared(prepared) if prepared else None
    if arrays is None:
        for key, path in found.items():
            if path.is_file() and not given:  # a folder of the user's may hold a subset in the same format
                _verify(spec, key, path)
        bar = terminal_bar(f"{name}: preparing its arrays (once)") if report is None and prepare else nullcontext(report)
        with bar as tell_bar:
            arrays = _read(spec, found, prepared, tell_bar, cancelled)
    classes = tuple(str(c) for c in arrays["classes"])
    labels = {k: torch.from_numpy(np.asarray(arrays[k], dtype=np.int64)) if k in arrays else None
              for k in ("train_y", "test_y")}
    return Dataset(name, "image", _tensor(arrays["train_x"]), _tensor(arrays["test_x"]),
                   labels["train_y"], labels["test_y"], classes if labels["train_y"] is not None else (),
                   options={"scale": "pixels / 255", **({"folder": str(where)} if given else {})})


def _check_shapes(name: str, train_x, train_y, test_x, test_y) -> None:
    for part, x, y in (("train", train_x, train_y), ("test", test_x, test_y)):
        if x.ndim != 4 or x.shape[1] not in (1, 3) or len(x) == 0 or (y is not None and (y.ndim != 1 or len(y) != len(x))):
            raise DataError(f"{name}: {part} images {tuple(x.shape)} and labels "
                            f"{None if y is None else tuple(y.shape)} do not match")


def _failing(spec: NamedSet, key: str, path: Path) -> bool:
    expected = MD5.get(f"{spec.name}/{key}")
    return path.is_file() and expected is not None and _md5(path) != expected
