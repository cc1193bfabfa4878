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
    # sample, interpolate, codes, info, mmd, pair
    ("sample {notes} --out {dir}/s.png", "notes.txt"),
    ("sample {good} --n 0 --out {dir}/s.png", "--n"),
    ("sample {good} --out {dir}", "cannot write"),
    ("interpolate {good} --from 0 --to 99999999 --out {dir}/i.png", "--to"),
    ("interpolate {good} --from 0 --to 1 --steps 1 --out {dir}/i.png", "--steps"),
    ("interpolate {good} --from 0 --to 1 --path curly --out {dir}/i.png", "unknown path"),
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
    run = RunDir(folder / "run").create()
    run.append({"event": "start", "model": "vae"})
    files["run"] = run.path
    return files
