"""The bad-input corpus: one row per hostile input, for every subcommand. Each must end in exit status 2,
one line on stderr naming the problem, no traceback, and no change to any existing file.

A row is (subcommand arguments, a fragment of the expected message). In the arguments, {good} is a
sound checkpoint, {dir} the test's folder, {<name>} one of the hostile files that `make_files` writes.
Add rows here as new kinds of input appear (the data issue adds its own).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

ROWS: list[tuple[str, str]] = [
    # train: settings, paths, run directories, resumes
    ("train --data ring8 --epochs 0 --out {dir}/m.safetensors", "epochs"),
    ("train --data ring8 --latent-dim 1e9 --out {dir}/m.safetensors", "latent"),
    ("train --data ring8 --hidden 1000000000 --out {dir}/m.safetensors", "hidden"),
    ("train --data mnist5k --hidden 65536,65536,65536 --out {dir}/m.safetensors", "parameters"),
    ("train --data ring8 --beta nan --out {dir}/m.safetensors", "beta"),
    ("train --data ring8 --lr 1e8 --out {dir}/m.safetensors", "learning rate"),
    ("train --data nowhere --out {dir}/m.safetensors", "unknown dataset"),
    ("train --data folder --data-dir {dir}/missing --out {dir}/m.safetensors", "missing"),
    ("train --data folder --data-dir {notes} --out {dir}/m.safetensors", "notes.txt"),
    ("train --data ring8 --out {dir}", "is a folder"),
    ("train --data ring8 --out {dir}/no/such/m.safetensors", "does not exist"),
    ("train --data ring8 --run-dir {notes}", "is a file"),
    ("train --data ring8 --run-dir {run}", "holds a run already"),
    ("train --data ring8 --epochs 2", "say where"),
    ("train --resume {notes} --out {dir}/m.safetensors", "notes.txt"),
    ("train --resume {big_n} --out {dir}/m.safetensors", "must be a whole number in"),
    ("train --resume {string_record} --out {dir}/m.safetensors", "not a JSON object"),
    ("train --resume {etc_folder} --out {dir}/m.safetensors", "--trust-data-folder"),
    ("train --resume {step_abc} --out {dir}/m.safetensors", "its step"),
    ("train --resume {bad_groups} --out {dir}/m.safetensors", "optimizer state"),
    ("train --data ring8 --set nothing=1 --out {dir}/m.safetensors", "unrecognized"),
    # data of the user's (--data PATH), in the train command and the window's
    ("train --data {bad_cell_csv} --out {dir}/m.safetensors", "column 'b', line 4"),
    ("train --data {nan_csv} --out {dir}/m.safetensors", "line 3 (row 1) holds NaN or Inf"),
    ("train --data {bad_cell_csv} --label-column nope --out {dir}/m.safetensors", "no column 'nope'"),
    ("train --data {object_npy} --out {dir}/m.safetensors", "Python objects"),
    ("train --data {flat_npy} --out {dir}/m.safetensors", "shaped [N, ...]"),
    ("train --data {notes} --out {dir}/m.safetensors", "need at least 2 rows"),
    ("train --data {dir}/missing.csv --out {dir}/m.safetensors", "no such file"),
    ("train --data {idx_lie} --out {dir}/m.safetensors", "claims 1,000,000,000 items"),
    ("train --data {bomb_folder} --out {dir}/m.safetensors", "1 too large"),
    ("train --data {no_images} --out {dir}/m.safetensors", "no readable images"),
    ("train --data {bomb_folder} --image-size 2 --out {dir}/m.safetensors", "image_size"),
    ("--data {nan_csv} --screenshot {dir}/shot.png", "holds NaN or Inf"),
    # standard sets (core/data/named.py): missing offline, a corrupt archive; never downloaded without --download
    ("train --data cifar10 --data-dir {no_images} --out {dir}/m.safetensors",
     "cifar10 is not on this computer: missing cifar-10-python.tar.gz"),
    ("train --data mnist --data-dir {dir}/missing --out {dir}/m.safetensors", "does not exist"),
    ("train --data cifar10 --data-dir {corrupt_cifar} --out {dir}/m.safetensors", "not a readable tar.gz archive"),
    ("train --data svhn --data-dir {corrupt_cifar} --out {dir}/m.safetensors", "missing train_32x32.mat"),
    ("--data svhn --data-dir {no_images} --screenshot {dir}/shot.png", "svhn is not on this computer"),
    ("--data ring8 --download --screenshot {dir}/shot.png", "--download goes with"),
    ("--data {no_images} --screenshot {dir}/shot.png", "no readable images"),
    # sample, interpolate, codes, info, mmd, pair
    ("sample {notes} --out {dir}/s.png", "notes.txt"),
    ("sample {good} --n 0 --out {dir}/s.png", "--n"),
    ("sample {good} --out {dir}", "is a folder"),
    ("sample {good} --scale 0 --out {dir}/s.png", "--scale"),
    ("sample {good} --scale 17 --out {dir}/s.png", "--scale"),
    ("interpolate {good} --from 0 --to 99999999 --out {dir}/i.png", "--to"),
    ("interpolate {good} --from 0 --to 1 --steps 1 --out {dir}/i.png", "--steps"),
    ("interpolate {good} --from 0 --to 1 --path curly --out {dir}/i.png", "unknown path"),
    ("interpolate {good} --from 0 --to 1 --scale 99 --out {dir}/i.png", "--scale"),
    # latentlab --view FILE: a file that is not a saved view
    ("--view {notes} --screenshot {dir}/w.png", "not a view"),
    ("--view {good} --screenshot {dir}/w.png", "not a view"),
    ("--view {dir}/missing.json --screenshot {dir}/w.png", "cannot read"),
    # latentlab --checkpoint FILE: refused before a window opens on some other model
    ("--checkpoint {dir}/missing.safetensors --screenshot {dir}/w.png", "no checkpoint file"),
    ("--checkpoint {notes} --screenshot {dir}/w.png", "notes.txt"),
    ("--checkpoint {truncated} --screenshot {dir}/w.png", "truncated"),
    ("interpolate {big_n} --from 0 --to 1 --out {dir}/i.png", "must be a whole number in"),
    ("interpolate {string_record} --from 0 --to 1 --out {dir}/i.png", "not a JSON object"),
    ("interpolate {etc_folder} --from 0 --to 1 --out {dir}/i.png", "--trust-data-folder"),
    ("codes {big_n} --out {dir}/codes", "must be a whole number in"),
    ("codes {string_record} --out {dir}/codes", "not a JSON object"),
    ("codes {etc_folder} --out {dir}/codes", "--trust-data-folder"),
    ("codes {truncated} --out {dir}/codes", "truncated"),
    ("codes {notes} --out {dir}/codes", "notes.txt"),
    ("info {truncated}", "truncated"),
    ("info {notes}", "notes.txt"),
    ("info {dir}", "not a file"),
    ("mmd {notes} ring8", "notes.txt"),
    ("mmd {good} nowhere", "nowhere"),
    ("mmd {good} ring8 --n 0", "--n"),
    ("mmd {nan_model} ring8", "not finite"),
    ("pair {good} --out-dir {dir}/p", "copies a DAE"),
    ("pair {notes} --out-dir {dir}/p", "notes.txt"),
    ("pretrained verify nothing-such", "nothing-such"),
    ("settings nothing", "nothing"),
]


def rewrite(src: Path, dst: Path, change) -> None:
    """A copy of checkpoint `src` whose latentlab metadata `change` has edited."""
    data = src.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = json.loads(header["__metadata__"]["latentlab"])
    change(meta)
    header["__metadata__"]["latentlab"] = json.dumps(meta)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    dst.write_bytes(struct.pack("<Q", len(raw)) + raw + data[8 + n:])


def make_files(folder: Path, good: Path) -> dict[str, Path]:
    """The hostile files, written into `folder`."""
    import torch
    from safetensors.torch import load_file, save_file

    from latentlab.core.run_dir import RunDir

    files = {"good": good, "dir": folder}
    files["notes"] = folder / "notes.txt"
    files["notes"].write_text("not a checkpoint\n")
    for name, change in {
        "big_n": lambda m: m.__setitem__("dataset", {"name": "ring8", "options": {"n": 1_000_000_000}}),
        "string_record": lambda m: m.__setitem__("dataset", "string"),
        "etc_folder": lambda m: m.__setitem__("dataset", {"name": "folder:etc", "folder": "/etc", "options": {}}),
        "step_abc": lambda m: m.__setitem__("step", "abc"),
        "bad_groups": lambda m: m["optimizer"].__setitem__("param_groups", [{"params": [0, 1]}]),
    }.items():
        files[name] = folder / f"{name}.safetensors"
        rewrite(good, files[name], change)
    data = good.read_bytes()
    files["truncated"] = folder / "truncated.safetensors"
    files["truncated"].write_bytes(data[:len(data) - 64])
    tensors = load_file(str(good))
    nan = {k: torch.full_like(v, float("nan")) if k.startswith("model.") and v.is_floating_point() else v
           for k, v in tensors.items()}
    files["nan_model"] = folder / "nan_model.safetensors"
    with open(good, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        meta = json.loads(f.read(n))["__metadata__"]
    save_file(nan, str(files["nan_model"]), metadata=meta)
    _data_files(folder, files)
    run = RunDir(folder / "run").create()
    run.append({"event": "start", "model": "vae"})
    files["run"] = run.path
    return files


def _data_files(folder: Path, files: dict[str, Path]) -> None:
    """Hostile data for --data PATH: tables with a bad cell or NaN, arrays of objects, a lying IDX header,
    a decompression bomb, a folder of no images."""
    import zlib

    import numpy as np

    files["bad_cell_csv"] = folder / "bad_cell.csv"
    files["bad_cell_csv"].write_text("a,b\n1,2\n3,4\n5,six\n7,8\n")
    files["nan_csv"] = folder / "nan.csv"
    files["nan_csv"].write_text("a,b\n1,2\n3,nan\n5,6\n")
    files["object_npy"] = folder / "objects.npy"
    np.save(files["object_npy"], np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    files["flat_npy"] = folder / "flat.npy"
    np.save(files["flat_npy"], np.arange(5.0))
    idx = files["idx_lie"] = folder / "idx_lie"
    idx.mkdir()
    for name, dims in (("train-images-idx3-ubyte", (1_000_000_000, 28, 28)), ("train-labels-idx1-ubyte", (3,)),
                       ("t10k-images-idx3-ubyte", (2, 28, 28)), ("t10k-labels-idx1-ubyte", (2,))):
        header = struct.pack(">I", 0x0800 + len(dims)) + b"".join(struct.pack(">I", d) for d in dims)
        (idx / name).write_bytes(header + bytes(3 * 28 * 28 if len(dims) == 3 else 3))
    bombs = files["bomb_folder"] = folder / "bombs"
    bombs.mkdir()
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
    idat = b"IDAT" + zlib.compress(b"\0")
    (bombs / "bomb.png").write_bytes(
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
        + struct.pack(">I", len(idat) - 4) + idat + struct.pack(">I", zlib.crc32(idat))
        + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND")))
    corrupt = files["corrupt_cifar"] = folder / "corrupt_cifar"
    corrupt.mkdir()
    (corrupt / "cifar-10-python.tar.gz").write_bytes(b"\x1f\x8b\x08\x00 cut short")
    empty = files["no_images"] = folder / "no_images"
    empty.mkdir()
    (empty / "readme.txt").write_text("no images here\n")
    (empty / "fake.png").write_bytes(b"not a png")
