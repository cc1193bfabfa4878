"""One-file checkpoints: safetensors weights with JSON metadata in the header.

safetensors holds only raw tensors, so loading a checkpoint can never run code
(unlike pickle). Saves are atomic: a temporary file is written, synced and
renamed over the target, so a crash mid-save leaves the previous file intact.
Every way a file can be wrong ends in CheckpointError naming the file and why.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

import latentlab
from latentlab.core.models import LatentModel, build_model
from latentlab.core.models.plugin import PLUGIN_FAMILY
from latentlab.core.processes import process_gone

FORMAT = "latentlab-checkpoint"
FORMAT_VERSION = 1
META_KEY = "latentlab"
MAX_HEADER = 16 * 1024 * 1024  # a real header is a few KB; refuse absurd declared sizes before reading
MAX_FILE = 2 * 1024**3


class CheckpointError(ValueError):
    """A checkpoint cannot be written or read; the message names the file and the reason."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass
class Checkpoint:
    model: LatentModel
    meta: dict[str, Any]
    optimizer_state: dict | None

    @property
    def dataset(self) -> dict[str, Any]:
        return self.meta.get("dataset", {})

    @property
    def metrics(self) -> dict[str, float]:
        return self.meta.get("metrics", {})

    @property
    def step(self) -> int:
        return int(self.meta.get("step", 0))

    @property
    def epoch(self) -> int:
        return int(self.meta.get("epoch", 0))


def _optimizer_tensors(state: dict | None) -> tuple[dict[str, torch.Tensor], dict[str, Any] | None]:
    """Split an optimizer state_dict into flat tensors and JSON-able rest."""
    if not state:
        return {}, None
    tensors, scalars = {}, {}
    for index, entry in state["state"].items():
        for key, value in entry.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optim.{index}.{key}"] = value.detach().cpu().contiguous()
            else:
                scalars[f"{index}.{key}"] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def _optimizer_state(tensors: dict[str, torch.Tensor], info: dict[str, Any] | None) -> dict | None:
    if not info:
        return None
    state: dict[int, dict[str, Any]] = {}
    for name, value in tensors.items():
        if name.startswith("optim."):
            _, index, key = name.split(".", 2)
            state.setdefault(int(index), {})[key] = value
    for name, value in info.get("scalars", {}).items():
        index, key = name.split(".", 1)
        state.setdefault(int(index), {})[key] = value
    if not isinstance(info.get("param_groups"), list) or not all(
            isinstance(g, dict) and isinstance(g.get("params"), list)
            and all(isinstance(i, int) and not isinstance(i, bool) for i in g["params"]) for g in info["param_groups"]):
        raise ValueError("malformed parameter groups")
    # JSON turned tuples (Adam's betas) into lists; give them back as the optimizer made them.
    groups = [{k: tuple(v) if isinstance(v, list) and k != "params" else v for k, v in group.items()}
              for group in info["param_groups"]]
    return {"state": state, "param_groups": groups}


