"""The shipped pretrained checkpoints: their manifest, regenerating them, and checking them.

latentlab/resources/checkpoints/manifest.json lists every shipped file with the exact `latentlab train` command that
produced it and the test metrics it scored. `regenerate` runs those commands again and records
the new metrics and hashes; `verify` checks a shipped file against its entry without training.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import torch

from latentlab.core.checkpoints import Checkpoint, CheckpointError, load_checkpoint
from latentlab.core.data import DEFAULT_DATASET, DataError
from latentlab.core.models.base import ModelConfig
from latentlab.core.models.registry import DEFAULT_FAMILY
from latentlab.core.recipes import dataset_from_record
from latentlab.core.training import evaluate_model

CHECKPOINTS_ENV = "LATENTLAB_CHECKPOINTS"
MANIFEST = "manifest.json"
EVAL_SEED = 0  # metrics that sample (a VAE's ELBO, an MMD net's loss) are taken with this seed
METRIC_RTOL = 0.01
METRIC_ATOL = 1e-3


PREFIX = "pretrained:"


def checkpoint_dir() -> Path:
    """The folder of shipped checkpoints: $LATENTLAB_CHECKPOINTS, else the one inside the package
    (found through importlib.resources, so an installed wheel has it too)."""
    env = os.environ.get(CHECKPOINTS_ENV)
    return Path(env) if env else Path(str(files("latentlab") / "resources" / "checkpoints"))


def resolve(path: str | Path) -> Path:
    """A checkpoint argument: a file, or `pretrained:NAME` for a shipped one (ValueError if none). A bare
    NAME that is no file but a shipped checkpoint's name means that one (what `latentlab pretrained` lists)."""
    text = str(path)
    if text.startswith(PREFIX):
        return shipped_path(text[len(PREFIX):])
    if not Path(path).exists() and text in {entry.name for entry in read_manifest()}:
        return shipped_path(text)
    return Path(path)


@dataclass
class Pretrained:
    """One manifest entry."""

    name: str
    title: str
    description: str
    command: str
    metrics: dict[str, float] = field(default_factory=dict)
    sha256: str = ""
    bytes: int = 0

    @property
    def argv(self) -> list[str]:
        """The command's arguments after `latentlab`."""
        words = shlex.split(self.command)
        if words[:2] != ["latentlab", "train"]:
            raise ValueError(f"{self.name}: its command must start with 'latentlab train'")
        return words[1:]

    def flag(self, name: str, default: str | None = None) -> str | None:
        """The value of `--name` in the command (the schema's defaults apply where it is not given)."""
        words = self.argv
        for i, word in enumerate(words[:-1]):
            if word == name:
                return words[i + 1]
            if word.startswith(name + "="):
                return word.split("=", 1)[1]
        return default

    @property
    def file_name(self) -> str:
        out = self.flag("--out")
        if not out:
            raise ValueError(f"{self.name}: its command has no --out")
        return Path(out).name

    def path(self, folder: Path | None = None) -> Path:
        return (folder or checkpoint_dir()) / self.file_name


def read_manifest(folder: Path | None = None) -> list[Pretrained]:
    """Every entry of the manifest in `folder`; a ValueError names what is wrong with it."""
    path = (folder or checkpoint_dir()) / MANIFEST
    try:
        raw = json.loads(path.read_text())
        return [Pretrained(**entry) for entry in raw["checkpoints"]]
    except FileNotFoundError:
        raise ValueError(f"{path}: no manifest of pretrained checkpoints there") from None
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise ValueError(f"{path}: not a valid manifest ({e})") from None


def write_manifest(entries: list[Pretrained], folder: Path | None = None) -> None:
    path = (folder or checkpoint_dir()) / MANIFEST
    rows = [entry.__dict__ for entry in entries]
    path.write_text(json.dumps({"checkpoints": rows}, indent=2) + "\n")


def find(name: str, folder: Path | None = None) -> Pretrained:
    for entry in read_manifest(folder):
        if entry.name == name:
            return entry
    raise ValueError(f"no pretrained checkpoint named {name!r}")


def shipped_path(name: str) -> Path:
    """The file of the shipped checkpoint `name`; a ValueError says how to restore a missing one."""
    path = find(name).path()
    if not path.is_file():
        raise ValueError(f"{path} is missing: run 'make checkpoints' to regenerate it")
    return path


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@torch.no_grad()
def test_metrics(ckpt: Checkpoint) -> dict[str, float]:
    """The checkpoint's metrics on its dataset's held-out split, with a fixed seed."""
    dataset = dataset_from_record(ckpt.dataset, trust_folder=True)  # shipped, and named by no folder
    torch.manual_seed(EVAL_SEED)
    return {k: round(v, 6) for k, v in evaluate_model(ckpt.model, dataset.test_x).items()}


def regenerate_argv(entry: Pretrained, folder: Path | None = None) -> list[str]:
    """The entry's `latentlab train` arguments, writing to its file in `folder` (the CLI runs them)."""
    argv = entry.argv
    argv[argv.index("--out") + 1] = str(entry.path(folder))
    return argv


def record(entry: Pretrained, folder: Path | None = None) -> Pretrained:
    """The entry updated with its freshly trained file's metrics, hash and size."""
    path = entry.path(folder)
    return Pretrained(entry.name, entry.title, entry.description, entry.command,
                      test_metrics(load_checkpoint(path)), file_sha256(path), path.stat().st_size)


def verify(entry: Pretrained, folder: Path | None = None) -> list[str]:
    """What is wrong with the shipped file of `entry` (empty if nothing): present, the bytes the
    manifest hashed, the family, dataset and latent size its command asked for, and its recorded
    test metrics reproduced within METRIC_RTOL."""
    path = entry.path(folder)
    if not path.is_file():
        return [f"{path} is missing"]
    problems = []
    if file_sha256(path) != entry.sha256:
        problems.append(f"{path.name}: its sha256 differs from the manifest's")
    try:
        ckpt = load_checkpoint(path)
    except CheckpointError as e:
        return problems + [str(e)]
    latent_default = ModelConfig(data_shape=(1,)).latent_dim  # the train command's defaults
    asked = {"family": entry.flag("--model", DEFAULT_FAMILY), "dataset": entry.flag("--data", DEFAULT_DATASET),
             "latent_dim": int(entry.flag("--latent-dim", str(latent_default)) or latent_default)}
    found = {"family": ckpt.model.family, "dataset": ckpt.dataset.get("name"),
             "latent_dim": ckpt.meta["config"].get("latent_dim")}
    problems += [f"{path.name}: {k} is {found[k]!r}, its command asked for {v!r}"
                 for k, v in asked.items() if found[k] != v]
    try:
        now = test_metrics(ckpt)
    except DataError as e:
        return problems + [f"{path.name}: its dataset cannot be loaded: {e}"]
    for k, recorded in entry.metrics.items():
        value = now.get(k)
        if value is None or abs(value - recorded) > METRIC_ATOL + METRIC_RTOL * abs(recorded):
            problems.append(f"{path.name}: test {k} is {value}, the manifest records {recorded}")
    return problems