def save_checkpoint(
    path: str | Path,
    model: LatentModel,
    dataset: dict[str, Any] | None = None,
    step: int = 0,
    epoch: int = 0,
    metrics: dict[str, float] | None = None,
    optimizer_state: dict | None = None,
    extra: dict[str, Any] | None = None,
    half: bool = False,
) -> Path:
    """Write model weights, optimizer state and metadata to `path` atomically.

    `half` stores floating-point weights as float16 (half the size: the shipped checkpoints use
    it); loading turns them back into float32.
    """
    path = Path(path)
    opt_tensors, opt_info = _optimizer_tensors(optimizer_state)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "family": model.family,
        "config": model.config.to_dict(),
        "dataset": dataset or {},
        "step": int(step),
        "epoch": int(epoch),
        "metrics": {k: float(v) for k, v in (metrics or {}).items()},
        "latentlab_version": latentlab.__version__,
        "torch_version": torch.__version__,
        "optimizer": opt_info,
        **({"stored_as": "float16"} if half else {}),
        **(extra or {}),
    }
    tensors = {f"model.{k}": _stored(v, half) for k, v in model.state_dict().items()}
    tensors.update(opt_tensors)
    data = st_save(tensors, metadata={META_KEY: json.dumps(meta)})
    if not path.parent.is_dir():
        raise CheckpointError(path, f"folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise CheckpointError(path, f"cannot write: {e.strerror or e}") from None
    _remove_stale_temporaries(path)
    return path


def _stored(tensor: torch.Tensor, half: bool) -> torch.Tensor:
    tensor = tensor.detach().cpu()
    if half and tensor.dtype == torch.float32:
        tensor = tensor.half()
    return tensor.contiguous()


def _remove_stale_temporaries(path: Path) -> None:
    """Temporary files left by a save that was killed: harmless, but not worth keeping."""
    for stale in path.parent.glob(f".{path.name}.tmp-*"):
        try:
            pid = int(stale.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid == os.getpid() or process_gone(pid):
            stale.unlink(missing_ok=True)


IMPORT_HINT = ("; the weights of a model of your own open with its code: latentlab import --model-file FILE.py:CLASS "
               "--weights THIS_FILE (docs/plugins.md)")


def _looks_like(data: bytes) -> str:
    """What a file that is not a safetensors file seems to be, said in a few words (or nothing)."""
    if data.startswith(b"PK\x03\x04"):
        return " but a torch.save file (a zip archive)" + IMPORT_HINT
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return " but a pickle (an older torch.save file)" + IMPORT_HINT
    head = data[:512]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return " (not a safetensors file)"
    return " but a text file" if all(c.isprintable() or c.isspace() for c in text) else " (not a safetensors file)"


def _read_header(path: Path, data: bytes) -> dict[str, Any]:
    if len(data) < 8:
        raise CheckpointError(path, f"too short to be a checkpoint ({len(data)} bytes)")
    (header_len,) = struct.unpack("<Q", data[:8])
    if header_len > MAX_HEADER or header_len > len(data) - 8:
        raise CheckpointError(path, f"not a latentlab checkpoint{_looks_like(data)}")
    try:
        header = json.loads(data[8:8 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError(path, "not a safetensors checkpoint (its header is not valid JSON)") from None
    if not isinstance(header, dict):
        raise CheckpointError(path, "not a safetensors checkpoint (its header is not a JSON object)")
    raw_meta = (header.get("__metadata__") or {}).get(META_KEY) if isinstance(header.get("__metadata__"), dict) else None
    if raw_meta is None:
        raise CheckpointError(path, "a safetensors file, but not a latentlab checkpoint (no latentlab metadata)")
    try:
        meta = json.loads(raw_meta)
    except (TypeError, json.JSONDecodeError):
        raise CheckpointError(path, "its latentlab metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(path, "its metadata does not describe a latentlab checkpoint")
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(path, f"checkpoint format version {meta.get('format_version')!r} is not "
                                    f"supported (this latentlab reads version {FORMAT_VERSION})")
    for key in ("step", "epoch"):
        value = meta.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
            raise CheckpointError(path, f"its {key} must be a whole number of at least 0, got {value!r}")
    for key in ("dataset", "metrics"):
        if not isinstance(meta.get(key, {}), dict):
            raise CheckpointError(path, f"its {key} record is not a JSON object")
    return meta


def read_metadata(path: str | Path, check_tensors: bool = False) -> dict[str, Any]:
    """The checkpoint's metadata, checked, without building the model; with `check_tensors`, every
    tensor's bytes are checked to be present too (a truncated file is an error)."""
    path = Path(path)
    data = _read_bytes(path)
    meta = _read_header(path, data)
    if check_tensors:
        try:
            st_load(data)
        except Exception as e:  # safetensors' own error type for bad offsets and sizes
            raise CheckpointError(path, f"its tensor data is corrupt or truncated ({e})") from None
    return meta


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise CheckpointError(path, "no such file")
    if not path.is_file():
        raise CheckpointError(path, "not a file")
    size = path.stat().st_size
    if size > MAX_FILE:
        raise CheckpointError(path, f"too large for a latentlab checkpoint ({size} bytes)")
    try:
        return path.read_bytes()
    except OSError as e:
        raise CheckpointError(path, f"cannot read: {e.strerror or e}") from None


def _model_fitting(path: Path, meta: dict[str, Any], weights: dict[str, torch.Tensor],
                   plugin: Any = None) -> LatentModel:
    """The model the metadata describes, filled with `weights`.

    It is first built on the meta device (no memory), so a config that lies about its size
    (latent_dim = 10^9) is caught by comparing shapes with the stored tensors, not by an
    allocation of gigabytes. A plug-in's model (core/plugins.py) is built on the CPU from the code the
    user named (`plugin`), never from code the metadata names.
    """
    is_plugin = meta.get("family") == PLUGIN_FAMILY
    try:
        if is_plugin:
            model = _plugin_model(path, meta, plugin)
        else:
            with torch.device("meta"):
                model = build_model(str(meta.get("family")), meta.get("config") or {})
    except CheckpointError:
        raise
    except (ValueError, TypeError, RuntimeError) as e:
        raise CheckpointError(path, f"cannot rebuild its model: {e}") from None
    expected = model.state_dict()
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    wrong = [k for k in expected if k in weights and (tuple(weights[k].shape) != tuple(expected[k].shape)
                                                      or weights[k].dtype != expected[k].dtype)]
    if missing or unexpected or wrong:
        detail = "; ".join(f"{what}: {', '.join(names[:3])}" for what, names in
                           (("missing", missing), ("unexpected", unexpected), ("wrong shape or type", wrong))
                           if names)
        raise CheckpointError(path, f"its weights do not fit a {meta['family']} model of that config ({detail})")
    if not is_plugin:
        model = model.to_empty(device="cpu")
    model.load_state_dict(weights, strict=True)
    return model


def _plugin_model(path: Path, meta: dict[str, Any], plugin: Any) -> LatentModel:
    """A plug-in checkpoint's model from `plugin` (a LoadedPlugin); refused, naming it, without one."""
    from latentlab.core.plugins import describe_recorded, rebuild

    if plugin is None:
        raise CheckpointError(path, f"it holds a plug-in model, {describe_recorded(meta)}; plug-in code runs only "
                                    "when you name it: add --model-file FILE.py:CLASS (or File > Open model code…)")
    return rebuild(plugin, meta.get("config") or {})


def load_checkpoint(path: str | Path, device: str | torch.device = "cpu", plugin: Any = None) -> Checkpoint:
    """Rebuild the model stored in `path`; raises CheckpointError for any bad file. `plugin`: the LoadedPlugin
    (core/plugins.py) the user named, for a checkpoint of a plug-in model."""
    path = Path(path)
    data = _read_bytes(path)
    meta = _read_header(path, data)
    try:
        tensors = st_load(data)
    except Exception as e:  # safetensors reports bad offsets, dtypes and sizes with its own error type
        raise CheckpointError(path, f"its tensor data is corrupt or truncated ({e})") from None
    weights = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
    if meta.get("stored_as") == "float16":
        weights = {k: v.float() if v.dtype == torch.float16 else v for k, v in weights.items()}
    model = _model_fitting(path, meta, weights, plugin)
    try:
        optimizer_state = _optimizer_state(tensors, meta.get("optimizer"))
    except (KeyError, ValueError, TypeError, AttributeError):
        raise CheckpointError(path, "its optimizer state is malformed") from None
    return Checkpoint(model.to(device).eval(), meta, optimizer_state)
